"""The build recipe: load → validate → render HTML → lay out → PDF → margin marks → write."""

from __future__ import annotations

import calendar
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packet.content.load import load
from packet.content.model import Edition, Packet, PageSize, Paper, SourceVersion, split_text_id
from packet.errors import InvalidInput, PacketError, Problem
from packet.layout.render import RenderRequest, render_html
from packet.resources import fonts_dir, templates_dir

if TYPE_CHECKING:
    from packet.layout.pdf import Crowded, Layout

MAX_LAYOUT_PASSES = 6
PAPER_NAMES = {
    "letter": "Letter",
    "a4": "A4",
    "half-letter": "half-Letter booklet",
    "a5": "A5 booklet",
}


@dataclass(frozen=True)
class Built:
    """One rendered edition: its PDF bytes and the layout that produced them."""

    edition: Edition
    pdf: bytes
    layout: Layout


def load_packet(source: Path) -> Packet:
    """Load a packet or raise one error listing every problem in it."""
    packet, problems = load(source)
    problems.raise_if_any(what=str(source))
    assert packet is not None
    return packet


# The last second of year 9999: later times overflow the PDF writers' date arithmetic.
MAX_SOURCE_DATE_EPOCH = 253_402_300_799


@contextmanager
def reproducible_time(packet: Packet) -> Iterator[None]:
    """Stamp PDFs with the packet's own date unless the caller chose a valid time.

    Font subsetting and the PDF writers read SOURCE_DATE_EPOCH (each parsing it its own
    way); a value they cannot read is refused here, before any of them sees it. An
    empty value counts as unset, as in most shells' habit of clearing a variable.
    """
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given:
        if not (given.isascii() and given.isdigit()) or int(given) > MAX_SOURCE_DATE_EPOCH:
            shown = given if len(given) <= 40 else given[:40] + "…"
            raise PacketError(
                f"the environment variable SOURCE_DATE_EPOCH is {shown!r}, which is not a "
                "time: it must be a whole number of seconds since 1970-01-01 UTC, such as "
                f"{calendar.timegm(packet.meta.date.timetuple())} (the packet's date). "
                "Unset it (unset SOURCE_DATE_EPOCH) to use the packet's date, or give "
                "seconds since 1970 (SOURCE_DATE_EPOCH=$(date +%s))."
            )
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(packet.meta.date.timetuple()))
    try:
        yield
    finally:
        if given is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = given


def render_edition(
    packet: Packet, edition: Edition, paper: PageSize, version: SourceVersion = "original"
) -> Built:
    """Render one edition to PDF bytes, laying out until line citations are stable."""
    from packet.layout.pdf import RenderTrouble

    with reproducible_time(packet):
        try:
            return _render_edition(packet, edition, paper, version)
        except RenderTrouble as trouble:
            if trouble.missing_characters:
                raise InvalidInput(
                    _find_characters(packet, trouble.missing_characters), what=str(packet.root)
                ) from None
            raise


def _find_characters(packet: Packet, characters: str) -> list[Problem]:
    """Where in the packet's files the characters no bundled font has are typed."""
    import unicodedata

    found = []
    for path in sorted(packet.root.iterdir()):
        if path.suffix not in (".md", ".yaml") or not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            for char in dict.fromkeys(c for c in line if c in characters):
                name = unicodedata.name(char, "unnamed")
                found.append(
                    Problem(
                        path,
                        f"no bundled font can print '{char}' (U+{ord(char):04X} {name})",
                        "replace it with a character from Latin, Greek, Cyrillic, Arabic, "
                        "Hebrew or common CJK scripts, or write it out in words",
                        line=number,
                    )
                )
    return found or [Problem(packet.root, f"no bundled font can print {characters!r}")]


def _render_edition(
    packet: Packet, edition: Edition, paper: PageSize, version: SourceVersion
) -> Built:
    from packet.checks import leaks
    from packet.layout import margins, pdf
    from packet.layout.fetch import Fetcher

    fetcher = Fetcher([packet.root, templates_dir(), fonts_dir()])
    request = RenderRequest(edition, paper, version)
    heights: dict[tuple[str, str], float] = {}  # of margin notes, as seen whole
    # Line citations and margin-note positions are known only after layout: lay out
    # again with what the last layout taught, until the citations print the lines they
    # name and no margin note collides with another or runs off its page.
    for _ in range(MAX_LAYOUT_PASSES):
        document = pdf.render(render_html(packet, request), base=packet.root, fetcher=fetcher)
        found = pdf.layout(document)
        lines = found.anchor_lines()
        if lines == request.lines:
            if crowded := found.crowded_notes():
                raise InvalidInput(_crowded_notes(packet, crowded, paper), what=str(packet.root))
            if found.glosses_fit():
                break
        heights.update(found.whole_heights())
        request = replace(request, lines=lines, gloss_offsets=found.gloss_offsets(heights=heights))
    else:
        raise PacketError("the layout did not settle after several passes; please report this")
    data = margins.stamp(pdf.write(document), found, packet, edition)
    if edition != "teacher":  # the student edition, in any print size
        leaks.check_student_pdf(data, packet, what=f"{edition} edition")
    return Built(edition, data, found)


def _crowded_notes(packet: Packet, crowded: list[Crowded], paper: PageSize) -> list[Problem]:
    """Say which margin notes do not fit beside the text, and how to make them fit."""
    # A sidebar line is 8.5 pt type at 1.3 leading (7.5 pt on booklet pages).
    leading = (7.5 if paper in ("half-letter", "a5") else 8.5) * 1.3
    problems = []
    lines = {term.term: term.line for term in packet.vocabulary}
    for column in crowded:
        notes = ", ".join(
            f"'{term}' (line {lines.get(term, '?')}, {round(height / leading)} lines)"
            for term, height in zip(column.terms, column.heights, strict=True)
        )
        label, kind = split_text_id(column.text)
        version = "" if kind == "original" else f" ({kind} text)"
        if len(packet.documents) > 1:
            version = f" of Document {label}{version}"
        over = math.ceil((column.needed - column.room) / leading)
        problems.append(
            Problem(
                packet.root / "vocabulary.yaml",
                f"the margin notes beside the source text{version} on page {column.page + 1} "
                f"({PAPER_NAMES.get(paper, paper)} pages) need {round(column.needed / leading)} "
                f"lines of the sidebar, but it has room for {int(column.room / leading)} there: "
                f"{notes}",
                f"shorten the longest of these definitions by {over} lines in all, or remove "
                "one of these terms",
                line=min((lines.get(t, 0) for t in column.terms), default=None) or None,
            )
        )
    return problems


def build(
    source: Path,
    out_dir: Path,
    *,
    editions: Sequence[Edition],
    paper: Paper | None = None,
    version: SourceVersion = "original",
) -> list[Path]:
    """Build the asked-for editions of a packet into ``out_dir/<packet>/``."""
    from packet.output import write_files

    packet = load_packet(source)
    chosen = paper or packet.meta.paper
    outputs = {}
    for edition in editions:
        built = render_edition(packet, edition, chosen, version)
        outputs[output_name(packet, edition, paper=chosen, version=version)] = built.pdf
    return write_files(out_dir / packet.slug, outputs)


def output_name(
    packet: Packet,
    kind: str,
    *,
    paper: Paper,
    version: SourceVersion = "original",
    large_print: bool = False,
    booklet: bool = False,
    with_key: bool = False,
) -> str:
    """Return an output's file name: plain for the packet's defaults, a suffix per variant.

    Every option that changes the pages adds its suffix, always in this order, so
    that no variant overwrites another: ``lesson-student-adapted-a4.pdf``,
    ``lesson-class-set-3-large-print-a4.pdf``.
    """
    parts = [packet.slug, kind]
    if large_print:  # a class set of the large-print edition (a build names it as its kind)
        parts.append("large-print")
    if version != "original":
        parts.append(version)
    if booklet:
        parts.append("booklet")
    if paper != packet.meta.paper:
        parts.append(paper)
    if with_key:
        parts.append("with-key")
    return "-".join(parts) + ".pdf"
