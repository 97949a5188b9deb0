"""Tests for assembling class sets: stamped copies, padding, booklets, tags, size."""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest
from pikepdf import Array, Dictionary

from packet.errors import PacketError
from packet.layout.overlay import Mark, PageMarks, draw
from packet.printing.assemble import BLANK_NOTICE, CopyMarks, class_set
from packet.printing.impose import padded_length, saddle_stitch_order

FONTS = Path(__file__).parent.parent / "fonts"
LETTER = (612.0, 792.0)
A5 = (419.53, 595.28)
LOREM = (
    "Fractions name parts of a whole. When we cut a pizza into eight equal slices, each "
    "slice is one eighth of the pizza. Two eighths make one quarter, and four eighths make "
    "one half. Equivalent fractions name the same amount with different numbers. "
)


@functools.cache
def edition(pages: int = 6, size: str = "letter", *, photo: bool = False) -> bytes:
    """Render a tagged PDF/UA lesson with `pages` pages, each saying PAGE-n, with WeasyPrint.

    Each page has a heading, text, a list, a vector figure and a table; with
    `photo` the first page also has a photograph (a 300 x 200 greyscale scan).
    """
    from weasyprint import HTML

    serif = (FONTS / "NotoSerif-Regular.ttf").as_uri()
    italic = (FONTS / "NotoSerif-Italic.ttf").as_uri()
    bold = (FONTS / "NotoSerif-Bold.ttf").as_uri()
    sections = []
    for n in range(1, pages + 1):
        link = '<a href="#part1">Back to part 1</a> or <a href="https://example.org/">the site</a>.'
        rows = "".join(f"<tr><td>{j}/8</td><td>{j / 8:.3f}</td></tr>" for j in range(1, 6))
        items = "".join(
            f"<li>Write {j}/{2 * j} in lowest terms. <em>Show work.</em></li>" for j in range(1, 5)
        )
        bars = "".join(
            f'<rect x="{20 * j}" y="0" width="20" height="30" fill="{"#888" if j < n else "#fff"}" '
            'stroke="#000"/>'
            for j in range(8)
        )
        sections.append(
            f'<section id="part{n}"><h1>Part {n}</h1><p class="marker">PAGE-{n}</p>'
            f"<p>{LOREM * 2} {link}</p><ol>{items}</ol>"
            + (
                f'<img alt="Students measuring the garden" src="{scan()}">'
                if photo and n == 1
                else ""
            )
            + f'<svg role="img" aria-label="{n} of 8 shaded" width="170" height="32">{bars}</svg>'
            f"<table><thead><tr><th>Fraction</th><th>Decimal</th></tr></thead><tbody>{rows}"
            "</tbody></table></section>"
        )
    css = f"""
    @font-face {{ font-family: Serif; src: url({serif}) }}
    @font-face {{ font-family: Serif; font-style: italic; src: url({italic}) }}
    @font-face {{ font-family: Serif; font-weight: bold; src: url({bold}) }}
    @page {{ size: {size}; margin: 0.75in; @bottom-center {{ content: counter(page) }} }}
    body {{ font-family: Serif; font-size: 12pt }}
    section {{ break-after: page }}
    .marker {{ font-size: 20pt }}
    """
    html = (
        f'<html lang="en"><head><title>Fractions, Day 2</title><style>{css}</style></head>'
        f"<body>{''.join(sections)}</body></html>"
    )
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        return bytes(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def scan() -> str:
    """Return a deterministic greyscale "photograph" as a PNG data URL."""
    import base64
    import random

    from PIL import Image

    rng = random.Random(7)
    image = Image.new("L", (300, 200))
    image.putdata(
        [(x + y) // 2 + rng.randrange(-24, 24) % 256 for y in range(200) for x in range(300)]
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def copies(count: int, pages: int, width: float = LETTER[0]) -> list[CopyMarks]:
    """Return marks for `count` students: name at top left, "Copy k of N" at top right."""
    made = []
    for k in range(1, count + 1):
        name = Mark(36, 760, f"Student {k}", size=10, bold=True)
        number = Mark(width - 36, 760, f"Copy {k} of {count}", size=9, align="right")
        made.append(
            CopyMarks(
                title=f"Copy {k} of {count}: Student {k}",
                pages=tuple((name, number) for _ in range(pages)),
                blank=(name,),
            )
        )
    return made


def texts(pdf: bytes) -> list[str]:
    """Return the text of every page."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


def open_pdf(data: bytes) -> pikepdf.Pdf:
    """Open PDF bytes with pikepdf."""
    return pikepdf.Pdf.open(io.BytesIO(data))


def marked_content(
    page: pikepdf.Page,
) -> Iterator[tuple[list[str], pikepdf.ContentStreamInstruction]]:
    """Yield each operator of the page with the stack of marked-content tags around it."""
    stack: list[str] = []
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(instruction.operator)
        if operator in ("BMC", "BDC"):
            properties = instruction.operands[1] if operator == "BDC" else None
            tag = str(instruction.operands[0])
            if isinstance(properties, Dictionary) and "/MCID" in properties:
                tag += f"#{int(properties.MCID)}"
            stack.append(tag)
        elif operator == "EMC":
            stack.pop()
        yield list(stack), instruction
    assert stack == [], "marked content left open at the end of the page"


def mcids(page: pikepdf.Page) -> set[int]:
    """Return the MCIDs of the page's tagged content."""
    found = set()
    for _, instruction in marked_content(page):
        if str(instruction.operator) == "BDC":
            properties = instruction.operands[1]
            if isinstance(properties, Dictionary) and "/MCID" in properties:
                found.add(int(properties.MCID))
    return found


def check_structure(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Check the structure tree resolves both ways; return counts of what was checked."""
    root = pdf.Root.StructTreeRoot
    nums = list(root.ParentTree.Nums)
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert int(root.get("/ParentTreeNextKey", len(tree))) == len(tree)
    pages = {page.obj.objgen for page in pdf.pages}
    owner: dict[tuple[tuple[int, int], int], tuple[int, int]] = {}
    counts = {"elements": 0, "links": 0}

    def kids(elem: Any) -> list[Any]:
        value = elem.get("/K")
        if value is None:
            return []
        return list(value) if isinstance(value, Array) else [value]

    def walk(elem: Any, parent: Any) -> None:
        counts["elements"] += 1
        assert elem.P.objgen == parent.objgen
        page = elem.get("/Pg")
        assert page is None or page.objgen in pages, "a /Pg points outside the page tree"
        for kid in kids(elem):
            if isinstance(kid, int):
                owner[(page.objgen, kid)] = elem.objgen
            elif kid.get("/Type") == "/MCR":
                owner[(kid.get("/Pg", page).objgen, int(kid.MCID))] = elem.objgen
            elif kid.get("/Type") == "/OBJR":
                annot = kid.Obj
                assert tree[int(annot.StructParent)].objgen == elem.objgen
                assert "/P" not in annot or annot.P.objgen in pages
                counts["links"] += 1
            else:
                walk(kid, elem)

    for top in kids(root):
        walk(top, root)
    for page in pdf.pages:
        found = mcids(page)
        if "/StructParents" in page.obj:
            array = tree[int(page.obj.StructParents)]
            assert {i for i, e in enumerate(array) if e is not None} == found
            for mcid in found:
                assert owner[(page.obj.objgen, mcid)] == array[mcid].objgen
        else:
            assert not found, "tagged content on a page without /StructParents"
        for annot in page.obj.get("/Annots", Array()):
            assert "/P" not in annot or annot.P.objgen == page.obj.objgen
            assert "/StructParent" in annot
    return counts


def test_padded_length_and_saddle_stitch_order() -> None:
    assert [padded_length(n, booklet=False) for n in (1, 2, 5, 6)] == [2, 2, 6, 6]
    assert [padded_length(n, booklet=True) for n in (1, 4, 5, 6, 9)] == [4, 4, 8, 8, 12]
    assert saddle_stitch_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert saddle_stitch_order(4) == [(4, 1), (2, 3)]
    with pytest.raises(ValueError, match="multiple of 4"):
        saddle_stitch_order(6)


def test_cover_copies_and_key_are_each_padded_to_whole_sheets() -> None:
    cover = draw([PageMarks(*LETTER, (Mark(72, 700, "COVER SHEET"),))], FONTS)
    key = edition(3)
    pdf = class_set(edition(5), copies(3, 5), fonts_dir=FONTS, cover_pdf=cover, key_pdf=key)
    pages = texts(pdf)
    assert len(pages) == 2 + 3 * 6 + 4
    assert "COVER SHEET" in pages[0]
    assert pages[1] == BLANK_NOTICE
    for k in range(3):
        copy = pages[2 + 6 * k : 8 + 6 * k]
        for n, text in enumerate(copy[:5], start=1):
            assert f"PAGE-{n}" in text
            assert f"Student {k + 1}" in text
            assert f"Copy {k + 1} of 3" in text
        assert f"Student {k + 1}" in copy[5]
        assert BLANK_NOTICE in copy[5]
        assert "PAGE-" not in copy[5]
    assert [("PAGE-1" in t, "PAGE-3" in t) for t in pages[-4:-1]] == [
        (True, False),
        (False, False),
        (False, True),
    ]
    assert pages[-1] == BLANK_NOTICE
    assert "Student" not in "".join(pages[-4:])


def test_even_edition_gets_no_blank_pages() -> None:
    pages = texts(class_set(edition(6), copies(2, 6), fonts_dir=FONTS))
    assert len(pages) == 12
    assert not any(BLANK_NOTICE in text for text in pages)


def test_blank_pages_are_empty_but_for_their_marks() -> None:
    pdf = open_pdf(class_set(edition(5), copies(1, 5), fonts_dir=FONTS))
    blank = pdf.pages[5]
    assert [str(i.operator) for _, i in marked_content(blank)] == [
        "BMC", "q", "cm", "Do", "Q", "EMC",
    ]  # fmt: skip


def test_stamps_are_artifacts_on_every_page() -> None:
    cover = edition(1)
    pdf = open_pdf(class_set(edition(5), copies(2, 5), fonts_dir=FONTS, cover_pdf=cover))
    for page in pdf.pages:
        stamps = [
            stack
            for stack, instruction in marked_content(page)
            if str(instruction.operator) == "Do" and str(instruction.operands[0]) == "/PacketStamp"
        ]
        if page.index == 0:
            assert stamps == []  # the cover's own page is not stamped
        else:
            assert stamps == [["/Artifact"]]


def test_copies_share_the_editions_content_and_resources() -> None:
    pdf = open_pdf(class_set(edition(6), copies(3, 6), fonts_dir=FONTS, tags="every-copy"))
    for n in range(6):
        first, second, third = (pdf.pages[n + 6 * k].obj for k in range(3))
        shared = [stream.objgen for stream in first.Contents][:-1]  # all but the stamp call
        assert [stream.objgen for stream in second.Contents][:-1] == shared
        assert [stream.objgen for stream in third.Contents][:-1] == shared
        assert first.Resources.Font.objgen == third.Resources.Font.objgen
        assert (
            first.Resources.XObject.PacketStamp.objgen
            != second.Resources.XObject.PacketStamp.objgen
        )


@pytest.mark.parametrize("booklet", [False, True])
def test_thirty_copies_stay_under_twice_the_editions_size(booklet: bool) -> None:
    single = edition(6, photo=True)
    pdf = class_set(single, copies(30, 6), fonts_dir=FONTS, booklet=booklet)
    assert len(pdf) < 2 * len(single)


@pytest.mark.parametrize("booklet", [False, True])
def test_each_further_copy_costs_about_a_kilobyte(booklet: bool) -> None:
    # Text only, so nothing large hides what each copy adds.
    single = edition(6)
    two = class_set(single, copies(2, 6), fonts_dir=FONTS, booklet=booklet)
    thirty = class_set(single, copies(30, 6), fonts_dir=FONTS, booklet=booklet)
    assert (len(thirty) - len(two)) / 28 < 1200


def test_every_copy_tagged_grows_by_the_structure_only() -> None:
    single = edition(6)
    ten = class_set(single, copies(10, 6), fonts_dir=FONTS, tags="every-copy")
    thirty = class_set(single, copies(30, 6), fonts_dir=FONTS, tags="every-copy")
    per_copy = (len(thirty) - len(ten)) / 20
    # Far less than a copy of the edition: content, fonts and images are shared.
    assert per_copy < 0.5 * len(single)


def test_same_input_gives_the_same_bytes() -> None:
    args = (edition(5), copies(4, 5))
    key = edition(3)
    assert class_set(*args, fonts_dir=FONTS, key_pdf=key) == class_set(
        *args, fonts_dir=FONTS, key_pdf=key
    )
    assert class_set(*args, fonts_dir=FONTS, booklet=True) == class_set(
        *args, fonts_dir=FONTS, booklet=True
    )


def count_elements(pdf: pikepdf.Pdf) -> tuple[int, int]:
    """Return how many structure elements and link references hang under the root."""
    elements = links = 0
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        value = stack.pop().get("/K")
        for kid in list(value) if isinstance(value, Array) else [value]:
            if isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR":
                links += 1
            elif isinstance(kid, Dictionary) and "/S" in kid:
                elements += 1
                stack.append(kid)
    return elements, links


def test_every_copy_is_tagged_and_the_tree_resolves() -> None:
    pdf = open_pdf(
        class_set(edition(5), copies(3, 5), fonts_dir=FONTS, key_pdf=edition(3), tags="every-copy")
    )
    counts = check_structure(pdf)
    # The edition's root Document becomes one Part per copy, under a new Document.
    elements, links = count_elements(open_pdf(edition(5)))
    key_elements, key_links = count_elements(open_pdf(edition(3)))
    assert counts["elements"] == 1 + 3 * elements + key_elements
    assert counts["links"] == 3 * links + key_links
    document = pdf.Root.StructTreeRoot.K
    assert document.S == "/Document"
    assert [str(part.T) for part in document.K] == [
        "Copy 1 of 3: Student 1",
        "Copy 2 of 3: Student 2",
        "Copy 3 of 3: Student 3",
        "Answer key",
    ]
    assert pdf.check_pdf_syntax() == []


def test_untagged_footer_content_becomes_an_artifact() -> None:
    # WeasyPrint marks the page-number footer with an MCID that no element in
    # its structure tree owns (its issue 1836); the class set repairs that.
    single = open_pdf(edition(5))
    with pytest.raises(KeyError):
        check_structure(single)
    pdf = open_pdf(class_set(edition(5), copies(1, 5), fonts_dir=FONTS))
    check_structure(pdf)
    footer = [
        stack
        for stack, instruction in marked_content(pdf.pages[0])
        if str(instruction.operator) == "Tj" or str(instruction.operator) == "TJ"
    ][-1]
    assert footer == ["/Artifact"]


def test_links_and_names_stay_inside_their_copy() -> None:
    pdf = open_pdf(class_set(edition(5), copies(2, 5), fonts_dir=FONTS, tags="every-copy"))
    names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
    assert sorted(names) == sorted(f"copy{k}/part{n}" for k in (1, 2) for n in range(1, 6))
    page_index = {page.obj.objgen: page.index for page in pdf.pages}
    assert page_index[names["copy1/part3"][0].objgen] == 2
    assert page_index[names["copy2/part3"][0].objgen] == 8
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            if "/Dest" in annot:
                prefix = "copy1/" if page.index < 6 else "copy2/"
                assert str(annot.Dest).startswith(prefix)


def test_first_copy_tagged_the_rest_artifacts() -> None:
    pdf = open_pdf(class_set(edition(5), copies(3, 5), fonts_dir=FONTS))
    check_structure(pdf)
    assert [str(part.T) for part in pdf.Root.StructTreeRoot.K.K] == ["Copy 1 of 3: Student 1"]
    for page in pdf.pages:
        tagged = page.index < 5
        assert ("/StructParents" in page.obj) == tagged
        assert ("/Annots" in page.obj) == tagged
        if not tagged and page.index % 6 != 5:
            # The edition's content is all there, marked as an artifact.
            tags = {tuple(stack) for stack, _ in marked_content(page) if stack}
            assert tags == {("/Artifact",)}
    assert pdf.check_pdf_syntax() == []


def test_document_keeps_language_title_and_metadata() -> None:
    single = open_pdf(edition(5))
    for booklet in (False, True):
        pdf = open_pdf(class_set(edition(5), copies(2, 5), fonts_dir=FONTS, booklet=booklet))
        assert str(pdf.Root.Lang) == "en"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == "Fractions, Day 2"
        if booklet:  # not tagged: the same metadata, but no claim to be PDF/UA-1
            with pdf.open_metadata() as xmp, single.open_metadata() as theirs:
                assert "pdfuaid:part" in theirs and "pdfuaid:part" not in xmp
                assert xmp.get("dc:title") == theirs.get("dc:title")
        else:
            assert pdf.Root.Metadata.read_bytes() == single.Root.Metadata.read_bytes()
        assert pdf.pdf_version == single.pdf_version
        assert bool(pdf.Root.MarkInfo.Marked) is (not booklet)
        assert ("/StructTreeRoot" in pdf.Root) is (not booklet)


def test_outline_has_an_entry_per_copy() -> None:
    pdf = open_pdf(class_set(edition(5), copies(3, 5), fonts_dir=FONTS, key_pdf=edition(3)))
    with pdf.open_outline() as outline:
        top = list(outline.root)
        assert [item.title for item in top] == [
            "Copy 1 of 3: Student 1",
            "Copy 2 of 3: Student 2",
            "Copy 3 of 3: Student 3",
            "Answer key",
        ]
        page_index = {page.obj.objgen: page.index for page in pdf.pages}
        assert [page_index[item.destination[0].objgen] for item in top] == [0, 6, 12, 18]
        assert [child.title for child in top[0].children] == [f"Part {n}" for n in range(1, 6)]
        assert [page_index[c.destination[0].objgen] for c in top[0].children] == [0, 1, 2, 3, 4]


def test_booklet_is_imposed_in_saddle_stitch_order() -> None:
    pdf = class_set(edition(6), copies(2, 6), fonts_dir=FONTS, booklet=True)
    order = saddle_stitch_order(8)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 2 * 4
        for index, page in enumerate(document.pages):
            assert (page.width, page.height) == (1224, 792)
            copy = index // 4 + 1
            words = page.extract_words()
            for half, number in enumerate(order[index % 4]):
                inside = [w for w in words if (w["x0"] >= 612) == bool(half)]
                text = " ".join(w["text"] for w in inside)
                markers = [w["text"] for w in inside if w["text"].startswith("PAGE-")]
                if number <= 6:
                    assert markers == [f"PAGE-{number}"]
                else:
                    assert markers == []
                    assert BLANK_NOTICE in text
                assert f"Student {copy}" in text


def test_booklet_of_a5_pages_is_a_landscape_a4_sheet() -> None:
    small = edition(2, "A5")
    count = len(open_pdf(small).pages)
    with pdfplumber.open(
        io.BytesIO(class_set(small, copies(1, count, A5[0]), fonts_dir=FONTS, booklet=True))
    ) as document:
        assert len(document.pages) == padded_length(count, booklet=True) // 2
        width, height = document.pages[0].width, document.pages[0].height
        assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (297, 210)


def test_booklet_scaled_onto_a_given_sheet() -> None:
    pdf = class_set(
        edition(4), copies(1, 4), fonts_dir=FONTS, booklet=True, booklet_sheet=(792, 612)
    )
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        assert (page.width, page.height) == (792, 612)
        (left,) = [w for w in page.extract_words() if w["text"] == "PAGE-4"]
        (right,) = [w for w in page.extract_words() if w["text"] == "PAGE-1"]
        assert left["x1"] < 396 < right["x0"]
        assert right["x1"] < 792
        assert left["top"] > 0 and left["bottom"] < 612


def test_untagged_edition() -> None:
    plain = draw([PageMarks(*LETTER, (Mark(72, 700, f"PAGE-{n}"),)) for n in range(1, 4)], FONTS)
    pdf = class_set(plain, copies(2, 3), fonts_dir=FONTS)
    assert "/StructTreeRoot" not in open_pdf(pdf).Root
    pages = texts(pdf)
    assert len(pages) == 8
    assert "PAGE-2" in pages[5] and "Copy 2 of 2" in pages[5]


def test_wrong_number_of_page_marks_is_a_bug() -> None:
    with pytest.raises(ValueError, match="marks for 5 pages, edition has 6"):
        class_set(edition(6), copies(1, 5), fonts_dir=FONTS)
    with pytest.raises(ValueError, match="at least one copy"):
        class_set(edition(6), [], fonts_dir=FONTS)


def test_unreadable_answer_key_is_a_user_error() -> None:
    with pytest.raises(PacketError, match="the answer key is not a readable PDF file"):
        class_set(edition(6), copies(1, 6), fonts_dir=FONTS, key_pdf=b"%PDF-1.7 not really")
