"""Tests for drawing per-copy marks: names in any script, placed where asked."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packet.layout.overlay import (
    Mark,
    PageMarks,
    Room,
    draw,
    fit,
    text_width,
    unsupported_characters,
)

FONTS = Path(__file__).parent.parent / "fonts"
LETTER = (612.0, 792.0)


def page_chars(pdf: bytes, index: int = 0) -> list[dict[str, Any]]:
    """Return pdfplumber's characters of one page."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return list(document.pages[index].chars)


def on_baseline(pdf: bytes, y: float) -> list[dict[str, Any]]:
    """Return the characters drawn on the baseline y, in the order drawn (left to right)."""
    # Not sorted by x: a combining mark's origin can lie right of the next space.
    # A character's text matrix puts its origin, on the baseline, at (e, f).
    return [c for c in page_chars(pdf) if abs(c["matrix"][5] - y) < 1]


def line_text(pdf: bytes, y: float) -> str:
    """Return the text drawn on the baseline y, left to right."""
    return "".join(str(c["text"]) for c in on_baseline(pdf, y))


def fonts_on_line(pdf: bytes, y: float) -> set[str]:
    """Return the base font names used on the baseline y, without subset prefixes."""
    return {str(c["fontname"]).split("+")[-1] for c in on_baseline(pdf, y)}


@pytest.mark.parametrize(
    ("name", "font"),
    [
        ("Nguyễn Thị Minh Khai", "NotoSans-Regular"),
        ("Дмитрий Иванов", "NotoSans-Regular"),
        ("王小明", "NotoSansCJKNames-Regular"),
        ("김민준", "NotoSansCJKNames-Regular"),
        ("さくら 田中", "NotoSansCJKNames-Regular"),
        ("Adébáyọ̀ Ọlábísí", "NotoSans-Regular"),
    ],
)
def test_left_to_right_names_print_as_given(name: str, font: str) -> None:
    pdf = draw([PageMarks(*LETTER, (Mark(72, 700, name, size=14),))], FONTS)
    assert unicodedata.normalize("NFC", line_text(pdf, 700)) == name
    assert fonts_on_line(pdf, 700) == {font}


@pytest.mark.parametrize(
    ("name", "font"),
    [("محمد علي", "NotoSansArabic-Regular"), ("שרה כהן", "NotoSansHebrew-Regular")],
)
def test_right_to_left_names_are_shaped_and_reversed(name: str, font: str) -> None:
    pdf = draw([PageMarks(*LETTER, (Mark(72, 700, name, size=14),))], FONTS)
    # Read left to right, the page shows the name's letters in reverse order;
    # joined Arabic letters extract as presentation forms, which NFKC undoes.
    assert unicodedata.normalize("NFKC", line_text(pdf, 700)) == name[::-1]
    assert fonts_on_line(pdf, 700) == {font}


def test_arabic_is_joined_not_isolated_letters() -> None:
    pdf = draw([PageMarks(*LETTER, (Mark(72, 700, "محمد", size=14),))], FONTS)
    printed = line_text(pdf, 700)
    # Initial, medial and final forms live in the presentation-form blocks.
    assert all("\ufb50" <= char <= "\ufeff" for char in printed)
    assert "\ufdf4" not in printed  # not the vocalised honorific ligature


def test_mixed_direction_line_follows_the_bidi_algorithm() -> None:
    pdf = draw([PageMarks(*LETTER, (Mark(72, 700, "Name: محمد علي 12 (x)"),))], FONTS)
    printed = unicodedata.normalize("NFKC", line_text(pdf, 700)).replace(" ", "")
    # Latin first, then the Arabic phrase right to left with its number, then "(x)".
    assert printed == "Name:12" + "يلع" + "دمحم" + "(x)"


def test_arabic_digits_keep_their_order() -> None:
    pdf = draw([PageMarks(*LETTER, (Mark(72, 700, "فاطمة ٣٤"),))], FONTS)
    printed = unicodedata.normalize("NFKC", line_text(pdf, 700)).replace(" ", "")
    assert printed == "٣٤" + "فاطمة"[::-1]


def test_bold_uses_the_bold_files_and_cjk_is_thickened() -> None:
    pdf = draw(
        [
            PageMarks(
                *LETTER,
                (Mark(72, 700, "Ana", bold=True), Mark(72, 650, "王小明", bold=True)),
            )
        ],
        FONTS,
    )
    assert fonts_on_line(pdf, 700) == {"NotoSans-Bold"}
    assert fonts_on_line(pdf, 650) == {"NotoSansCJKNames-Regular"}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        operators = pikepdf.parse_content_stream(document.pages[0])
    modes = [int(i.operands[0]) for i in operators if str(i.operator) == "Tr"]
    assert 2 in modes  # fill, then stroke the outline: a faux bold


def test_alignment() -> None:
    marks = (
        Mark(540, 700, "Copy 3 of 30", align="right"),
        Mark(306, 650, "Copy 3 of 30", align="center"),
        Mark(72, 600, "Copy 3 of 30"),
    )
    pdf = draw([PageMarks(*LETTER, marks)], FONTS)
    width = text_width(marks[0], FONTS)
    for y, left in ((700, 540 - width), (650, 306 - width / 2), (600, 72)):
        line = on_baseline(pdf, y)
        assert min(float(c["x0"]) for c in line) == pytest.approx(left, abs=0.5)
        assert max(float(c["x1"]) for c in line) == pytest.approx(left + width, abs=0.5)


def test_one_page_per_page_marks_with_its_size() -> None:
    pages = [
        PageMarks(612, 792, (Mark(10, 10, "one"),)),
        PageMarks(595.28, 841.89, ()),
        PageMarks(419.53, 595.28, (Mark(10, 10, "three"),)),
    ]
    with pdfplumber.open(io.BytesIO(draw(pages, FONTS))) as document:
        sizes = [(round(p.width, 2), round(p.height, 2)) for p in document.pages]
        assert sizes == [(612, 792), (595.28, 841.89), (419.53, 595.28)]
        assert document.pages[1].extract_text() == ""


def test_output_is_reproducible() -> None:
    pages = [PageMarks(*LETTER, (Mark(72, 700, "محمد علي · Nguyễn · 王小明", bold=True),))]
    first = draw(pages, FONTS)
    assert first == draw(pages, FONTS)
    # reportlab's invariant mode writes a fixed date, not the time of the run.
    assert b"/CreationDate (D:20000101000000+00'00')" in first


def test_only_drawn_glyphs_are_embedded() -> None:
    pdf = draw([PageMarks(*LETTER, (Mark(72, 700, "Ana"),))], FONTS)
    assert len(pdf) < 12_000


def test_unsupported_characters() -> None:
    assert unsupported_characters("Ana محمد 王 Дима", FONTS) == ""
    assert unsupported_characters("नमस्ते Ana 😀 नमस्ते", FONTS) == "नमस्ते😀"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_renders_with_poppler(tmp_path: Path) -> None:
    names = ("محمد علي", "Nguyễn Thị Minh Khai", "王小明", "Дмитрий Иванов")
    marks = tuple(Mark(306, 700 - 60 * i, n, size=24, align="center") for i, n in enumerate(names))
    pdf_path = tmp_path / "names.pdf"
    pdf_path.write_bytes(draw([PageMarks(*LETTER, marks)], FONTS))
    result = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(pdf_path), str(tmp_path / "names")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "error" not in result.stderr.lower()
    assert (tmp_path / "names-1.png").stat().st_size > 1000


def test_name_fonts_work_in_weasyprint_too() -> None:
    from weasyprint import HTML

    faces = "".join(
        f"@font-face {{ font-family: {family}; src: url({(FONTS / file).as_uri()}) }}"
        for family, file in (
            ("Names", "NotoSansCJK-Names-Regular.ttf"),
            ("Arabic", "NotoSansArabic-Regular.ttf"),
        )
    )
    html = (
        f"<html lang=zh><style>{faces} body {{ font-family: Names, Arabic }}</style>"
        "<p>王小明 김민준 さくら</p><p lang=ar dir=rtl>محمد علي</p></html>"
    )
    with pdfplumber.open(io.BytesIO(HTML(string=html).write_pdf())) as document:
        page = document.pages[0]
        lines = (page.extract_text() or "").splitlines()
        fonts = {str(c["fontname"]).split("+")[-1] for c in page.chars}
    assert lines[0] == "王小明 김민준 さくら"
    assert unicodedata.normalize("NFKC", lines[1]) == "محمد علي"[::-1]
    assert fonts == {"Names", "Arabic"}


# Fitting a stamp into its blank --------------------------------------------------------

NAME_66 = "María de los Ángeles Guadalupe Fernández-Castillo de la Torre Ruiz"


def drawn(marks: tuple[Mark, ...]) -> list[dict[str, Any]]:
    """The characters of marks as a PDF viewer reads them back."""
    return page_chars(draw([PageMarks(*LETTER, marks)], FONTS))


def test_a_value_that_fits_keeps_its_size() -> None:
    room = Room(100, 316, 700, 716)
    assert fit("Ana Lopez", room, FONTS, size=12, floor=7) == (Mark(100, 700, "Ana Lopez", 12),)


def test_a_long_value_shrinks_then_wraps_inside_its_blank() -> None:
    room = Room(100, 310, 700, 713.7)  # the name blank on a Letter page 1
    marks = fit(NAME_66, room, FONTS, size=12, floor=7)
    assert marks is not None and len(marks) == 2
    assert {m.size for m in marks} == {7}
    assert " ".join(m.text for m in marks) == NAME_66
    assert marks[-1].y == 700 and marks[0].y > marks[-1].y  # the last line on the rule
    chars = drawn(marks)
    assert max(c["x1"] for c in chars) <= 310 and min(c["x0"] for c in chars) >= 100
    widths = [text_width(m, FONTS) for m in marks]
    assert min(widths) > 0.6 * max(widths)  # balanced, not one word left over


def test_what_cannot_fit_is_refused() -> None:
    assert fit("x" * 300, Room(100, 310, 700, 713.7), FONTS, size=12, floor=7) is None
    # One line of room: shrinking is all there is.
    assert fit(NAME_66, Room(100, 310, 700, 705), FONTS, size=12, floor=7) is None


def test_a_word_longer_than_the_blank_breaks_inside_it() -> None:
    marks = fit(
        "Wolfeschlegelsteinhausenbergerdorff", Room(0, 60, 700, 740), FONTS, size=9, floor=7
    )
    assert marks is not None and len(marks) > 1
    assert "".join(m.text for m in marks) == "Wolfeschlegelsteinhausenbergerdorff"
    assert all(text_width(m, FONTS) <= 60 for m in marks)


def test_footer_lines_grow_down_and_stay_centred() -> None:
    room = Room(225, 375, 40, 20, grow="down", align="center")
    text = "Copy 12 of 30 · Ms. Alexandra Montgomery-Fitzgerald"
    marks = fit(text, room, FONTS, size=8.5, floor=7)
    assert marks is not None and marks[0].y == 40 and marks[-1].y < 40
    chars = drawn(marks)
    assert min(c["x0"] for c in chars) >= 225 and max(c["x1"] for c in chars) <= 375


@settings(max_examples=60, deadline=None)
@given(
    st.text(st.sampled_from("abcdefghij ABC-éïøßЖжاب王"), min_size=1, max_size=120).filter(
        str.strip
    ),
    st.floats(30, 300),
    st.floats(8, 40),
)
def test_whatever_fits_is_inside_the_room(text: str, width: float, height: float) -> None:
    room = Room(50, 50 + width, 600, 600 + height)
    marks = fit(text, room, FONTS, size=12, floor=7)
    if marks is None:
        return
    assert all(7 <= m.size <= 12 for m in marks)
    assert all(text_width(m, FONTS) <= width + 0.01 for m in marks)
    top = marks[0].y + marks[0].size * 0.75
    assert top <= 600 + height + 0.01 and marks[-1].y == 600
    assert "".join(m.text for m in marks).replace(" ", "") == unicodedata.normalize(
        "NFC", text
    ).replace(" ", "")
