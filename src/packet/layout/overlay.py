"""Draw per-copy marks (a student's name, "Copy 3 of 30", blank-page notices) as PDF pages.

This is the only module that imports reportlab. It draws with the fonts bundled
in ``fonts/`` only, so a class set prints the same on every machine, and picks a
font for each run of characters: Noto Sans for Latin, Greek and Cyrillic, Noto
Sans Arabic, Noto Sans Hebrew, and a CJK subset for Chinese, Japanese and Korean
names. Text is shaped with HarfBuzz (``uharfbuzz``, which reportlab's own
shaping uses) and laid out right-to-left where the Unicode bidirectional
algorithm says so, so "محمد علي" prints joined and in the right order.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import uharfbuzz  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, TTFont
from reportlab.pdfgen.canvas import Canvas

from packet.errors import PacketError

# (family, regular file, bold file or None); the first font that has a letter draws it.
FONT_FILES: tuple[tuple[str, str, str | None], ...] = (
    ("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    ("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    ("NotoSansCJKNames", "NotoSansCJK-Names-Regular.ttf", None),
)
# Discretionary ligatures are off: Noto Sans Arabic's dlig turns محمد into the
# vocalised honorific ligature U+FDF4, which is wrong for a student's name.
FEATURES = {"kern": True, "liga": True, "dlig": False}
# Stroke width, as a share of the font size, that thickens a font with no bold file.
FAKE_BOLD_STROKE = 0.035
_FOLDERS = itertools.count(1)
MIRRORED = str.maketrans("()[]{}<>\u00ab\u00bb\u2039\u203a", ")(][}{><\u00bb\u00ab\u203a\u2039")


@dataclass(frozen=True)
class Mark:
    """One line of text stamped on a page; x and y in PDF points from the bottom left."""

    x: float
    y: float
    text: str
    size: float = 9
    bold: bool = False
    # Which point of the line (x, y) is: its left end, right end or centre.
    align: Literal["left", "right", "center"] = "left"


@dataclass(frozen=True)
class Rule:
    """A vertical rule beside lines of text, from y0 up to y1, in PDF points."""

    x: float
    y0: float
    y1: float
    style: Literal["solid", "double"] = "solid"
    width: float = 1.6


@dataclass(frozen=True)
class PageMarks:
    """The marks for one overlay page of the given size in points."""

    width: float
    height: float
    marks: tuple[Mark | Rule, ...]


@dataclass(frozen=True)
class _Font:
    """One registered font file and the characters it can draw."""

    name: str
    tt: Any  # reportlab TTFont, untyped
    chars: frozenset[int]
    fake_bold: bool


@dataclass(frozen=True)
class _Run:
    """A run of text in one font and one direction, shaped, ready to draw."""

    font: _Font
    text: str  # a reportlab ShapedStr: glyphs in visual order with their positions
    width: float


def draw(pages: Sequence[PageMarks], fonts_dir: Path) -> bytes:
    """Draw one overlay page per PageMarks and return them as one PDF."""
    regular, bold = _fonts(fonts_dir.resolve())
    buffer = io.BytesIO()
    # invariant: fixed dates and document ID, so the same marks give the same bytes.
    canvas = Canvas(buffer, invariant=True, pageCompression=1, initialFontName=regular[0].name)
    canvas.setFillGray(0)
    canvas.setStrokeGray(0)
    for page in pages:
        canvas.setPageSize((page.width, page.height))
        for mark in page.marks:
            if isinstance(mark, Rule):
                _draw_rule(canvas, mark)
            else:
                _draw_mark(canvas, mark, bold if mark.bold else regular)
        canvas.showPage()
    canvas.save()
    return _without_null_mappings(buffer.getvalue())


# A character map entry reportlab writes for its fonts' code 0 (.notdef, never drawn):
# U+0000, and the byte-order marks, are no text, and PDF/UA-1 forbids mapping to them.
_NOT_TEXT = re.compile(rb"^<[0-9A-Fa-f]+> <(?:0000|FEFF|FFFE)>\r?\n", re.M | re.I)
_BFCHAR = re.compile(rb"(\d+) beginbfchar\r?\n(.*?)endbfchar", re.S)


def _without_null_mappings(data: bytes) -> bytes:
    """Drop the ToUnicode entries that map a code to U+0000 (or a byte-order mark)."""
    import pikepdf  # only when marks are drawn

    with pikepdf.open(io.BytesIO(data)) as pdf:
        changed = False
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                cmap = font.get("/ToUnicode")
                if cmap is None:
                    continue
                old = cmap.read_bytes()
                new = _BFCHAR.sub(_recount, old)
                if new != old:
                    cmap.write(new)
                    changed = True
        if not changed:
            return data
        out = io.BytesIO()
        # The level is process-wide: set it, as every save does (tags.set_compression),
        # or the bytes would depend on what ran earlier in the process.
        pikepdf.settings.set_flate_compression_level(9)
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def _recount(block: re.Match[bytes]) -> bytes:
    entries = _NOT_TEXT.sub(b"", block.group(2))
    count = len(entries.splitlines())
    return b"%d beginbfchar\n%sendbfchar" % (count, entries)


def unsupported_characters(text: str, fonts_dir: Path) -> str:
    """Return the characters of text that no bundled font can draw, in order, once each."""
    regular, _ = _fonts(fonts_dir.resolve())
    missing = (
        char
        for char in unicodedata.normalize("NFC", text)
        if not char.isspace()
        and unicodedata.category(char) not in ("Cf", "Cc")
        and not any(ord(char) in font.chars for font in regular)
    )
    return "".join(dict.fromkeys(missing))


def text_width(mark: Mark, fonts_dir: Path) -> float:
    """Return how wide the mark's text prints, in points."""
    return _width(mark.text, mark.size, mark.bold, fonts_dir.resolve())


@cache
def _width(text: str, size: float, bold: bool, fonts_dir: Path) -> float:
    regular, bold_fonts = _fonts(fonts_dir)
    mark = Mark(0, 0, text, size=size, bold=bold)
    return sum(run.width for run in _layout(mark, bold_fonts if bold else regular))


# Stacked lines of a stamp: baselines 1.15 sizes apart; a line's letters rise 0.75 of
# the size above its baseline (capitals, ascenders) and fall 0.25 below it.
LEADING = 1.15
ASCENT = 0.75
DESCENT = 0.25


@dataclass(frozen=True)
class Room:
    """Where a stamp may print, in PDF points from the bottom left: between left and
    right, its first line on baseline, further lines stacked up (or down) to limit."""

    left: float
    right: float
    baseline: float
    limit: float
    grow: Literal["up", "down"] = "up"
    align: Literal["left", "right", "center"] = "left"


def fit(
    text: str, room: Room, fonts_dir: Path, *, size: float, floor: float, bold: bool = False
) -> tuple[Mark, ...] | None:
    """Set text inside room: at size if it fits on one line, else as large as it fits
    on one line down to floor, else wrapped onto as few lines as fit. None if nothing fits."""
    sizes = [size - 0.5 * step for step in range(int((size - floor) / 0.5) + 1)]
    width = room.right - room.left

    def tall_enough(lines: int, each: float) -> bool:
        reach = (lines - 1) * each * LEADING
        if room.grow == "up":
            return room.baseline + reach + each * ASCENT <= room.limit + 0.01
        return room.baseline - reach - each * DESCENT >= room.limit - 0.01

    for each in sizes:
        if tall_enough(1, each) and _width(text, each, bold, fonts_dir.resolve()) <= width:
            return _stack([text], room, each, bold)
    for each in sizes:
        lines = _balanced(text, each, width, bold, fonts_dir.resolve())
        narrow = all(_width(line, each, bold, fonts_dir.resolve()) <= width for line in lines)
        if len(lines) > 1 and narrow and tall_enough(len(lines), each):
            return _stack(lines, room, each, bold)
    return None


def _stack(lines: list[str], room: Room, size: float, bold: bool) -> tuple[Mark, ...]:
    """Marks for lines in reading order; growing up, the last line stands on the baseline."""
    x = {"left": room.left, "right": room.right, "center": (room.left + room.right) / 2}
    step = size * LEADING
    first = room.baseline + (len(lines) - 1) * step if room.grow == "up" else room.baseline
    return tuple(
        Mark(x[room.align], first - i * step, line, size=size, bold=bold, align=room.align)
        for i, line in enumerate(lines)
    )


def _balanced(text: str, size: float, width: float, bold: bool, fonts_dir: Path) -> list[str]:
    """Wrap text onto as few lines as width allows, with the lines as even as they go."""
    lines = _wrap(text, size, width, bold, fonts_dir)
    low, high = 0.0, width
    while len(lines) > 1 and high - low > 1:  # the narrowest measure that needs no more lines
        middle = (low + high) / 2
        if len(_wrap(text, size, middle, bold, fonts_dir)) <= len(lines):
            high = middle
        else:
            low = middle
    return _wrap(text, size, high, bold, fonts_dir)


def _wrap(text: str, size: float, width: float, bold: bool, fonts_dir: Path) -> list[str]:
    """Break text into lines no wider than width: at spaces and after hyphens, and
    inside a word only where the word alone is wider than the line."""
    pieces: list[str] = []
    for word in re.findall(r"[^\s-]*-+|[^\s-]+-*|\s+", unicodedata.normalize("NFC", text)):
        if word.isspace() or _width(word.strip(), size, bold, fonts_dir) <= width:
            pieces.append(word)
            continue
        part = ""
        for char in word:  # keep a combining mark with its letter
            if (
                part
                and not unicodedata.combining(char)
                and _width(part + char, size, bold, fonts_dir) > width
            ):
                pieces.append(part)
                part = ""
            part += char
        pieces.append(part)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if piece.isspace():
            line += " " if line else ""
            continue
        candidate = line + piece
        if line and _width(candidate.strip(), size, bold, fonts_dir) > width:
            lines.append(line.strip())
            line = piece
        else:
            line = candidate
    if line.strip():
        lines.append(line.strip())
    return lines


@cache
def _fonts(fonts_dir: Path) -> tuple[tuple[_Font, ...], tuple[_Font, ...]]:
    """Register the bundled fonts in fonts_dir once per process; return (regular, bold)."""
    missing = [
        name
        for _, regular, bold in FONT_FILES
        for name in (regular, bold)
        if name and not (fonts_dir / name).is_file()
    ]
    if missing:
        raise PacketError(
            f"fonts missing from {fonts_dir}: {', '.join(missing)}\n"
            "    fix: reinstall packet; these fonts ship with it"
        )
    # Names must differ per folder: reportlab's font registry is process-wide.
    # (They never reach the PDF, which names fonts by their PostScript names.)
    tag = next(_FOLDERS)
    regular: list[_Font] = []
    bold: list[_Font] = []
    for family, regular_file, bold_file in FONT_FILES:
        plain = _register(f"{family}-{tag}", fonts_dir / regular_file)
        regular.append(plain)
        if bold_file:
            bold.append(_register(f"{family}-Bold-{tag}", fonts_dir / bold_file))
        else:
            bold.append(_Font(plain.name, plain.tt, plain.chars, fake_bold=True))
    return tuple(regular), tuple(bold)


def _register(name: str, path: Path) -> _Font:
    """Register one TrueType file with reportlab under name."""
    # asciiReadable=False: embed only the glyphs drawn, not all of ASCII besides.
    try:
        tt = TTFont(name, str(path), asciiReadable=False)
    except Exception as error:  # reportlab raises struct.error, TTFError, OSError…
        raise PacketError(
            f"the bundled font {path} is damaged ({error or type(error).__name__}): "
            "reinstall packet (scripts/install)"
        ) from None
    pdfmetrics.registerFont(tt)
    return _Font(name=name, tt=tt, chars=frozenset(tt.face.charToGlyph), fake_bold=False)


def _draw_rule(canvas: Any, rule: Rule) -> None:
    """Draw a rule: one bar, or two thin ones that stay apart on a grey photocopy."""
    if rule.style == "double":
        thin = rule.width * 0.4
        canvas.setLineWidth(thin)
        for dx in (-rule.width / 2 + thin / 2, rule.width / 2 - thin / 2):
            canvas.line(rule.x + dx, rule.y0, rule.x + dx, rule.y1)
    else:
        canvas.setLineWidth(rule.width)
        canvas.line(rule.x, rule.y0, rule.x, rule.y1)


def _draw_mark(canvas: Any, mark: Mark, fonts: Sequence[_Font]) -> None:
    """Draw one mark: its runs left to right from the point its alignment gives."""
    runs = _layout(mark, fonts)
    width = sum(run.width for run in runs)
    x = {"left": mark.x, "right": mark.x - width, "center": mark.x - width / 2}[mark.align]
    for run in runs:
        canvas.setFont(run.font.name, mark.size)
        if run.font.fake_bold:
            canvas.setLineWidth(mark.size * FAKE_BOLD_STROKE)
            canvas.drawString(x, mark.y, run.text, mode=2)  # fill, then stroke the outline
        else:
            canvas.drawString(x, mark.y, run.text)
        x += run.width


def _layout(mark: Mark, fonts: Sequence[_Font]) -> list[_Run]:
    """Return the mark's text as shaped runs in visual (left-to-right) order."""
    text = unicodedata.normalize("NFC", mark.text)
    if not text:
        return []
    levels = _bidi_levels(text)
    chosen = _choose_fonts(text, fonts)
    logical: list[tuple[int, _Font, str]] = []
    start = 0
    for end in range(1, len(text) + 1):
        if end == len(text) or (levels[end], chosen[end]) != (levels[start], chosen[start]):
            logical.append((levels[start], fonts[chosen[start]], text[start:end]))
            start = end
    order = _visual_order([level for level, _, _ in logical])
    runs = []
    for index in order:
        level, font, part = logical[index]
        shaped, width = _shape(font, part, mark.size, rtl=level % 2 == 1)
        runs.append(_Run(font, shaped, width))
    return runs


def _choose_fonts(text: str, fonts: Sequence[_Font]) -> list[int]:
    """Return, for each character, the index of the font that draws it."""
    # Letters pick the first font that has them; spaces, digits, punctuation and
    # combining marks stay in the font of the letters around them, so a name is
    # not split into runs with different spacing.
    chosen: list[int | None] = []
    for char in text:
        if unicodedata.category(char)[0] == "L":
            chosen.append(_first_font(char, fonts))
        else:
            chosen.append(None)
    for i, char in enumerate(text):
        if chosen[i] is not None:
            continue
        before = next((chosen[j] for j in range(i - 1, -1, -1) if chosen[j] is not None), None)
        after = next((chosen[j] for j in range(i + 1, len(text)) if chosen[j] is not None), None)
        for candidate in (before, after):
            if candidate is not None and ord(char) in fonts[candidate].chars:
                chosen[i] = candidate
                break
        else:
            chosen[i] = _first_font(char, fonts)
    return [index if index is not None else 0 for index in chosen]


def _first_font(char: str, fonts: Sequence[_Font]) -> int:
    """Return the first font that has char, or the first font (which draws a box)."""
    return next((i for i, font in enumerate(fonts) if ord(char) in font.chars), 0)


def _shape(font: _Font, text: str, size: float, *, rtl: bool) -> tuple[str, float]:
    """Shape text with HarfBuzz; return reportlab's ShapedStr and its width in points."""
    if rtl and not any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        # Neutral characters between right-to-left words: HarfBuzz would lay a
        # Latin-script run out left to right, so reverse and mirror it here.
        text = text[::-1].translate(MIRRORED)
        rtl = False
    tt = font.tt
    hb_font = tt.hbFont(size)
    buffer = uharfbuzz.Buffer()
    buffer.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if rtl else "ltr"  # the bidi level decides, not the script
    uharfbuzz.shape(hb_font, buffer, FEATURES)
    chars: list[str] = []
    data: list[Any] = []
    width = 0.0
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        glyph = info.codepoint
        try:
            # Contextual Arabic forms map to their presentation-form code points,
            # so copied or extracted text still reads as the name (after NFKC).
            code = tt.face.glyphToChar[glyph][0]
        except KeyError:
            code = tt.hbAddPrivate(hb_font.glyph_to_string(glyph), glyph, position.x_advance)
        chars.append(chr(code))
        advance = tt.pdfScale(position.x_advance)
        data.append(
            ShapeData(
                info.cluster,
                advance,
                tt.pdfScale(position.y_advance),
                tt.pdfScale(position.x_offset),
                tt.pdfScale(position.y_offset),
                tt.face.charWidths[code],
            )
        )
        width += advance * size / 1000
    return ShapedStr("".join(chars), shapeData=data), width


# Unicode bidirectional algorithm (UAX #9) for one line of plain text: the rules
# a name or a label needs (W1-W7, N1-N2, I1-I2, L1-L2). Explicit embeddings and
# isolates are treated as neutral, which only matters for text that has them.
_REMOVED = frozenset({"RLE", "LRE", "RLO", "LRO", "PDF", "BN"})
_NEUTRAL = frozenset({"B", "S", "WS", "ON", "LRI", "RLI", "FSI", "PDI"})


def paragraph_direction(text: str) -> Literal["ltr", "rtl"]:
    """Return the direction a line runs in: that of its first strong letter (UAX #9, P2).

    The cover sheet sets a name's ``dir`` with this, so it runs as on the stamp.
    """
    for char in text:
        kind = unicodedata.bidirectional(char) or "L"
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _bidi_levels(text: str) -> list[int]:
    """Return the resolved embedding level of each character of one line."""
    original = [unicodedata.bidirectional(char) or "L" for char in text]
    base = 1 if paragraph_direction(text) == "rtl" else 0
    kept = [i for i, c in enumerate(original) if c not in _REMOVED]
    types = [original[i] for i in kept]
    edge = "R" if base else "L"  # sos and eos: one level run, the paragraph's

    previous = edge
    for i, kind in enumerate(types):  # W1
        if kind == "NSM":
            types[i] = "ON" if previous in ("LRI", "RLI", "FSI", "PDI") else previous
        previous = types[i]
    last_strong = edge
    for i, kind in enumerate(types):  # W2, W3
        if kind in ("L", "R", "AL"):
            last_strong = kind
        elif kind == "EN" and last_strong == "AL":
            types[i] = "AN"
    types = ["R" if kind == "AL" else kind for kind in types]
    for i in range(1, len(types) - 1):  # W4
        left, kind, right = types[i - 1], types[i], types[i + 1]
        if left == right and (
            (kind == "ES" and left == "EN") or (kind == "CS" and left in ("EN", "AN"))
        ):
            types[i] = left
    for start, end in _spans(types, lambda kind: kind == "ET"):  # W5
        if (start > 0 and types[start - 1] == "EN") or (end < len(types) and types[end] == "EN"):
            types[start:end] = ["EN"] * (end - start)
    types = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in types]  # W6
    last_strong = edge
    for i, kind in enumerate(types):  # W7
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[i] = "L"

    def direction(kind: str) -> str:
        return "L" if kind == "L" else "R" if kind in ("R", "EN", "AN") else edge

    for start, end in _spans(types, lambda kind: kind in _NEUTRAL):  # N1, N2
        before = direction(types[start - 1]) if start > 0 else edge
        after = direction(types[end]) if end < len(types) else edge
        types[start:end] = [before if before == after else edge] * (end - start)

    levels = [base] * len(text)
    for i, kind in zip(kept, types, strict=True):  # I1, I2
        if base == 0:
            levels[i] = 0 if kind == "L" else 1 if kind == "R" else 2
        else:
            levels[i] = 1 if kind == "R" else 2
    for i, kind in enumerate(original):
        if kind in _REMOVED:
            levels[i] = levels[i - 1] if i else base
    for i in range(len(text) - 1, -1, -1):  # L1: trailing whitespace
        if original[i] in ("WS", "B", "S", "LRI", "RLI", "FSI", "PDI") or original[i] in _REMOVED:
            levels[i] = base
        else:
            break
    return levels


def _spans(items: Sequence[str], test: Any) -> list[tuple[int, int]]:
    """Return (start, end) of each maximal run of items that pass test."""
    spans = []
    position = 0
    for passed, group in itertools.groupby(items, key=test):
        length = len(list(group))
        if passed:
            spans.append((position, position + length))
        position += length
    return spans


def _visual_order(levels: Sequence[int]) -> list[int]:
    """Return the indices of runs in left-to-right order (rule L2)."""
    order = list(range(len(levels)))
    odd = [level for level in levels if level % 2]
    if not odd:
        return order
    for level in range(max(levels), min(odd) - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and levels[order[j]] >= level:
                j += 1
            order[i:j] = reversed(order[i:j])
            i = j
    return order
