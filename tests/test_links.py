"""Links in a packet: web addresses only; no file: address ever reaches a PDF."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from packet.build import render_edition
from packet.cli import main
from packet.content.links import web_address
from packet.content.markup import Context, scan, to_html
from packet.content.model import Markdown, Packet
from packet.errors import Problems
from packet.printing import classset

LOCAL = ("teacher.yaml", "notes/plan.md", "#top", "//example.com/x", "")
WEB = ("https://example.com/a", "http://example.com", "mailto:office@example.org")


def pdf_bytes(data: bytes) -> bytes:
    """The whole PDF with every stream decompressed and no object streams."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(
            out,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
    return out.getvalue()


def link_targets(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            str(annot.A.URI)
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if "/A" in annot and "/URI" in annot.A
        ]


@pytest.mark.parametrize("href", LOCAL)
def test_check_refuses_a_link_that_is_not_a_web_address(href: str) -> None:
    problems = Problems()
    scan(Markdown(f"Intro.\n\nSee [the plan](<{href}>).", Path("essay.md"), 1), problems)
    (problem,) = problems
    assert problem.line == 3
    assert problem.message.startswith(f"link to '{href}' is not a web address"), problem
    assert not web_address(href)


@pytest.mark.parametrize("href", WEB)
def test_web_addresses_stay_links(href: str) -> None:
    problems = Problems()
    scan(Markdown(f"See [the plan]({href}).", Path("essay.md"), 1), problems)
    assert not problems
    assert f'href="{href}"' in to_html(f"[the plan]({href})", Context(cite=str))


def test_a_local_link_prints_its_words_and_a_web_link_its_address() -> None:
    html = to_html(
        "See [the *plan*](plan.md) and [more](https://example.com/a/b).", Context(cite=str)
    )
    assert html == (
        '<p>See the <em>plan</em> and <a href="https://example.com/a/b">more</a>'
        ' <span class="link-address">(<a href="https://example.com/a/b">'
        "https://example.com/<wbr>a/<wbr>b</a>)</span>.</p>\n"
    )


def test_an_address_shown_as_the_words_is_not_repeated() -> None:
    html = to_html(
        "<https://example.com> [office@example.org](mailto:office@example.org)", Context(cite=str)
    )
    assert "link-address" not in html


def with_links(packet: Packet) -> Packet:
    """The sample with local and web links in student and teacher text, unchecked."""
    text = "\n\nRead [the notes](teacher.yaml), [this part](#top) and [the archive](https://example.com/cable)."
    essay = dataclasses.replace(packet.essay, text=packet.essay.text + text)
    question = packet.questions[0]
    key = "\n\nCompare [the key's source](answers.md) with [the cable](https://example.com/cable)."
    answer = dataclasses.replace(question.answer, text=question.answer.text + key)
    questions = (dataclasses.replace(question, answer=answer), *packet.questions[1:])
    return dataclasses.replace(packet, essay=essay, questions=questions)


def test_no_file_address_in_either_edition(sample: Packet) -> None:
    packet = with_links(sample)
    for edition in ("student", "teacher"):
        data = render_edition(packet, edition, "letter").pdf
        assert b"file:" not in pdf_bytes(data), edition
        assert set(link_targets(data)) == {"https://example.com/cable"}, edition


def test_no_file_address_in_a_class_set(
    sample: Packet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(classset, "load_packet", lambda source: with_links(sample))
    result = CliRunner().invoke(
        main, ["class-set", str(tmp_path), "--copies", "2", "--with-key", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    (written,) = tmp_path.rglob("*.pdf")
    data = written.read_bytes()
    assert b"file:" not in pdf_bytes(data)
    assert "https://example.com/cable" in link_targets(data)
