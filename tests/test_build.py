"""What a reader checks on the built sample: text, pages, fonts and metadata."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from conftest import SHARED, normal, page_texts, pdf_text, words
from packet.content.markup import plain
from packet.content.model import Packet

SOURCE_SIZE = 11.5  # the source text's point size (templates/packet.css)


def sentences(text: str) -> list[str]:
    """Sentences long enough that finding one in a PDF cannot be chance."""
    parts = re.split(r"(?<=[.!?])\s+", plain(text))
    return [p for p in (normal(s) for s in parts) if len(p.split()) >= 5]


def source_words(path: Path) -> str:
    return normal(" ".join(w["text"] for w in words(path, font="Serif", size=SOURCE_SIZE)))


def test_student_edition_has_the_whole_cable(built: dict[str, Path], sample: Packet) -> None:
    expected = normal(plain(sample.documents[0].original.body))
    assert len(expected.split()) > 600
    assert expected in source_words(built["student-letter"])


def test_packet_reproduces_the_received_cable_word_for_word(sample: Packet) -> None:
    received = SHARED / "sources" / "dobrynin-kennedy-1962-10-27.txt"
    if not received.exists():
        pytest.skip("../shared is not beside this checkout")
    text = received.read_text(encoding="utf-8")
    cable = text[text.index("Late tonight R. Kennedy") :]
    cable = cable.replace("''", '"').replace(". . .", " ").replace("…", " ")
    ours = plain(sample.documents[0].original.body).replace("[…]", " ")
    assert normal(ours) == normal(cable)


def test_student_edition_has_every_question_and_term(
    built: dict[str, Path], sample: Packet
) -> None:
    text = normal(pdf_text(built["student-letter"]))
    for question in sample.questions:
        for piece in re.split(r"\[\[(?:lines [^\]]+|document \w+)\]\]", question.prompt.text):
            assert normal(plain(piece)) in text, f"question {question.number} missing"
    sidebar = normal(
        " ".join(w["text"] for w in words(built["student-letter"], font="Sans", size=8.5))
    )
    for term in sample.vocabulary:
        assert normal(term.term) in text
        assert normal(f"{term.term} {term.part_of_speech} {term.definition}") in sidebar


def test_student_edition_contains_no_answer(built: dict[str, Path], sample: Packet) -> None:
    text = normal(pdf_text(built["student-letter"]))
    teacher_only = [q.answer.text for q in sample.questions]
    notes = sample.teacher
    teacher_only += [notes.overview.text, *(m.text for m in notes.strategy_steps)]
    teacher_only += [m.text for m in (*notes.notes, *notes.english_learners)]
    teacher_only += [s.text.text for s in notes.substitute_plan.steps]
    checked = 0
    for block in teacher_only:
        for sentence in sentences(block):
            checked += 1
            assert sentence not in text, f"teacher-only sentence in student edition: {sentence}"
    assert checked > 30
    assert "ANSWER" not in pdf_text(built["student-letter"])  # the key's label


def test_teacher_edition_contains_every_answer(built: dict[str, Path], sample: Packet) -> None:
    text = normal(pdf_text(built["teacher-letter"]))
    for question in sample.questions:
        for sentence in sentences(re.sub(r"\[\[lines #[\w-]+\]\]", "lines", question.answer.text)):
            assert sentence in text, f"answer {question.number} missing: {sentence}"
    for heading in ("teacher notes", "substitute plan", "what to collect"):
        assert heading in text


def test_every_teacher_page_is_marked(built: dict[str, Path]) -> None:
    pages = page_texts(built["teacher-letter"])
    assert all("TEACHER EDITION" in page for page in pages)
    assert not any("TEACHER EDITION" in page for page in page_texts(built["student-letter"]))


def test_editions_page_the_same_up_to_the_questions(built: dict[str, Path]) -> None:
    student = page_texts(built["student-letter"])
    teacher = page_texts(built["teacher-letter"])
    # An inquiry's teacher edition opens with an overview page of its own, before page 1.
    assert "the inquiry at a glance" in normal(teacher[0])
    teacher = teacher[1:]
    first_questions = next(
        i for i, page in enumerate(student) if page.find("Questions") != -1 and "SOURCING" in page
    )
    assert first_questions >= 2
    for index in range(first_questions):
        # Same words on the same page, apart from the header and the page total.
        s = {w for w in normal(student[index]).split() if not w.isdigit()}
        t = {w for w in normal(teacher[index]).split() if not w.isdigit()}
        assert t - s <= {"teacher", "edition", "robert", "kennedy"}, index


@pytest.mark.parametrize(("paper", "size"), [("letter", (612, 792)), ("a4", (595.28, 841.89))])
def test_page_size(built: dict[str, Path], paper: str, size: tuple[float, float]) -> None:
    with pikepdf.open(built[f"student-{paper}"]) as pdf:
        for page in pdf.pages:
            box = [float(v) for v in page.mediabox]
            assert box[2] - box[0] == pytest.approx(size[0], abs=0.5)
            assert box[3] - box[1] == pytest.approx(size[1], abs=0.5)


def embedded_fonts(path: Path) -> set[str]:
    names = set()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.resources.get("/Font", {}).values():
                names.add(str(font.get("/BaseFont")))
            for xobject in page.resources.get("/XObject", {}).values():
                for font in xobject.get("/Resources", {}).get("/Font", {}).values():
                    names.add(str(font.get("/BaseFont")))
    return names


def bundled_font_names() -> set[str]:
    from fontTools.ttLib import TTFont

    from packet.resources import fonts_dir

    names = set()
    for path in fonts_dir().glob("*.ttf"):
        font = TTFont(path, lazy=True)
        names.add(font["name"].getDebugName(6))  # PostScript name
        names.add(f"{font['name'].getDebugName(1)}")
    return names


def test_only_bundled_fonts_are_embedded(built: dict[str, Path]) -> None:
    for path in built.values():
        fonts = embedded_fonts(path)
        assert fonts
        for name in fonts:
            base = name.lstrip("/").split("+", 1)[-1]
            # WeasyPrint names subsets after the @font-face family ("Packet-Serif-Bold").
            assert base.startswith(("Packet-Serif", "Packet-Sans", "NotoSans")), base
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                for font in page.resources.get("/Font", {}).values():
                    descendant = font.get("/DescendantFonts", [font])[0]
                    descriptor = descendant.get("/FontDescriptor")
                    assert descriptor is not None and any(
                        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                    ), f"{name} is not embedded"


def test_metadata(built: dict[str, Path], sample: Packet) -> None:
    with pikepdf.open(built["student-letter"]) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == sample.meta.title
        assert str(info["/Author"]) == ", ".join(sample.meta.authors)
        assert str(pdf.Root.Lang) == sample.meta.language
        assert pdf.Root.MarkInfo.Marked
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    with pikepdf.open(built["teacher-letter"]) as pdf:
        assert "Teacher edition" in str(pdf.docinfo["/Title"])


def test_student_edition_has_name_line_and_page_numbers(built: dict[str, Path]) -> None:
    pages = page_texts(built["student-letter"])
    assert re.search(r"Name\s+Date\s+Period", pages[0])
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert all("Name" in page for page in pages[1:])


def test_substitute_plan_fits_on_one_page(built: dict[str, Path]) -> None:
    for paper in ("letter", "a4"):
        pages = page_texts(built[f"teacher-{paper}"])
        starts = [i for i, page in enumerate(pages) if "Substitute plan" in page]
        assert starts == [len(pages) - 1], paper  # it begins on the last page, so it is one page
        last = normal(pages[-1])
        for part in ("before class", "materials", "what to collect", "the answer key"):
            assert part in last


def test_all_content_is_tagged_or_an_artifact(built: dict[str, Path]) -> None:
    """PDF/UA: every marked-content ID belongs to the structure tree; running headers,
    footers and margin marks are artifacts (WeasyPrint leaves headers orphaned)."""
    with pikepdf.open(built["student-letter"]) as pdf:
        owned: dict[tuple[int, int], set[int]] = {}

        def collect(elem: pikepdf.Object, page: pikepdf.Object | None) -> None:
            page = elem.get("/Pg", page)
            kids = elem.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, int) and page is not None:
                    owned.setdefault(page.objgen, set()).add(kid)
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    collect(kid, page)

        collect(pdf.Root.StructTreeRoot, None)
        for page in pdf.pages:
            stack: list[str] = []
            texts_in_artifacts = 0
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "BDC":
                    stack.append(str(operands[0]))
                    if "/MCID" in operands[1]:
                        assert int(operands[1].MCID) in owned.get(page.obj.objgen, set())
                elif op == "BMC":
                    stack.append(str(operands[0]))
                elif op == "EMC":
                    stack.pop()
                elif op in ("Tj", "TJ"):
                    assert stack, "text outside any marked content"
                    texts_in_artifacts += stack[0] == "/Artifact"
            assert texts_in_artifacts >= 2  # at least the footer's title and page number


def test_file_names_say_which_variant_a_file_is(sample: Packet) -> None:
    from packet.build import output_name

    own = sample.meta.paper
    other = "a4" if own == "letter" else "letter"
    slug = sample.slug
    assert output_name(sample, "student", paper=own) == f"{slug}-student.pdf"
    assert output_name(sample, "teacher", paper=other, version="adapted") == (
        f"{slug}-teacher-adapted-{other}.pdf"
    )
    assert output_name(sample, "student", paper=own, version="both") == f"{slug}-student-both.pdf"
    assert (
        output_name(sample, "class-set-3", paper=other, booklet=True, with_key=True)
        == f"{slug}-class-set-3-booklet-{other}-with-key.pdf"
    )
