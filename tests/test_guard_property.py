"""Property: an answer sentence put anywhere a student can read is refused, or not there at all.

The text part runs many examples: however a sentence is printed (any script, any
length the rule protects, with a [[lines]] mark, no-break spaces, broken into lines,
text objects and pages, hyphenated, in capitals), the guard finds it. The build part
plants a different answer sentence in every student-visible field of the sample at
once, renders the student edition (a few examples: each is a render), and checks the
finished PDF: every sentence is protected, and any sentence of which a part can be
read in it is caught whole.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from badinput import png
from conftest import SAMPLE
from packet.build import load_packet, render_edition
from packet.checks import leaks
from packet.checks.leaks import MIN_WORDS, SHORT_WORDS, Text, _patterns, compact, pdf_readings
from packet.errors import InvalidInput, PacketError

NBSP = "\u00a0"
SYLLABLES = ("qua", "zil", "mor", "vex", "dru", "pla", "kin", "tor", "sel", "bav", "nup", "rho")
# Characters the bundled CJK font prints.
HAN = "苏联同意撤走古巴的导弹美国则秘密土耳其"
CYRILLIC = "абвгдежзиклмнопрстуфхцчшэюя"

words = st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=3).map("".join)
cyrillic_words = st.text(st.sampled_from(CYRILLIC), min_size=3, max_size=8)


@st.composite
def answer_sentences(draw: st.DrawFn, *, marks: bool = True, long: bool = False) -> str:
    """A sentence an answer might hold: any script, short or long, spaces of any kind."""
    script = draw(st.sampled_from(["latin", "cyrillic", "han"]))
    if script == "han":
        body = draw(st.text(st.sampled_from(HAN), min_size=2 * SHORT_WORDS, max_size=30))
        return body + "。"
    count = draw(st.integers(300, 400) if long else st.integers(SHORT_WORDS, MIN_WORDS + 6))
    chosen = draw(
        st.lists(words if script == "latin" else cyrillic_words, min_size=count, max_size=count)
    )
    if marks and draw(st.booleans()):
        chosen.insert(draw(st.integers(1, len(chosen))), "[[lines #secret]]")
    space = draw(st.sampled_from([" ", NBSP]))
    return space.join(chosen).capitalize() + "."


@st.composite
def printings(draw: st.DrawFn, sentence: str) -> list[str]:
    """The sentence as a PDF might hold it: cut into pieces, hyphenated, spaced, cased."""
    cite = draw(st.sampled_from(["lines 14–19", "line 3", "lines 29–39 (adapted: lines 12–15)"]))
    text = sentence.replace("[[lines #secret]]", cite)
    text = text.replace(NBSP, draw(st.sampled_from([" ", NBSP, "\n"])))
    if draw(st.booleans()):
        text = text.upper()
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=6)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    hyphen = draw(st.sampled_from(["", "-", "\u00ad"]))
    return [p + hyphen if i < len(pieces) - 1 else p for i, p in enumerate(pieces)]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_sentence_is_found_however_it_is_printed(data: st.DataObject) -> None:
    sentence = data.draw(answer_sentences())
    key, printed, _ = _patterns(sentence)
    assert key.weight() >= SHORT_WORDS
    pieces = data.draw(printings(sentence))
    before = data.draw(st.sampled_from(["", "They said ", "Page 2 of 8"]))
    text = Text.of([["Name", before, *pieces, "and more."], ["The Dobrynin Cable"]])
    # A short phrase is matched whole: the text around it is separated by a space or a line.
    assert text.has(printed, whole=key.weight() < MIN_WORDS)


# The build ----------------------------------------------------------------------------------

# Where each field lives: (file, how to change it). Sentences in the prompt field are
# answers to question 1, not 2, so the prompt is not their own question's.
FIELDS = (
    "essay",
    "essay-long",
    "alt-text",
    "link-text",
    "link-target",
    "packet-title",
    "subtitle",
    "central-question",
    "short-title",
    "unit",
    "document-title",
    "headnote",
    "translation",
    "author-role",
    "archive",
    "recipient",
    "prompt",
    "definition",
    "adapted-note",
    "map-alt",
    "map-caption",
    "map-credit",
    "publication",
    "supporting-question",
    "task-prompt",
)
NOT_PRINTED = {"adapted-note"}  # the default student edition prints the original text only
MARKS_ALLOWED = {"prompt"}
PACKET_KEYS = {
    "packet-title": "title",
    "subtitle": "subtitle",
    "central-question": "compelling_question",
    "short-title": "short_title",
    "unit": "unit",
}
SOURCE_KEYS = {
    "document-title": "title",
    "headnote": "headnote",
    "translation": "translation",
    "author-role": "creator_role",
    "archive": "archive",
    "recipient": "recipient",
}
MAP_KEYS = {"map-alt": "alt", "map-caption": "caption", "map-credit": "credit"}


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def plant(folder: Path, planted: dict[str, str]) -> None:
    """Write the sample with each field's sentence in it and in an answer."""
    shutil.copytree(SAMPLE, folder, dirs_exist_ok=True)
    (folder / "x.png").write_bytes(png(4, 4))
    meta = yaml.safe_load((folder / "packet.yaml").read_text(encoding="utf-8"))
    source, source_body = _front_matter(folder / "source.md")
    adapted, adapted_body = _front_matter(folder / "adapted.md")
    picture, picture_body = _front_matter(folder / "map.md")
    address, address_body = _front_matter(folder / "address.md")
    questions = yaml.safe_load((folder / "questions.yaml").read_text(encoding="utf-8"))
    vocabulary = yaml.safe_load((folder / "vocabulary.yaml").read_text(encoding="utf-8"))
    essay = (folder / "essay.md").read_text(encoding="utf-8")
    for index, (field, sentence) in enumerate(planted.items()):
        if field in PACKET_KEYS:
            meta[PACKET_KEYS[field]] = sentence
        elif field in SOURCE_KEYS:
            source[SOURCE_KEYS[field]] = sentence
        elif field in ("essay", "essay-long"):
            essay += f"\n\n{sentence}\n"
        elif field == "alt-text":
            essay += f"\n\n![{sentence}](x.png)\n"
        elif field == "link-text":
            essay += f"\n\nRead [{sentence}](https://example.org/more).\n"
        elif field == "link-target":
            query = sentence.replace(" ", "+").replace(NBSP, "+")
            essay += f"\n\nRead [more](https://example.org/notes?q={query}).\n"
        elif field == "prompt":
            questions[1]["prompt"] = f"{sentence} {questions[1]['prompt']}"
        elif field == "definition":
            vocabulary[0]["definition"] = sentence
        elif field == "adapted-note":
            adapted["note"] = sentence
        elif field in MAP_KEYS:
            picture[MAP_KEYS[field]] = sentence
        elif field == "publication":
            address["publication"] = sentence
        elif field == "supporting-question":
            meta["supporting_questions"][0]["question"] = sentence
        elif field == "task-prompt":
            meta["task"]["prompt"] = f"{sentence}\n\n{meta['task']['prompt']}"
        number = 0 if field == "prompt" else index % len(questions)
        questions[number]["answer"] = f"{questions[number]['answer'].rstrip()} {sentence}\n"
    (folder / "packet.yaml").write_text(_dump(meta), encoding="utf-8")
    (folder / "source.md").write_text(f"---\n{_dump(source)}---\n{source_body}", "utf-8")
    (folder / "adapted.md").write_text(f"---\n{_dump(adapted)}---\n{adapted_body}", "utf-8")
    (folder / "map.md").write_text(f"---\n{_dump(picture)}---\n{picture_body}", "utf-8")
    (folder / "address.md").write_text(f"---\n{_dump(address)}---\n{address_body}", "utf-8")
    (folder / "questions.yaml").write_text(_dump(questions), encoding="utf-8")
    (folder / "vocabulary.yaml").write_text(_dump(vocabulary), encoding="utf-8")
    (folder / "essay.md").write_text(essay, encoding="utf-8")


@st.composite
def plantings(draw: st.DrawFn) -> dict[str, str]:
    """A different answer sentence for every field, each starting with a word of its own."""
    planted = {}
    for index, field in enumerate(FIELDS):
        sentence = draw(answer_sentences(marks=field in MARKS_ALLOWED, long=field == "essay-long"))
        # A word no other field has, so each sentence is told apart from the others.
        planted[field] = f"Xen{chr(ord('a') + index)}o {sentence}"
    return planted


@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # each example is a render: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(planted=plantings())
def test_answers_in_every_student_field_are_refused_or_absent(
    planted: dict[str, str], tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any
) -> None:
    folder = tmp_path_factory.mktemp("planted") / "lesson"
    plant(folder, planted)
    seen: dict[str, Any] = {}
    check = leaks.check_student_pdf

    def reading(data: bytes, packet: Any, **options: Any) -> None:
        seen.update(pdf=data, packet=packet)
        check(data, packet, **options)

    monkeypatch.setattr(leaks, "check_student_pdf", reading)
    try:
        render_edition(load_packet(folder), "student", "letter")
    except InvalidInput as error:  # a field refused before anything was printed
        pytest.fail(error.format_message())
    except PacketError as error:
        assert "refused to write the student edition" in error.format_message()
        event("refused")
    text = Text.of(pdf_readings(seen["pdf"]))
    secrets = {" ".join(s.sentence.split()): s for s in leaks.teacher_only(seen["packet"])}
    for field, sentence in planted.items():
        secret = secrets.get(" ".join(sentence.split()))
        assert secret is not None, f"{field}: {sentence!r} is not protected"
        if field in NOT_PRINTED:
            tag = re.compile(compact(sentence.split()[0]).letters.rstrip("\x00"))
            assert not text.has(tag, whole=True), f"{field}: part of {sentence!r} is readable"
        else:
            assert secret.shown_in(text), f"{field}: {sentence!r} is printed but not caught"
