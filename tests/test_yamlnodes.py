"""YAML tags: only plain values (and '!!str'); where block text starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from packet.content.fields import Fields
from packet.content.yamlnodes import Node, parse
from packet.errors import Problems

FILE = Path("packet.yaml")


def read(text: str) -> tuple[Node | None, list[str]]:
    problems = Problems()
    node = parse(text, FILE, problems)
    return node, [str(p) for p in problems]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("license: !!binary aGVsbG8=\n", "!!binary"),
        ("lines: !!int 5\n", "!!int"),
        ("ratio: !!float 0.5\n", "!!float"),
        ("done: !!bool yes\n", "!!bool"),
        ("date: !!timestamp 2026-11-01\n", "!!timestamp"),
        ("unit: !!null ''\n", "!!null"),
        ("license: !custom CC BY\n", "!custom"),
        ("license: ! CC BY\n", "!"),
        ("authors: !!set {a, b}\n", "!!set"),
        ("authors: !!omap [a: 1]\n", "!!omap"),
        ("authors: !!seq [a]\n", "!!seq"),
        ("strategy: !!map {name: x}\n", "!!map"),
        ("authors: !!str [a]\n", "!!str"),  # text, but written as a list
        ("x: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system"),
        ("? !!binary aGVsbG8=\n: x\n", "!!binary"),
    ],
)
def test_every_written_tag_is_refused(text: str, tag: str) -> None:
    _, problems = read(text)
    assert len(problems) == 1, problems
    assert "packet.yaml:1: " in problems[0]
    assert f"'{tag}' is a YAML tag that packet cannot read" in problems[0]
    assert "fix: delete the tag" in problems[0]


def test_binary_never_becomes_bytes() -> None:
    node, _ = read("license: !!binary aGVsbG8=\n")
    assert node is not None
    assert node.value["license"].value == "aGVsbG8="


def test_str_is_allowed_and_means_text() -> None:
    node, problems = read("grade_band: !!str 9-12\nclass_minutes: !!str 50\n")
    assert problems == []
    assert node is not None
    assert node.value["grade_band"].value == "9-12"
    assert node.value["class_minutes"].value == "50"


def test_plain_values_need_no_tag() -> None:
    node, problems = read("a: 5\nb: 0.5\nc: yes\nd: 2026-11-01\ne: null\nf: [x]\ng: {h: i}\n")
    assert problems == []
    assert node is not None


def test_block_text_starts_below_its_key() -> None:
    node, _ = read("title: x\nnote: |\n\n  First line.\n  Second line.\nother: >-\n  Folded.\n")
    f = Fields(node, FILE, Problems())
    note, other = f.markdown("note"), f.markdown("other")
    assert note is not None and other is not None
    assert note.line == 4  # the blank line after 'note: |' is skipped, as the text is stripped
    assert other.line == 7
    inline = Fields(read("a: text on the key's line\n")[0], FILE, Problems()).markdown("a")
    assert inline is not None and inline.line == 1
