"""Fuzzing: whatever a packet or roster holds, packet succeeds safely or says what is wrong.

Property: reading a packet (or a roster) either succeeds, or fails with a PacketError,
never another exception. When a packet loads, its student edition shows no answer,
raw HTML never reaches the page, and text such as ``{{ 7*7 }}`` prints as typed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from packet.build import load_packet, render_edition
from packet.checks.leaks import normal, readable_text
from packet.content.markup import Context, scan, to_html
from packet.content.model import Markdown
from packet.errors import PacketError, Problems
from packet.layout.render import RenderRequest, render_html
from packet.printing.roster import read_roster

# An answer no other part of the packet says: the student edition must never show it.
PLANTED = "Zyxwvut Quillfeather answered the ambassador on Tuesday afternoon."
TEMPLATE = "{{ 7*7 }}"
BASE = {path.name: path.read_text(encoding="utf-8") for path in SAMPLE.iterdir()}
BASE["questions.yaml"] = BASE["questions.yaml"].replace(
    "answer: |\n    ", f"answer: |\n    {PLANTED} ", 1
)
assert PLANTED in BASE["questions.yaml"]
YAML_FILES = ("packet.yaml", "questions.yaml", "vocabulary.yaml", "teacher.yaml")


def fuzz(examples: int, **options: Any) -> settings:
    # The fixtures give one folder per test, which every example rewrites from scratch.
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        **options,
    )


FRAGMENTS = (
    "[[rfk]]", "[[/rfk]]", "[[dobrynin]]", "[[/dobrynin]]", "[[#a]]", "[[/#a]]", "[[#offer]]",
    "[[/#offer]]", "[[lines #a]]", "[[lines #offer]]", "[[lines #nowhere]]", "[[Bad Mark]]",
    "[[", "]]", "[...]", "[…]", "*", "**", "_", "#", "## ", "- ", "1. ", "> ", "`", "```\n",
    "\n", "\n\n", "    ", "\t", "---\n", "<script>alert(1)</script>", "<b>", "&lt;script&gt;",
    "&#0;", "<!-- x -->", TEMPLATE, "{% include 'packet.html' %}", "{# #}", "](file:///etc/passwd)",
    "![map](file:///etc/passwd)", "![map](../x.png)", "[a](javascript:alert(1))",
    "[a](https://example.com)", "\\", "\\[[", "\u202e", "\u200f", "مرحبا", "שלום", "e\u0301",
    "👩‍👩‍👧", "\x00", "\x0c", "\ufeff", "\u2028", "reconnaissance", "assurances", "Turkey",
)  # fmt: skip

# Fragments that make a packet that still builds: the full build gets to the PDF.
GENTLE = (
    "*", "**", "_", "`", "\\", "[...]", "[…]", "[[lines #offer]]", "[a](https://example.com)",
    TEMPLATE, "{% include 'packet.html' %}", "{# #}", "&lt;script&gt;", "\n", "## ", "- ", "> ",
    "\u202e", "\u200f", "مرحبا", "שלום", "e\u0301", "👩‍👩‍👧", "reconnaissance",
)  # fmt: skip

unicode = st.text(max_size=20)  # every category but surrogates: controls, RTL, marks, emoji
markdownish = st.lists(st.sampled_from(FRAGMENTS) | unicode, max_size=10).map("".join)
printable = st.text(st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn")), max_size=20)
gentle = st.lists(st.sampled_from(GENTLE) | printable, max_size=10).map("".join)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats()
    | st.dates()
    | unicode
    | markdownish
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(unicode, inner, max_size=3),
    max_leaves=6,
)


def put(draw: st.DrawFn, data: Any, value: Any) -> Any:
    """Return data with value put at a place drawn in it (or instead of it)."""
    if isinstance(data, dict) and data:
        key = draw(st.sampled_from([*data, "surprise"]))
    elif isinstance(data, list) and data:
        key = draw(st.integers(0, len(data) - 1))
    else:
        return value
    deeper = key in data if isinstance(data, dict) else True
    if deeper and isinstance(data[key], dict | list) and draw(st.booleans()):
        data[key] = put(draw, data[key], value)
    else:
        data[key] = value
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=70)


@st.composite
def mutation(
    draw: st.DrawFn,
    *,
    kinds: tuple[str, ...],
    text: st.SearchStrategy[str] = markdownish,
    places: tuple[str, ...] = ("essay.md", "source.md", "adapted.md", "questions.yaml"),
) -> tuple[str, str | bytes]:
    """One change to one file of the packet: (file name, its new content)."""
    kind = draw(st.sampled_from(kinds))
    if kind == "markdown":  # packet Markdown where a teacher writes it
        written = draw(text)
        name = draw(st.sampled_from(places))
        if name == "questions.yaml":
            questions = yaml.safe_load(BASE[name])
            questions[draw(st.integers(0, len(questions) - 1))][
                draw(st.sampled_from(["prompt", "answer"]))
            ] = written
            return name, dump(questions)
        return name, BASE[name].rstrip("\n") + "\n\n" + written + "\n"
    name = draw(st.sampled_from(sorted(BASE)))
    original = BASE[name]
    if kind == "field" and name in YAML_FILES:  # a value of the wrong type, anywhere
        return name, dump(put(draw, yaml.safe_load(original), draw(values)))
    if kind == "field" and original.startswith("---\n"):  # source.md's front matter
        _, front, body = original.split("---\n", 2)
        return name, f"---\n{dump(put(draw, yaml.safe_load(front), draw(values)))}---\n{body}"
    if kind in ("field", "splice"):  # typed anywhere, breaking the syntax around it
        at = draw(st.integers(0, len(original)))
        return name, original[:at] + draw(markdownish) + original[at:]
    return name, draw(st.binary(max_size=200) | unicode)  # a file replaced by anything


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """One packet folder, rewritten from scratch for each example."""
    return tmp_path / "fuzzed"


def write_packet(folder: Path, changes: list[tuple[str, str | bytes]]) -> str:
    """Write the sample (with PLANTED in the key) and the changes; return all text written."""
    folder.mkdir(exist_ok=True)
    files: dict[str, str | bytes] = {**BASE, **dict(changes)}
    for name, content in files.items():
        path = folder / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return "\n".join(
        c if isinstance(c, str) else c.decode("utf-8", "replace") for c in files.values()
    )


def page_text(markup: str) -> str:
    """The words an HTML page shows."""
    return normal(html.unescape(re.sub(r"<[^>]*>", " ", markup)))


def check_html(student: str, teacher: str, written: str, *, planted: bool) -> None:
    """What must hold for every packet that loads."""
    assert normal(PLANTED) not in page_text(student)
    if planted:
        assert normal(PLANTED) in page_text(teacher)
    for page in (student, teacher):
        assert "<script" not in page  # raw HTML is refused or escaped, never passed on
        if TEMPLATE in written and "49" not in written:
            assert "49" not in page  # packet text is never run as a template


@fuzz(200)
@given(
    changes=st.lists(
        mutation(kinds=("markdown", "field", "splice", "raw"), text=markdownish | gentle),
        max_size=3,
    )
)
def test_any_packet_loads_or_says_what_is_wrong(
    folder: Path, changes: list[tuple[str, str | bytes]]
) -> None:
    written = write_packet(folder, changes)
    try:
        packet = load_packet(folder)
    except PacketError as error:
        assert str(folder) in error.format_message()
        event("refused")  # counted by pytest --hypothesis-show-statistics
        return
    event("loaded")
    student = render_html(packet, RenderRequest("student", "letter", "both"))
    teacher = render_html(packet, RenderRequest("teacher", "a4", "both"))
    planted = "questions.yaml" not in dict(changes)
    check_html(student, teacher, written, planted=planted)


@fuzz(500)
@given(text=markdownish, spans=st.booleans())
def test_markup_is_checked_and_escaped(text: str, spans: bool) -> None:
    problems = Problems()
    found = scan(Markdown(text, Path("essay.md"), 1), problems, speakers=["rfk"], allow_spans=spans)
    assert isinstance(found.words, str)
    rendered = to_html(text, Context(cite=lambda name: f"lines 1–2 of {name}"))
    assert "<script" not in rendered
    assert "{{" not in text or "49" in text or "49" not in rendered


@fuzz(8, phases=[Phase.explicit, Phase.reuse, Phase.generate])  # seconds each: no shrinking
@given(
    extra=st.lists(
        mutation(kinds=("markdown",), text=gentle, places=("source.md", "questions.yaml")),
        max_size=2,
    ),
    essay=gentle,
)
def test_any_packet_builds_or_says_what_is_wrong(
    folder: Path, extra: list[tuple[str, str | bytes]], essay: str
) -> None:
    opening = f"Template test: {TEMPLATE} stays as typed.\n\n"
    changes = [("essay.md", opening + BASE["essay.md"] + "\n\n" + essay + "\n"), *extra]
    written = write_packet(folder, changes)
    try:
        packet = load_packet(folder)
        # The build reads the finished PDF back and refuses it if any answer shows.
        pdf = render_edition(packet, "student", "letter").pdf
    except PacketError as error:
        # Either a problem in a named file, or the leak check refusing the PDF.
        message = error.format_message()
        assert str(folder) in message or "refused to write the student edition" in message
        event("refused")
        return
    event("built")
    text = readable_text(pdf)
    assert normal(PLANTED) not in text
    assert "template test 7 7 stays as typed" in text
    if "49" not in written:
        assert "49" not in text.split()


HEADERS = ("First Name", "Last Name", "Name", "Student Name", "Period", "Section", "Email", "")
cells = st.sampled_from(HEADERS) | unicode | st.sampled_from(['"', '""', ",", ";", "\n", "\r\n"])
csvish = st.tuples(
    st.sampled_from([",", ";", "\t"]), st.lists(st.lists(cells, max_size=5), max_size=8)
).map(lambda pair: "\n".join(pair[0].join(row) for row in pair[1]))


def check_roster(path: Path, period: str | None, sort: Any) -> None:
    try:
        roster = read_roster(path, period=period, sort=sort)
    except PacketError as error:
        assert str(path) in error.format_message()
        return
    assert roster.students
    assert all(student.display for student in roster.students)


@fuzz(300)
@given(data=st.binary(max_size=400))
def test_any_bytes_as_a_roster(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    check_roster(path, None, "roster")


@fuzz(300)
@given(
    text=csvish,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    period=st.none() | st.sampled_from(["3", "03", "Period 3"]) | unicode,
    sort=st.sampled_from(["roster", "last-name"]),
)
def test_any_csv_text_as_a_roster(
    tmp_path: Path, text: str, encoding: str, period: str | None, sort: str
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    check_roster(path, period, sort)
