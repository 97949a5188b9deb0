"""An inquiry's documents as a teacher checks them on the printed pages."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from conftest import document_pages, normal, page_texts, pdf_text, structure_elements
from packet.build import load_packet, render_edition
from packet.content.markup import plain
from packet.content.model import Packet


def test_the_sample_is_an_inquiry_of_three_documents_of_different_kinds(sample: Packet) -> None:
    assert [d.label for d in sample.documents] == ["A", "B", "C"]
    assert {d.kind for d in sample.documents} >= {"telegram", "speech", "map"}
    assert sample.document("C").image is not None
    assert sample.supporting_questions and sample.task is not None
    placed = {q.document for q in sample.questions}
    assert placed == {"A", "B", "C", ""}  # questions after each document, and across them
    assert [q.number for q in sample.questions] == list(range(1, len(sample.questions) + 1))


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_every_document_prints_its_label_headnote_facts_and_citation(
    built: dict[str, Path], sample: Packet, edition: str
) -> None:
    path = built[f"{edition}-letter"]
    pages = document_pages(path, [d.label for d in sample.documents])
    texts = page_texts(path)
    for document in sample.documents:
        own = normal(" ".join(texts[i] for i in pages[document.label]))
        assert normal(f"Document {document.label}: {document.title}") in own
        assert normal(plain(document.headnote))[:120] in own
        assert normal(document.date.text) in own
        for creator in document.creators:
            assert normal(creator) in own
        assert normal(plain(document.citation))[:100] in own, document.label
        if document.kind:
            assert normal(f"type {document.kind}") in own


def test_questions_print_after_their_document_and_across_documents_after_all(
    built: dict[str, Path], sample: Packet
) -> None:
    path = built["student-letter"]
    pages = document_pages(path, [d.label for d in sample.documents])
    texts = page_texts(path)
    for question in sample.questions:
        # The prompt's longest stretch without a citation mark (which prints numbers).
        pieces = re.split(r"\[\[[^\]]*\]\]", question.prompt.text)
        start = normal(plain(max(pieces, key=len)))[:50]
        found = [i for i, text in enumerate(texts) if start in normal(text)]
        assert found, question.number
        page = found[-1]  # an earlier page may quote the same words (the essay)
        assert re.search(rf"^{question.number}\. ", texts[page], re.M), question.number
        if question.document:
            assert page in pages[question.document], question.number
        else:
            assert page > max(pages[sample.documents[-1].label]), question.number
    whole = normal(pdf_text(path))
    assert "questions on document b" in whole and "questions across the documents" in whole


def test_the_map_carries_its_alt_text_in_the_structure_tree_and_fits_its_page(
    built: dict[str, Path], sample: Packet
) -> None:
    figure = sample.document("C").image
    assert figure is not None and figure.alt
    for paper in ("letter", "a4"):
        path = built[f"student-{paper}"]
        with pikepdf.open(path) as pdf:
            figures = [
                e
                for e in structure_elements(pdf.Root.StructTreeRoot)
                if e.get("/S") == "/Figure" and str(e.get("/Alt", "")) == figure.alt
            ]
            assert len(figures) == 1, paper
            page = next(i for i, p in enumerate(pdf.pages) if p.objgen == figures[0].Pg.objgen)
            mcids = _mcids(figures[0].K)
        labels = [d.label for d in sample.documents]
        assert page == document_pages(path, labels)["C"][0], paper
        # What the figure's marked content draws lies within the page's margins, and is big.
        x0, y0, x1, y1, width, height = _drawn(path, page, mcids)
        assert x1 - x0 > 5 * 72 and y1 - y0 > 4 * 72, paper
        assert x0 > 0.5 * 72 and x1 < width - 0.5 * 72, paper
        assert y0 > 0.5 * 72 and y1 < height - 0.5 * 72, paper


def _mcids(kids: pikepdf.Object) -> set[int]:
    if isinstance(kids, int):
        return {int(kids)}
    if isinstance(kids, pikepdf.Array):
        return set().union(*(_mcids(k) for k in kids))
    if isinstance(kids, pikepdf.Dictionary) and "/MCID" in kids:
        return {int(kids.MCID)}
    return set()


def _drawn(path: Path, index: int, mcids: set[int]) -> tuple[float, ...]:
    """The bounds of what a page draws under the given marked-content ids."""
    import pypdfium2
    import pypdfium2.raw as pdfium

    document = pypdfium2.PdfDocument(path)
    try:
        page = document[index]
        width, height = page.get_size()
        bounds = [
            obj.get_bounds()
            for obj in page.get_objects(max_depth=1)
            if pdfium.FPDFPageObj_GetMarkedContentID(obj.raw) in mcids
        ]
    finally:
        document.close()
    assert bounds
    return (
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
        width,
        height,
    )


def test_the_teacher_edition_opens_with_a_one_page_overview(
    built: dict[str, Path], sample: Packet
) -> None:
    texts = page_texts(built["teacher-letter"])
    first = normal(texts[0])
    assert "the inquiry at a glance" in first
    assert normal(sample.meta.central_question) in first
    for document in sample.documents:  # in a table cell, the title wraps among others
        assert " ".join(normal(document.title).split()[:3]) in first
    for question in sample.supporting_questions:
        assert normal(plain(question.question))[:40] in first
    assert "timing" in first
    assert "name" not in normal(texts[0]).split()[:5]  # the student page starts after it
    assert normal(texts[1]).startswith("name") or "name" in normal(texts[1])[:40]
    student = normal(pdf_text(built["student-letter"]))
    assert "the inquiry at a glance" not in student


def test_teacher_only_parts_of_the_inquiry_stay_out_of_the_student_edition(
    built: dict[str, Path], sample: Packet
) -> None:
    student = normal(pdf_text(built["student-letter"]))
    teacher = normal(pdf_text(built["teacher-letter"]))
    assert sample.task is not None
    for level in sample.task.scoring:
        said = normal(plain(level))[:60]
        assert said in teacher and said not in student
    figure = sample.document("C").image
    assert figure is not None and figure.description is not None
    described = normal(plain(figure.description))[:60]
    assert described in teacher and described not in student
    for document in sample.documents:
        if document.purpose:
            purpose = normal(plain(document.purpose))[:60]
            assert purpose not in student
    for question in sample.questions:
        assert normal(plain(question.answer))[:60] not in student


ONE_DOCUMENT = Path(__file__).parent / "packets" / "one-document"


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_a_packet_in_the_older_one_document_format_still_builds(
    tmp_path: Path, edition: str
) -> None:
    """The sample as it was before documents could be listed: no documents list, source.md
    (with author:, author_role:, no kind) and adapted.md; questions belong to no document."""
    packet = load_packet(ONE_DOCUMENT)
    assert [d.label for d in packet.documents] == ["A"]
    assert packet.documents[0].adapted is not None
    assert not packet.inquiry
    path = tmp_path / f"{edition}.pdf"
    path.write_bytes(render_edition(packet, edition, "letter").pdf)  # type: ignore[arg-type]
    texts = page_texts(path)
    text = normal(" ".join(texts))
    assert "document a cable from ambassador dobrynin" in text
    assert "author anatoly f dobrynin soviet ambassador" in text
    assert "central question" in text and "compelling question" not in text
    assert "questions across the documents" not in text and "questions on document" not in text
    assert "inquiry at a glance" not in text
    # Without a key of the author's, the speaker key names the speaker plainly.
    assert "robert kennedy's words no mark dobrynin's own account" in text
    assert len(texts) == (8 if edition == "student" else 12)  # as before: same pages


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_markdown_in_every_field_prints_as_formatting(built: dict[str, Path], edition: str) -> None:
    """A title in *italics* in any field (publication, caption, task…) prints no asterisks."""
    text = pdf_text(built[f"{edition}-letter"])
    assert "*" not in text
    assert "_" not in re.sub("_{3,}", "", text)  # "___" is a blank in a sentence frame


def test_a_page_number_means_the_same_page_in_both_editions(built: dict[str, Path]) -> None:
    """The overview is not counted: "turn to page 3" finds Document A's text in both."""

    def numbered(path: Path) -> dict[int, str]:
        pages = {}
        for text in page_texts(path):
            found = re.search(r"Page (\d+)(?: of \d+)?\s*$", text.strip())
            if found:  # the page's words, without the edition's name and the page total
                body = normal(text).replace("teacher edition", "")
                pages[int(found.group(1))] = " ".join(re.sub(r"of \d+$", "", body).split())
        return pages

    student, teacher = numbered(built["student-letter"]), numbered(built["teacher-letter"])
    assert "before page 1 the inquiry at a glance" in normal(page_texts(built["teacher-letter"])[0])
    shared = 0
    for number, text in student.items():
        if "questions on document" in text:
            break  # answers fill the writing space from here on, in the teacher's copy
        # The same words, but for the speaker tags: "RFK" to students, the full name here.
        words, theirs = set(text.split()), set(teacher[number].split())
        assert words - theirs <= {"rfk"} and theirs - words <= {"robert", "kennedy"}, number
        shared += 1
    assert shared >= 3


def test_a_picture_inside_a_numbered_text_is_not_a_line(tmp_path: Path) -> None:
    """A figure between two paragraphs of a document takes no line number, and the
    numbers of the lines after it are those they had without it."""
    import shutil

    from conftest import SAMPLE
    from packet.layout.pdf import Layout

    def lines_of(folder: Path) -> tuple[Layout, Packet]:
        packet = load_packet(folder)
        return render_edition(packet, "student", "letter").layout, packet

    plain_layout, _ = lines_of(SAMPLE)
    folder = tmp_path / "lesson"
    shutil.copytree(SAMPLE, folder)
    shutil.copy(folder / "missile-range-map.svg", folder / "inset.svg")
    address = folder / "address.md"
    text = address.read_text(encoding="utf-8")
    first_break = text.index("\n\n", text.index("\n---\n") + 5)
    figure = (
        '\n\n![A small map of Cuba](inset.svg "The missile sites"){width=50% credit="Made here"}'
    )
    address.write_text(text[:first_break] + figure + text[first_break:], encoding="utf-8")
    with_figure, packet = lines_of(folder)
    before = [
        (line.number, line.anchors) for line in plain_layout.lines if line.text == "B.original"
    ]
    after = [(line.number, line.anchors) for line in with_figure.lines if line.text == "B.original"]
    assert after == before  # same lines, same numbers, same passages on them
    data = render_edition(packet, "student", "letter").pdf
    (tmp_path / "figure.pdf").write_bytes(data)
    text = normal(pdf_text(tmp_path / "figure.pdf"))
    assert "a small map of cuba" not in text  # alt text is no page text…
    assert "made here" in text  # …but the caption and credit are
