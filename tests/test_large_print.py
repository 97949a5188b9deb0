"""The large-print edition as a low-vision reader (and the teacher who prints it) checks it:
type sizes read from the PDF, definitions after their paragraphs, the same questions as
the student edition and no answers, its own line numbers, its font, its tags."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont

from conftest import SAMPLE, normal, pdf_text
from packet.build import output_name, render_edition
from packet.checks import leaks
from packet.cli import main
from packet.content.markup import Context, plain, to_html
from packet.content.model import Packet
from packet.errors import PacketError
from test_source_pages import LARGE_PRINT, source_lines, texts_by_document

BODY = 18.0  # everything a student reads, at least
SMALLEST = 14.0  # anything at all: running head and foot, line numbers, speaker tags
LINE_GAP = 0.5 * 72  # between writing lines, in points
HEAD, FOOT = 0.8 * 72, 0.75 * 72  # the page margins that hold the running head and foot


def chars(path: Path) -> Iterator[tuple[int, float, dict]]:  # type: ignore[type-arg]
    """Every character drawn, with its page and page height."""
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for char in page.chars:
                if char["text"].strip():
                    yield index, float(page.height), char


def in_head_or_foot(char: dict, height: float) -> bool:  # type: ignore[type-arg]
    return char["bottom"] <= HEAD or char["top"] >= height - FOOT


def test_body_text_is_18_pt_and_nothing_is_under_14(large_print: Path) -> None:
    body: dict[float, int] = {}
    smallest = 99.0
    for _, height, char in chars(large_print):
        if "Packet-Sans" in char["fontname"]:
            continue  # the map's own lettering, drawn by the picture (see the next test)
        size = round(char["size"], 1)
        smallest = min(smallest, size)
        # Line numbers and speaker tags are drawn beside the text in the overlay face.
        if not in_head_or_foot(char, height) and "NotoSans" not in char["fontname"]:
            body[size] = body.get(size, 0) + 1
    assert min(body) >= BODY, sorted(body.items())
    assert sum(body.values()) > 15_000  # the essay, documents, headnotes, questions…
    assert body[BODY] > 0.8 * sum(body.values())  # headings are larger still
    assert max(body) >= 1.5 * BODY
    assert smallest >= SMALLEST


def test_only_a_picture_keeps_its_own_small_lettering(large_print: Path) -> None:
    """Lettering inside a picture is the picture's: it prints at the picture's scale."""
    pages = {index for index, _, char in chars(large_print) if "Packet-Sans" in char["fontname"]}
    texts = [pdfplumber.open(large_print).pages[i].extract_text() for i in sorted(pages)]
    assert len(pages) == 1 and "nauticalmiles" in texts[0]  # the map of Document C


def test_the_font_is_atkinson_hyperlegible(large_print: Path) -> None:
    counts: dict[str, int] = {}
    for _, height, char in chars(large_print):
        if not in_head_or_foot(char, height):
            face = char["fontname"].split("+")[-1]
            counts[face] = counts.get(face, 0) + 1
    large = sum(n for face, n in counts.items() if face.startswith("Packet-Large"))
    assert large > 0.95 * sum(counts.values()), counts
    families = set()
    with pikepdf.open(large_print) as pdf:
        for page in pdf.pages:
            for font in page.resources.get("/Font", {}).values():
                if "Packet-Large" not in str(font.get("/BaseFont")):
                    continue
                for descendant in font.get("/DescendantFonts", [font]):
                    embedded = descendant.FontDescriptor.FontFile2.read_bytes()
                    names = TTFont(io.BytesIO(embedded))["name"]
                    families.add(str(names.getDebugName(1)))
    assert families == {"Atkinson Hyperlegible"}


def test_no_sidebar_each_definition_follows_its_paragraph(
    large_print: Path, sample: Packet
) -> None:
    """A "Words to know" box stands after the paragraph that holds its terms, in the
    text's own column: below the paragraph's last line, before the next paragraph."""
    by_document = texts_by_document(large_print, sample)
    pages = sorted(p for label in ("A", "B") for p in by_document[label])
    lines = source_lines(large_print, pages, LARGE_PRINT)
    defined: list[str] = []
    with pdfplumber.open(large_print) as pdf:
        for index in pages:
            page = pdf.pages[index]
            words = page.extract_words(extra_attrs=["fontname", "size"])
            titles = [
                w
                for i, w in enumerate(words)
                if w["text"] == "Words" and i + 2 < len(words) and words[i + 2]["text"] == "know"
            ]
            for title in titles:
                box = next(
                    r
                    for r in page.rects
                    if r["x0"] < title["x0"] < r["x1"] and r["top"] < title["top"] < r["bottom"]
                )
                above = [ln for ln in lines if (ln.page, ln.baseline) < (index, title["top"])]
                last = above[-1]  # the paragraph's last line, just before the box
                if last.page == index:
                    assert box["top"] > last.baseline, (index, title["top"])
                below = [ln for ln in lines if (ln.page, ln.baseline) > (index, box["bottom"])]
                if below and below[0].page == index:
                    assert below[0].baseline > box["bottom"]
                # The box's terms, in bold at the start of its entries, are the bold words
                # of that paragraph (lines back to the gap before it).
                paragraph = [last]
                for line in reversed(above[:-1]):
                    if (
                        line.page == paragraph[0].page
                        and paragraph[0].baseline - line.baseline > 30
                    ):
                        break
                    paragraph.insert(0, line)
                terms = [
                    w["text"]
                    for w in words
                    if "Bold" in w["fontname"]
                    and box["top"] < w["top"] < box["bottom"]
                    and abs(w["x0"] - title["x0"]) < 1
                    and w["top"] > title["bottom"]
                ]
                assert terms, (index, title["top"])
                text = normal(" ".join(" ".join(ln.words) for ln in paragraph))
                for term in terms:
                    assert normal(term)[:-2] in text, (term, text[:80])
                defined += terms
                # One column: the box is inside the text's column, nothing stands beside it.
                assert box["x0"] >= last.left - 1 - 2
                assert box["x1"] <= page.width - 0.7 * 72 + 1
    # Every term is defined once, in a box, and the text runs the column's whole width.
    assert sorted(normal(t) for t in defined) == sorted(
        normal(t.term.split()[0]) for t in sample.vocabulary
    )
    with pdfplumber.open(large_print) as pdf:
        for index in pages:
            page = pdf.pages[index]
            right = page.width - (0.7 if index % 2 == 0 else 1.0) * 72
            ends = [
                c["x1"]
                for c in page.chars
                if "Packet-Large" in c["fontname"] and not in_head_or_foot(c, page.height)
            ]
            assert max(ends) <= right + 1
            assert max(ends) > right - 30  # the text reaches the right margin


def test_the_box_is_not_a_margin_note(sample: Packet) -> None:
    """In large print a term's definition is a block after its paragraph, never a note
    that layout would place (and the build nudge) beside the text."""
    text = "The essence of a quarantine.\n\nAn ambassador and a reconnaissance flight."

    def html(*, after: bool) -> str:
        ctx = Context(cite=str, terms=sample.vocabulary, mark_terms=True, glosses=True)
        ctx.glosses_after = after
        return to_html(text, ctx)

    beside, after = html(after=False), html(after=True)
    assert 'class="gloss"' in beside and "gloss" not in after
    blocks = re.findall(r"<p>.*?</p>|<div class=\"words-to-know\".*?</div>", after)
    assert [b.startswith("<p>") for b in blocks] == [True, False, True, False]
    assert "<strong" in blocks[0] and "Words to know" in blocks[1]
    assert all(term in blocks[1] for term in ("essence", "quarantine"))
    assert all(term in blocks[3] for term in ("ambassador", "reconnaissance"))


def test_same_questions_as_the_student_edition_and_no_answers(
    built: dict[str, Path], large_print: Path, sample: Packet
) -> None:
    large, student = pdf_text(large_print), pdf_text(built["student-letter"])

    def numbered(text: str) -> list[int]:
        return [int(n) for n in re.findall(r"^(\d{1,2})\. [A-Z]", text, re.M)]

    assert numbered(large) == numbered(student)
    assert numbered(large)[-len(sample.questions) :] == list(range(1, len(sample.questions) + 1))
    text = normal(large)
    for question in sample.questions:
        for piece in re.split(r"\[\[(?:lines [^\]]+|document \w+)\]\]", question.prompt.text):
            assert normal(plain(piece)) in text, f"question {question.number} missing"
    assert "ANSWER" not in large
    leaks.check_student_pdf(large_print.read_bytes(), sample)  # as the build does


def test_the_answer_guard_runs_on_large_print(packet_copy: Path) -> None:
    from packet.build import load_packet

    essay = packet_copy / "essay.md"
    packet = load_packet(packet_copy)
    answer = next(q.answer.text for q in packet.questions if "[[" not in q.answer.text)
    sentence = next(s for s in re.split(r"(?<=\.)\s+", answer) if len(s.split()) >= 6)
    essay.write_text(essay.read_text(encoding="utf-8") + f"\n\n{sentence}\n", encoding="utf-8")
    with pytest.raises(PacketError, match="refused to write the large-print edition"):
        render_edition(load_packet(packet_copy), "large-print", "letter")


def test_writing_lines_are_half_an_inch_apart(
    built: dict[str, Path], large_print: Path, sample: Packet
) -> None:
    """Each writing space has its question's number of lines, each 0.5 in high (0.33 in
    in the student edition)."""
    printed = sorted(sample.questions, key=lambda q: q.number)
    assert sample.task is not None
    expected = [q.lines for q in printed] + [sample.task.lines]
    for path, gap in ((large_print, LINE_GAP), (built["student-letter"], 0.33 * 72)):
        heights = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                heights += [
                    r["height"]
                    for r in sorted(page.rects, key=lambda r: r["top"])
                    if isinstance(r.get("non_stroking_color"), str)  # the ruled pattern
                ]
        assert [round(h / gap, 2) for h in heights] == expected, path.name


def test_it_is_tagged_with_its_language_and_title(large_print: Path) -> None:
    with pikepdf.open(large_print) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        assert str(pdf.Root.Lang) == "en-US"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert str(pdf.docinfo["/Title"]).endswith("(Large print)")
        kinds = set()

        def walk(node: pikepdf.Object) -> None:
            if isinstance(node, pikepdf.Dictionary):
                if "/S" in node:
                    kinds.add(str(node.S))
                if "/K" in node:
                    walk(node.K)
            elif isinstance(node, pikepdf.Array):
                for item in node:
                    walk(item)

        walk(pdf.Root.StructTreeRoot)
        assert {"/H1", "/H2", "/P", "/L", "/LI", "/Figure"} <= kinds


def test_characters_atkinson_lacks_fall_back_to_the_bundled_sans(packet_copy: Path) -> None:
    """Atkinson Hyperlegible covers Latin only: a Cyrillic name, and the invisible break
    points a long address gets, print from Packet Sans instead of failing."""
    from packet.build import load_packet

    essay = packet_copy / "essay.md"
    extra = "\n\nThe Soviet newspaper *Правда* reported it. See https://example.org/" + "a" * 60
    essay.write_text(essay.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    path = packet_copy / "large.pdf"
    path.write_bytes(render_edition(load_packet(packet_copy), "large-print", "letter").pdf)
    faces = {c["text"]: c["fontname"].split("+")[-1] for _, _, c in chars(path)}
    assert faces["П"].startswith("Packet-Sans") and faces["д"].startswith("Packet-Sans")
    assert faces["S"].startswith("Packet-Large")
    assert "правда" in pdf_text(path).casefold()


def test_a_speaker_tag_of_a_whole_name_fits_at_14_pt(packet_copy: Path) -> None:
    """A short name of a word ("Kennedy", not initials) prints at 14 pt in the gutter,
    clear of the line number on its line."""
    from packet.build import load_packet

    source = packet_copy / "source.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("short: RFK,", "short: Kennedy,"),
        encoding="utf-8",
    )
    path = packet_copy / "large.pdf"
    path.write_bytes(render_edition(load_packet(packet_copy), "large-print", "letter").pdf)
    tags = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            words = page.extract_words(extra_attrs=["size", "fontname"])
            for tag in (w for w in words if w["text"] == "Kennedy" and "NotoSans" in w["fontname"]):
                tags += 1
                assert tag["size"] == pytest.approx(SMALLEST) and tag["x0"] >= 0.25 * 72
                for number in words:
                    if number["text"].isdigit() and abs(number["bottom"] - tag["bottom"]) < 2:
                        assert number["x0"] - tag["x1"] >= 4
    assert tags >= 5


def test_build_writes_the_large_print_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(SAMPLE), "--edition", "large-print", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    names = [p.name for p in (tmp_path / "dobrynin-kennedy-1962").iterdir()]
    assert names == ["dobrynin-kennedy-1962-large-print.pdf"]


def test_large_print_names_never_replace_others(sample: Packet) -> None:
    assert output_name(sample, "large-print", paper="a4", version="adapted") == (
        "dobrynin-kennedy-1962-large-print-adapted-a4.pdf"
    )
    assert output_name(sample, "class-set-3", paper="letter", large_print=True) == (
        "dobrynin-kennedy-1962-class-set-3-large-print.pdf"
    )
    assert output_name(sample, "class-set", paper="a4", large_print=True, with_key=True) == (
        "dobrynin-kennedy-1962-class-set-large-print-a4-with-key.pdf"
    )


def test_a_large_print_class_set_is_stamped_at_its_sizes(tmp_path: Path) -> None:
    roster = tmp_path / "period3.csv"
    roster.write_text("Name\nAmara Okafor\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            *("class-set", str(SAMPLE), "--roster", str(roster), "--edition", "large-print"),
            *("-o", str(tmp_path / "out"), "--teacher", "Ms. Rivera"),
        ],
    )
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out" / "dobrynin-kennedy-1962").iterdir()
    assert path.name == "dobrynin-kennedy-1962-class-set-period3-large-print.pdf"
    with pdfplumber.open(path) as pdf:
        assert "LARGE-PRINT CLASS SET" in pdf.pages[0].extract_text()
        first = pdf.pages[2]  # page 1 of the copy, after the cover and its blank back
        sizes = {
            w["text"]: round(w["size"], 1)
            for w in first.extract_words(extra_attrs=["size"])
            if w["text"] in ("Amara", "Copy")
        }
        assert sizes == {"Amara": 18.0, "Copy": 14.0}
        header = [
            w for w in pdf.pages[3].extract_words(extra_attrs=["size"]) if w["text"] == "Amara"
        ]
        assert header and header[0]["size"] == pytest.approx(14.0)


def test_a_large_print_booklet_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            *("class-set", str(SAMPLE), "--copies", "2", "--booklet"),
            *("--edition", "large-print", "-o", str(tmp_path)),
        ],
    )
    assert result.exit_code == 1
    assert "a large-print class set cannot be a booklet" in result.output
    assert not any(tmp_path.iterdir())
