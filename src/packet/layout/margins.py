"""Marks in the margin of the source text: line numbers, speaker rules and speaker tags.

They are drawn after layout, from where WeasyPrint put each line, as artifacts: a
reader can extract the numbers, a screen reader skips them, and they stay out of
the structure tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from packet.content.model import split_text_id
from packet.errors import InvalidInput, Problem
from packet.layout.overlay import ASCENT, Mark, PageMarks, Room, Rule, fit, text_width
from packet.resources import fonts_dir

if TYPE_CHECKING:
    from packet.content.model import Edition, Packet
    from packet.layout.pdf import Layout, TextLine

NUMBER_EVERY = 5
EDGE = 0.25 * 72  # nothing printed nearer the paper's edge than this: copiers cannot
RULE_STYLES: tuple[Literal["solid", "double"], ...] = ("solid", "double")


@dataclass(frozen=True)
class MarginStyle:
    """Sizes of the marks beside the text, in points (the gutter is set in packet.css)."""

    number_size: float = 8.0
    number_gap: float = 9.0  # from the text's left edge to the numbers' right edge
    rule_gap: float = 4.0  # from the text's left edge to a speaker rule
    rule_width: float = 1.6
    tag_gap: float = 24.0  # from the text's left edge to a speaker tag's right edge
    tag_size: float = 6.5
    smallest_tag: float = 5.5
    # If set, a tag on a numbered line stands this far left of the number itself, and
    # tag_gap applies to lines without a number only (else tag_gap clears any number).
    tag_clearance: float | None = None


# Large print: nothing under 14 pt. A tag takes the numbers' place on a line without
# one and stands left of the number on a line with one, so the gutter holds a short name
# of about eight letters; a longer one that does not fit at 14 pt is refused.
STYLES: dict[str, MarginStyle] = {
    "large-print": MarginStyle(
        number_size=14.0,
        number_gap=12.0,
        rule_gap=6.0,
        rule_width=2.4,
        tag_gap=12.0,
        tag_size=14.0,
        smallest_tag=14.0,
        tag_clearance=6.0,
    )
}


def margin_style(edition: Edition) -> MarginStyle:
    """The margin marks' sizes for an edition."""
    return STYLES.get(edition, MarginStyle())


def page_marks(layout: Layout, packet: Packet, edition: Edition) -> list[PageMarks]:
    """One PageMarks per page of the edition (empty where the source does not stand)."""
    style = margin_style(edition)
    per_page: list[list[Mark | Rule]] = [[] for _ in layout.page_sizes]
    heights = [height for _, height in layout.page_sizes]
    documents = {d.label: d for d in packet.documents}
    quoted = {d.label: [s.id for s in d.quoted()] for d in packet.documents}
    started: set[str] = set()
    previous: TextLine | None = None
    problems: dict[str, Problem] = {}
    fonts = fonts_dir()
    for line in layout.lines:
        page_height = heights[line.page]
        if line.number % NUMBER_EVERY == 0:
            per_page[line.page].append(
                Mark(
                    x=line.x - style.number_gap,
                    y=page_height - line.baseline,
                    text=str(line.number),
                    size=style.number_size,
                    align="right",
                )
            )
        continuing = {
            speaker
            for _, speaker in (previous.passages if previous and _beside(line, previous) else ())
        }
        previous = line
        document = documents[split_text_id(line.text)[0]]
        for passage, speaker in line.passages:
            if speaker not in quoted[document.label] or passage in started:
                continue
            started.add(passage)
            if speaker in continuing:  # the same voice goes on from the line above
                continue
            person = document.speaker(speaker)
            # In the margin, clear of the paper's edge: the full name in the teacher
            # edition if it fits (shrunk if need be), else the short one.
            gap = style.tag_gap
            if line.number % NUMBER_EVERY == 0 and style.tag_clearance is not None:
                number = Mark(0, 0, str(line.number), size=style.number_size)
                gap = style.number_gap + text_width(number, fonts) + style.tag_clearance
            room = Room(
                EDGE,
                line.x - gap,
                page_height - line.baseline,
                page_height - line.baseline + style.tag_size * ASCENT,
                align="right",
            )
            names = (person.name, person.short) if edition == "teacher" else (person.short,)
            tag = next(
                (
                    marks[0]
                    for name in names
                    if (
                        marks := fit(
                            name,
                            room,
                            fonts,
                            size=style.tag_size,
                            floor=style.smallest_tag,
                            bold=True,
                        )
                    )
                ),
                None,
            )
            if tag is None:
                size = (
                    f" at {style.tag_size:g} pt (large print)" if edition == "large-print" else ""
                )
                problems[f"{document.label}.{speaker}"] = Problem(
                    document.file,
                    f"the short name '{person.short}' is too long to print in the margin "
                    f"beside the text{size}",
                    "give a shorter short: name, such as initials",
                    field=f"speakers: {speaker}",
                )
                continue
            per_page[line.page].append(tag)
    for document in packet.documents:
        lines = tuple(line for line in layout.lines if line.text.startswith(f"{document.label}."))
        for speaker_index, speaker in enumerate(quoted[document.label]):
            rule = RULE_STYLES[speaker_index % len(RULE_STYLES)]
            for page, x, top, bottom in _runs(lines, speaker):
                per_page[page].append(
                    Rule(
                        x=x - style.rule_gap,
                        y0=heights[page] - bottom,
                        y1=heights[page] - top,
                        style=rule,
                        width=style.rule_width,
                    )
                )
    if problems:
        raise InvalidInput(problems.values(), what=str(packet.root))
    return [
        PageMarks(width=w, height=h, marks=tuple(items))
        for (w, h), items in zip(layout.page_sizes, per_page, strict=True)
    ]


def _follows(line: TextLine, previous: TextLine) -> bool:
    return (line.page, line.text, line.number) == (
        previous.page,
        previous.text,
        previous.number + 1,
    )


def _beside(line: TextLine, previous: TextLine) -> bool:
    """Whether the line comes right under the previous one, with nothing set between them
    (more than a paragraph's space: a "Words to know" box, a picture)."""
    gap = line.top - (previous.top + previous.height)
    return _follows(line, previous) and gap < previous.height


def _runs(lines: tuple[TextLine, ...], speaker: str) -> Iterator[tuple[int, float, float, float]]:
    """Unbroken runs of lines where the speaker's words stand: (page, x, top, bottom)."""
    run: list[TextLine] = []
    for line in (*lines, None):
        has = line is not None and any(s == speaker for _, s in line.passages)
        if has and run and line is not None and not _beside(line, run[-1]):
            yield _run(run)
            run = []
        if has and line is not None:
            run.append(line)
        elif run:
            yield _run(run)
            run = []


def _run(run: list[TextLine]) -> tuple[int, float, float, float]:
    # Cover the text's height in each line, not the leading between lines.
    first, last = run[0], run[-1]
    inset = first.height * 0.12
    return first.page, first.x, first.top + inset, last.top + last.height - inset


def stamp(data: bytes, layout: Layout, packet: Packet, edition: Edition) -> bytes:
    """Draw the margin marks onto a rendered edition (and finish its tagging)."""
    from packet.layout.overlay import draw
    from packet.printing.tags import finish_edition

    marks = page_marks(layout, packet, edition)
    pages = [index for index, page in enumerate(marks) if page.marks]
    overlay = draw([marks[i] for i in pages], fonts_dir()) if pages else None
    return finish_edition(data, overlay, pages)
