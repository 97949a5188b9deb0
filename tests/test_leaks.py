"""The answer guard: what counts as a teacher-only sentence, and where in a PDF it is read."""

from __future__ import annotations

import io
from dataclasses import replace

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from reportlab.pdfgen import canvas

from packet.checks.leaks import (
    MIN_WORDS,
    Text,
    _patterns,
    compact,
    pdf_readings,
    sentences,
    teacher_only,
)
from packet.checks.pdfstrings import document_strings
from packet.content.model import Markdown, Packet

SECRET = "Quillfeather signed the treaty at dawn on Tuesday."


def found(sentence: str, *chunks: str, whole: bool = False) -> bool:
    """Whether a secret built from sentence shows in text printed as these chunks."""
    _, printed, _ = _patterns(sentence)
    return Text.of([chunks]).has(printed, whole=whole)


def with_answer(sample: Packet, answer: str, *, number: int = 1, prompt: str = "") -> Packet:
    questions = list(sample.questions)
    q = questions[number - 1]
    questions[number - 1] = replace(
        q,
        answer=Markdown(answer, q.answer.file, q.answer.line),
        prompt=Markdown(prompt, q.prompt.file, q.prompt.line) if prompt else q.prompt,
    )
    return replace(sample, questions=tuple(questions))


# Comparing text ---------------------------------------------------------------------------


def test_only_letters_and_digits_count() -> None:
    assert compact("It’s a\u00a0Test-\ncase, 4–5 km!").letters == "itsatestcase45km\x00"


def test_a_sentence_is_found_however_it_was_broken_into_lines_and_objects() -> None:
    assert found(SECRET, "Quill", "feather signed the trea-", "ty at dawn on TUESDAY")
    assert found(
        SECRET, "quillfeather\u00a0signed\u00a0the\u00a0treaty\u00a0at\u00a0dawn on tuesday"
    )


def test_nothing_matches_across_two_readings() -> None:
    text = Text.of([["Quillfeather signed the"], ["treaty at dawn on Tuesday."]])
    _, printed, _ = _patterns(SECRET)
    assert not text.has(printed, whole=False)


def test_a_short_phrase_matches_whole_words_only() -> None:
    assert found(
        "Turkey, secretly, by April.", "They left Turkey secretly by April 1963", whole=True
    )
    assert not found("In code.", "It came within coded messages", whole=True)
    assert found("In code.", "It came in code", whole=True)
    # A line or object boundary counts as a word boundary: glued words still match.
    assert found("By April.", "They were gone by", "April", whole=True)


def test_scripts_without_spaces_are_compared_by_character() -> None:
    text = compact("苏联同意撤走古巴的导弹")
    assert text.weight() == pytest.approx(5.5)
    assert len(text.bounds) == 11 + 2  # every character is a word of its own
    assert found("古巴的导弹", "苏联同意撤走", "古巴的导弹。", whole=True)
    assert compact("ตุรกีถอนขีปนาวุธ").weight() >= 4  # Thai: marks weigh nothing


def test_a_lines_mark_matches_what_it_prints() -> None:
    sentence = "In [[lines #secret]] Kennedy asks that the deal stay secret."
    for printed in ("lines 40–43", "line 7", "lines 29–39 (adapted: lines 12–15)"):
        assert found(sentence, f"In {printed}, Kennedy asks that the deal stay secret.")
    assert not found(sentence, "In Kennedy asks that the deal stay secret.")


def test_sentences_keep_abbreviations_marks_and_east_asian_stops() -> None:
    text = "The U.S. agreed. R. Kennedy cited [[lines #a]] twice! 苏联同意。撤走导弹？Yes."
    assert sentences(text) == (
        "The U.S. agreed.",
        "R. Kennedy cited [[lines #a]] twice!",
        "苏联同意。",
        "撤走导弹？",
        "Yes.",
    )


# What is protected ----------------------------------------------------------------------


def test_the_sample_protects_every_long_sentence_and_no_short_one(sample: Packet) -> None:
    secrets = teacher_only(sample)
    assert len(secrets) > 100
    assert all(compact(s.sentence).weight() >= MIN_WORDS for s in secrets)


def test_a_short_answer_is_protected_as_a_phrase(sample: Packet) -> None:
    secrets = teacher_only(with_answer(sample, "Turkey, secretly, by April."))
    short = [s for s in secrets if s.whole]
    assert [s.sentence for s in short] == ["Turkey, secretly, by April."]
    assert short[0].where == "the answer to question 1"


def test_a_short_answer_split_into_sentences_is_protected_whole(sample: Packet) -> None:
    secrets = teacher_only(with_answer(sample, "Turkey. Secretly. By April."))
    assert "Turkey. Secretly. By April." in [s.sentence for s in secrets if s.whole]


def test_a_short_answer_the_prompt_or_source_says_is_not_protected(sample: Packet) -> None:
    in_prompt = with_answer(sample, "Kept secret.", prompt="Was the deal kept secret or public?")
    assert not [s for s in teacher_only(in_prompt) if s.whole]
    # "R. Kennedy invited me" is in the cable itself.
    in_source = with_answer(sample, "Kennedy invited me.")
    assert not [s for s in teacher_only(in_source) if s.whole]


def test_one_word_is_never_protected(sample: Packet) -> None:
    assert not [s for s in teacher_only(with_answer(sample, "Yes.")) if s.whole]


def test_a_long_answer_in_chinese_is_protected(sample: Packet) -> None:
    answer = "苏联同意撤走古巴的导弹，美国则秘密撤走土耳其的导弹。"
    assert answer in [s.sentence for s in teacher_only(with_answer(sample, answer))]


def test_a_sentence_quoting_the_source_is_exempt(sample: Packet) -> None:
    quote = "Late tonight R. Kennedy invited me to come see him."
    assert quote not in [s.sentence for s in teacher_only(with_answer(sample, quote))]


# Reading the PDF -------------------------------------------------------------------------


def one_page(draw: str = "") -> bytes:
    """A Letter page with SECRET drawn 300 pt past its right edge."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(612, 792))
    page.drawString(900, 700, draw or SECRET)
    page.save()
    return buffer.getvalue()


def reads(data: bytes, sentence: str = SECRET) -> bool:
    return Text.of(pdf_readings(data)).has(_patterns(sentence)[1], whole=False)


def test_text_drawn_off_the_page_is_read() -> None:
    assert reads(one_page())


def test_every_string_outside_the_pages_is_read() -> None:
    pdf = pikepdf.open(io.BytesIO(one_page("nothing here")))
    page = pdf.pages[0]
    values = {
        "alt": "The alt text says it.",
        "uri": "https://example.org/?q=the+link+target+says+it",
        "field": "The form field says it.",
        "label": "The page label says it.",
        "bookmark": "The bookmark says it.",
        "attachment": "The attached file says it.",
        "xmp": "The metadata says it &amp; more.",
    }
    figure = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Figure, Alt=values["alt"]))
    pdf.Root.StructTreeRoot = Dictionary(Type=Name.StructTreeRoot, K=Array([figure]))
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=[0, 0, 10, 10],
        A=Dictionary(S=Name.URI, URI=String(values["uri"])),
    )
    field = pdf.make_indirect(
        Dictionary(FT=Name.Tx, T=String("answer"), V=String(values["field"]), Rect=[0, 0, 1, 1])
    )
    page.obj.Annots = Array([pdf.make_indirect(link), field])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))
    pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(P=String(values["label"]))]))
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem(values["bookmark"], 0))
    pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, values["attachment"].encode())
    pdf.Root.Metadata = pdf.make_stream(
        f"<x:xmpmeta><dc:title>{values['xmp']}</dc:title></x:xmpmeta>".encode(),
        Type=Name.Metadata,
        Subtype=Name.XML,
    )
    buffer = io.BytesIO()
    pdf.save(buffer, fix_metadata_version=False)
    text = Text.of([[s] for s in document_strings(buffer.getvalue())])
    for value in values.values():
        assert compact(value.replace("&amp;", "&")).letters[:-1] in text.letters, value


def test_actual_text_of_marked_content_is_read() -> None:
    pdf = pikepdf.open(io.BytesIO(one_page("x")))
    page = pdf.pages[0]
    page.contents_add(
        pdf.make_stream(
            b"/Span <</ActualText (" + SECRET.encode() + b")>> BDC "
            b"BT /F1 12 Tf 72 72 Td (y) Tj ET EMC"
        )
    )
    buffer = io.BytesIO()
    pdf.save(buffer)
    assert reads(buffer.getvalue())


def test_artifacts_are_read_apart_from_the_text_they_interrupt() -> None:
    """A sentence cut by a running footer reads whole; the footer reads on its own."""
    pdf = pikepdf.open(io.BytesIO(one_page("x")))
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(
        b"/P <</MCID 0>> BDC BT /F1 12 Tf 72 100 Td (Quillfeather signed the) Tj ET EMC\n"
        b"/Artifact BMC BT /F1 8 Tf 72 40 Td (Page 1 of 2 The Cable) Tj ET EMC\n"
        b"/P <</MCID 1>> BDC BT /F1 12 Tf 72 700 Td (treaty at dawn on Tuesday.) Tj ET EMC\n"
    )
    buffer = io.BytesIO()
    pdf.save(buffer)
    assert reads(buffer.getvalue())
    assert reads(buffer.getvalue(), "Page 1 of 2 The Cable, it says here.") is False
    assert reads(buffer.getvalue(), "Page 1 of 2, The Cable.")


def test_clipped_invisible_and_annotation_text_is_read() -> None:
    pdf = pikepdf.open(io.BytesIO(one_page("x")))
    page = pdf.pages[0]
    page.contents_add(
        pdf.make_stream(
            b"q 0 0 10 10 re W n BT /F1 12 Tf 300 300 Td (Quillfeather signed) Tj ET Q "
            b"BT 3 Tr /F1 12 Tf 72 72 Td (the treaty at dawn) Tj ET"
        )
    )
    appearance = pdf.make_stream(
        b"BT /F1 12 Tf 2 2 Td (on Tuesday.) Tj ET",
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=[0, 0, 300, 20],
        Resources=Dictionary(Font=page.resources.Font),
    )
    note = Dictionary(
        Type=Name.Annot, Subtype=Name.FreeText, Rect=[100, 100, 400, 120], F=4,
        AP=Dictionary(N=appearance), DA=String("/F1 12 Tf"),
    )  # fmt: skip
    page.obj.Annots = Array([pdf.make_indirect(note)])
    buffer = io.BytesIO()
    pdf.save(buffer)
    assert reads(buffer.getvalue())
