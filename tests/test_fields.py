"""Plain-text fields print as typed: raw HTML in them is reported at its line."""

from __future__ import annotations

from pathlib import Path

from packet.content.fields import Fields
from packet.content.yamlnodes import parse
from packet.errors import Problems

FILE = Path("packet.yaml")


def test_raw_html_in_plain_text_and_list_items_is_reported() -> None:
    problems = Problems()
    text = "title: 5 < 6 and a<b\nauthors:\n  - Ann\n  - <span>Bo</span>\nnote: <b>x</b>\n"
    f = Fields(parse(text, FILE, problems), FILE, problems)
    assert f.text("title") == "5 < 6 and a<b"  # a '<' that is no tag is plain text
    assert f.texts("authors") == ("Ann", "<span>Bo</span>")
    assert f.markdown("note") is not None  # the markup scan reports Markdown fields
    assert [(p.line, p.field, p.message) for p in problems] == [
        (4, "authors[2]", "raw HTML is not allowed in a packet: '<span>'"),
        (4, "authors[2]", "raw HTML is not allowed in a packet: '</span>'"),
    ]
