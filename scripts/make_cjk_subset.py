"""Make fonts/NotoSansCJK-Names-Regular.ttf, the CJK subset bundled for student names.

This script documents how the bundled file was made; the build does not run it.
Run it from the repository root on a machine with Debian's ``fonts-noto-cjk``:

    SOURCE_DATE_EPOCH=1643241600 python scripts/make_cjk_subset.py

Source: Noto Sans CJK SC Regular (face 2 of NotoSansCJK-Regular.ttc, Debian
fonts-noto-cjk 1:20220127+repack1-1), SIL Open Font License 1.1 (fonts/OFL-NotoCJK.txt).
The SC face is used for every character, so Japanese kanji and traditional
hanzi are drawn with mainland-Chinese glyph forms: good enough for a name on a
worksheet, and one file instead of four.

Characters kept (the ones names are written with):
- GB 2312 hanzi (6,763) and Big5 level-1 hanzi (5,401: traditional forms),
- JIS X 0208 level-1 kanji (2,965), hiragana, katakana and their extensions,
- the 2,350 Hangul syllables of KS X 1001,
- CJK punctuation, fullwidth ASCII and halfwidth katakana, the middle dots
  used between the parts of transcribed names.

ReportLab reads TrueType outlines only, so the cubic CFF outlines are converted
to quadratic ``glyf`` outlines (fontTools' cu2qu, 1 unit tolerance). Hinting,
vertical forms and regional (``locl``) variants are dropped: names are printed
horizontally, and the variants would double the file. The result is about
3.3 MB, 12,211 characters.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_FACE = 2
OUTPUT = Path(__file__).resolve().parent.parent / "fonts" / "NotoSansCJK-Names-Regular.ttf"
FAMILY = "Noto Sans CJK Names"
MAX_ERROR = 1.0  # font units of 1000 per em: invisible at any print size


def _double_byte(codec: str, lead: range, trail: range) -> set[int]:
    """Return the code points a double-byte codec maps from lead-by-trail byte pairs."""
    chars: set[int] = set()
    for hi in lead:
        for lo in trail:
            try:
                text = bytes([hi, lo]).decode(codec)
            except UnicodeDecodeError:
                continue
            chars.update(ord(c) for c in text)
    return chars


def name_characters() -> set[int]:
    """Return every code point the subset keeps."""
    chars: set[int] = set()
    chars |= _double_byte("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF))  # hanzi rows 16-87
    chars |= _double_byte("big5", range(0xA4, 0xC7), range(0x40, 0xFF))  # level 1: A440-C67E
    chars |= _double_byte("euc_jp", range(0xB0, 0xD0), range(0xA1, 0xFF))  # kanji rows 16-47
    chars |= _double_byte("euc_kr", range(0xB0, 0xC9), range(0xA1, 0xFF))  # 2,350 syllables
    chars |= {c for c in chars if 0x4E00 <= c <= 0x9FFF or 0xAC00 <= c <= 0xD7A3}
    ranges = [
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0x3040, 0x30FF),  # hiragana, katakana
        (0x31F0, 0x31FF),  # katakana phonetic extensions
        (0x3131, 0x318E),  # Hangul compatibility jamo (initials like ㄱ)
        (0xFF01, 0xFF9F),  # fullwidth ASCII, halfwidth katakana
        (0x0020, 0x007E),  # ASCII, so a mixed run needs no font switch
    ]
    for first, last in ranges:
        chars.update(range(first, last + 1))
    chars |= {0x00B7, 0x2027, 0x30FB, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D}
    return {c for c in chars if not 0xE000 <= c <= 0xF8FF}


def subset_font(font: TTFont, chars: set[int]) -> None:
    """Subset font in place to chars, keeping the layout features horizontal text uses."""
    options = subset.Options()
    # Only what horizontal text needs: vertical forms, regional (locl) and
    # width variants would pull in 9,000 more glyphs.
    options.layout_features = ["ccmp", "kern", "liga"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    """Replace the CFF table with quadratic TrueType outlines, in place."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]  # CFF-only table
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: 17,000 cid names would add 250 KB
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont) -> None:
    """Give the subset its own family name, as the OFL asks of modified fonts."""
    # "Noto" is not a Reserved Font Name of Noto CJK's OFL, but a distinct
    # family name keeps it from shadowing a full installed Noto Sans CJK.
    names = {
        1: FAMILY,
        3: f"{FAMILY} Regular",
        4: f"{FAMILY} Regular",
        6: "NotoSansCJKNames-Regular",
        16: FAMILY,
        17: "Regular",
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (16, 17):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def main() -> int:
    """Build the subset and print its size."""
    if "SOURCE_DATE_EPOCH" not in os.environ:
        print("set SOURCE_DATE_EPOCH so the file is reproducible", file=sys.stderr)
        return 2
    font = TTCollection(SOURCE).fonts[SC_FACE]
    chars = name_characters()
    subset_font(font, chars)
    cff_to_glyf(font)
    rename(font)
    font.recalcTimestamp = False
    font["head"].created = font["head"].modified = int(os.environ["SOURCE_DATE_EPOCH"]) + 2082844800
    font.save(OUTPUT)
    kept = len(font.getBestCmap())
    print(
        f"{OUTPUT.name}: {kept} characters, {font['maxp'].numGlyphs} glyphs, "
        f"{OUTPUT.stat().st_size / 1e6:.2f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
