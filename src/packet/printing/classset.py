"""Class sets: one print-ready PDF per class period, every student's name on their copy.

The student edition is rendered once; each copy is that edition with a small
overlay (name, period, date, "Copy k of N") stamped on it, so thirty copies cost
a fraction of one render and the file grows by well under a kilobyte a copy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from packet.build import Built, load_packet, render_edition, reproducible_time
from packet.content.model import Packet, Paper
from packet.errors import InvalidInput, PacketError, Problem
from packet.layout.overlay import Mark
from packet.resources import fonts_dir, templates_dir

if TYPE_CHECKING:
    from packet.printing.assemble import CopyMarks
    from packet.printing.roster import Student

SMALLEST_NAME = 7.0  # the smallest type a name, date or period shrinks to
SMALLEST_LABEL = 7.0
FOOTER_GAP = 12.0  # between "Copy k of N" and the footer's own words
BLANK_MARGIN = 72.0  # a padding page's footer stamp stays this far in from each side
BOOKLET_PAGES = {"letter": "half-letter", "a4": "a5"}
ClassEdition = Literal["student", "large-print"]


@dataclass(frozen=True)
class StampSizes:
    """The stamps' type sizes, in points, matching the edition's own type."""

    name: float  # on the name line of page 1
    header_name: float  # in the running head's name blank
    # Every stamp uses one weight: a second would embed a second font subset in every set.
    copy_label: float  # "Copy k of N" in the footer
    notice: float  # "This page is intentionally left blank."


# Large print: 18 pt on page 1 and on a blank page, 14 pt in the running head and foot
# (where a name too long for its blank may still shrink, as on the student edition).
STAMP_SIZES: dict[str, StampSizes] = {
    "student": StampSizes(name=12.0, header_name=9.0, copy_label=8.5, notice=11.0),
    "large-print": StampSizes(name=18.0, header_name=14.0, copy_label=14.0, notice=18.0),
}


@dataclass(frozen=True)
class Copy:
    """One student's copy: who it is for and where it stands in the set."""

    number: int
    name: str = ""  # empty for numbered, unnamed copies
    period: str = ""
    roster: Path | None = None  # the roster file and row the name came from, to name in errors
    row: int | None = None


@dataclass(frozen=True)
class ClassSetOptions:
    """What the teacher asked for on the command line."""

    paper: Paper | None = None
    booklet: bool = False
    with_key: bool = False
    edition: ClassEdition = "student"  # every copy's: large print for students who need it
    teacher: str = ""
    date: str = ""
    # Names the set of a roster without periods, so that the sets of two such rosters
    # (one Google Classroom export per class) do not overwrite each other.
    roster_name: str = ""


def build_class_sets(
    source: Path,
    out_dir: Path,
    *,
    roster: Path | None,
    copies: int | None,
    period: str | None,
    sort: Literal["roster", "last-name"],
    options: ClassSetOptions,
) -> list[Path]:
    """Build one class-set PDF per period into ``out_dir/<packet>/``."""
    from packet.output import write_files

    if options.booklet and options.edition == "large-print":
        raise PacketError(
            "a large-print class set cannot be a booklet: its 18 pt pages need a full "
            "sheet each. Leave out --booklet (or print the student edition as a booklet)"
        )
    packet = load_packet(source)
    groups = _groups(roster, copies, period, sort)
    _check_names(groups, roster)
    if roster is not None and str(roster) != "-":  # standard input has no name to give
        options = replace(options, roster_name=roster.stem)
    with reproducible_time(packet):
        files = _render_all(packet, groups, options)
    return write_files(out_dir / packet.slug, files)


def _groups(
    roster_path: Path | None,
    copies: int | None,
    period: str | None,
    sort: Literal["roster", "last-name"],
) -> dict[str, list[Copy]]:
    """Copies to print, by period ("" when the roster has none)."""
    if roster_path is None:
        assert copies is not None
        return {period or "": [Copy(k) for k in range(1, copies + 1)]}
    from packet.printing.roster import group_by_period, read_roster

    # One read: a roster piped in on standard input cannot be read twice.
    chosen = read_roster(roster_path, period=period or None, sort=sort)
    grouped = group_by_period(chosen)
    _check_file_parts(roster_path, grouped)
    # One spelling per set, the roster's first, so every copy of a class says the same.
    return {
        key or "": [
            Copy(k, s.display, key or "", roster_path, s.row) for k, s in enumerate(students, 1)
        ]
        for key, students in grouped.items()
    }


def _check_file_parts(roster_path: Path, grouped: Mapping[str | None, Sequence[Student]]) -> None:
    """Refuse two different periods whose files would have one name, before any is written."""
    from packet.printing.periods import period_file_part

    seen: dict[str, str | None] = {}
    problems = []
    for period, students in grouped.items():
        named = period if period is not None else roster_path.stem
        part = period_file_part(named) if named != "-" else ""
        if part not in seen:
            seen[part] = period
            continue
        first = seen[part]
        if first is not None and period is not None:
            message = f'periods "{first}" and "{period}" are different classes'
            fix = "rename one of them in the roster so that they differ in a letter or digit"
        else:
            message = (
                f"the students without a period (whose set is named after the roster file) "
                f'and period "{first or period}" are different classes'
            )
            fix = "fill in the missing periods in the roster, or rename the roster file"
        problems.append(
            Problem(
                roster_path,
                f'{message} but would be printed to one file, "…-class-set-{part}.pdf"',
                f"{fix} (file names keep only letters and digits)",
                line=students[0].row,
            )
        )
    if problems:
        raise InvalidInput(problems, what="the roster")


def _check_names(groups: dict[str, list[Copy]], roster: Path | None) -> None:
    """Refuse names and periods the bundled fonts cannot print, rather than print boxes."""
    from packet.layout.overlay import unsupported_characters
    from packet.printing.roster import printable
    from packet.printing.rosterfile import shown_as

    shown_once: set[str] = set()  # a period is on every copy; report it once
    problems = []
    for copies in groups.values():
        for copy in copies:
            for what, text in (("name", copy.name), ("period", copy.period)):
                missing = unsupported_characters(text, fonts_dir())
                if not missing or (what == "period" and text in shown_once):
                    continue
                shown_once.add(text)
                shown = " ".join(
                    f"{printable(c)} (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in missing
                )
                problems.append(
                    Problem(
                        shown_as(roster) if roster else "roster",
                        f"the {what} '{printable(text)}' has characters the bundled fonts "
                        f"cannot print: {shown}",
                        f"write the {what} in Latin letters in the roster, or ask for a font "
                        "that covers this script to be bundled",
                        line=copy.row,
                    )
                )
    if problems:
        raise InvalidInput(problems, what="the roster")


def _render_all(
    packet: Packet, groups: dict[str, list[Copy]], options: ClassSetOptions
) -> dict[str, bytes]:
    from packet.checks import leaks
    from packet.checks.pdfstrings import document_strings
    from packet.printing import assemble

    paper: Paper = options.paper or packet.meta.paper
    page = BOOKLET_PAGES[paper] if options.booklet else paper
    edition = render_edition(packet, options.edition, page)  # type: ignore[arg-type]
    check_stamps(edition, groups, options, packet.root / "packet.yaml")
    key = render_edition(packet, "teacher", paper).pdf if options.with_key else None
    files = {}
    for period, copies in groups.items():
        marks = [copy_marks(edition, copy, len(copies), period, options) for copy in copies]
        cover = _cover(packet, edition, copies, period, options, key)
        data = assemble.class_set(
            edition.pdf,
            marks,
            fonts_dir=fonts_dir(),
            cover_pdf=cover,
            key_pdf=key,
            booklet=options.booklet,
            blank_notice_size=STAMP_SIZES[options.edition].notice,
            cover_title=f"Cover sheet: {period_label(period)}" if period else "Cover sheet",
            key_title="Teacher edition (answer key)",
        )
        # The edition was checked when it was rendered; what the set adds is the cover,
        # the stamps and the file's own metadata and outline: check those too.
        stamped = [m.text for copy in marks for page in copy.pages for m in page]
        leaks.check_strings([*stamped, *document_strings(data)], packet, "class set")
        leaks.check_student_pdf(cover, packet, what="class set's cover sheet")
        files[_file_name(packet, period, options)] = data
    return files


def period_label(period: str) -> str:
    """Return the period as printed: "Period 3" for "3", "Block A" as it is."""
    from packet.printing.periods import names_itself

    return period if names_itself(period) else f"Period {period}"


def _file_name(packet: Packet, period: str, options: ClassSetOptions) -> str:
    """Return the set's file name: the period's, then a suffix for each variant."""
    from packet.build import output_name
    from packet.printing.periods import period_file_part

    named = period or options.roster_name
    kind = f"class-set-{period_file_part(named)}" if named else "class-set"
    return output_name(
        packet,
        kind,
        paper=options.paper or packet.meta.paper,
        large_print=options.edition == "large-print",
        booklet=options.booklet,
        with_key=options.with_key,
    )


def copy_marks(
    edition: Built, copy: Copy, total: int, period: str, options: ClassSetOptions
) -> CopyMarks:
    """The marks for one copy: name, date and period in their blanks; the copy number."""
    marks, problems = _stamps(edition, copy, total, period, options)
    if problems:
        raise InvalidInput(problems, what="the class set")
    return marks


def check_stamps(
    edition: Built,
    groups: dict[str, list[Copy]],
    options: ClassSetOptions,
    packet_yaml: Path | str = "packet.yaml",
) -> None:
    """Refuse, all at once, every name, date, period or label too long for its place."""
    problems: dict[str, Problem] = {}
    for period, copies in groups.items():
        for copy in copies:
            for problem in _stamps(edition, copy, len(copies), period, options, packet_yaml)[1]:
                problems.setdefault(str(problem), problem)
    if problems:
        raise InvalidInput(problems.values(), what="the class set")


def _stamps(
    edition: Built,
    copy: Copy,
    total: int,
    period: str,
    options: ClassSetOptions,
    packet_yaml: Path | str = "packet.yaml",
) -> tuple[CopyMarks, list[Problem]]:
    """The marks for one copy, and what did not fit where it has to print."""
    from packet.layout.overlay import Room, fit
    from packet.printing.assemble import CopyMarks

    layout = edition.layout
    sizes = STAMP_SIZES.get(edition.edition, STAMP_SIZES["student"])
    label = f"Copy {copy.number} of {total}"
    if options.teacher:
        label += f" · {options.teacher}"
    pages: list[list[Mark]] = [[] for _ in layout.page_sizes]
    problems: list[Problem] = []
    # The blank follows the printed word "Period": "Period 3" would read "Period Period 3".
    period_text = re.sub(r"(?i)^(period|per\.)\s*", "", copy.period or period) or period
    values = {"name": copy.name, "date": options.date, "period": period_text}
    refused: set[str] = set()
    for blank in layout.blanks:
        text = values.get(blank.field, "")
        if not text or blank.field in refused:
            continue
        height = layout.page_sizes[blank.page][1]
        rule = height - blank.bottom
        # Inside the blank: on its rule, between its ends, no higher than its top.
        room = Room(blank.x + 3, blank.x + blank.width - 3, rule + 3, rule + blank.height)
        size = sizes.name if blank.page == 0 else sizes.header_name
        marks = fit(text, room, fonts_dir(), size=size, floor=SMALLEST_NAME)
        if marks is None:  # said once for each value, where it first does not fit
            where = "the name line on page 1" if blank.page == 0 else "the page headers"
            given = copy.period or period if blank.field == "period" else text
            problems.append(_too_long(blank.field, given, copy, where))
            refused.add(blank.field)
        else:
            pages[blank.page].extend(marks)
    # "Copy k of N" stands in the middle of the footer, on the footer's own line, clear
    # of the short title on its left and the page number on its right.
    for index, (width, height) in enumerate(layout.page_sizes):
        left, right = layout.footer_spans[index] if layout.footer_spans else (0.0, width)
        half = min(width / 2 - left, right - width / 2) - FOOTER_GAP
        room = Room(
            width / 2 - half,
            width / 2 + half,
            height - layout.footer_baselines[index],
            height - layout.content_bottoms[index] - FOOTER_GAP / 4,  # below the text area
            align="center",
        )
        marks = fit(label, room, fonts_dir(), size=sizes.copy_label, floor=SMALLEST_LABEL)
        if marks is None:
            bare = f"Copy {copy.number} of {total}"
            if fit(bare, room, fonts_dir(), size=sizes.copy_label, floor=SMALLEST_LABEL):
                problems.append(_too_long("teacher", options.teacher, copy, "the page footers"))
            else:  # the footer's own title leaves no room for the copy number
                problems.append(
                    Problem(
                        packet_yaml,
                        "is too long to leave room for 'Copy k of N' between it and the page "
                        "number in the footer",
                        "give a shorter short_title (it only labels the headers and footers)",
                        field="short_title",
                    )
                )
            refused.add("footer")
            break
        pages[index].extend(marks)
    width, height = layout.page_sizes[-1]
    owner = f"{copy.name} · {label}" if copy.name else label
    # The padding page's footer has nothing else on it: the width inside the page margins.
    room = Room(
        BLANK_MARGIN,
        width - BLANK_MARGIN,
        height - layout.footer_baselines[-1],
        height - layout.content_bottoms[-1] - FOOTER_GAP / 4,
        align="center",
    )
    blank_marks = fit(owner, room, fonts_dir(), size=sizes.copy_label, floor=SMALLEST_LABEL)
    if blank_marks is None and not refused & {"name", "footer"}:
        problems.append(_too_long("name", copy.name, copy, "the blank page's footer"))
    title = f"{label}: {copy.name}" if copy.name else label
    stamps = CopyMarks(title=title, pages=tuple(tuple(p) for p in pages), blank=blank_marks or ())
    return stamps, problems


def _too_long(field: str, text: str, copy: Copy, where: str) -> Problem:
    """What to tell the teacher about a value too long to print where it must."""
    shown = text if len(text) <= 80 else text[:77] + "…"
    even = f"even shrunk to {SMALLEST_NAME:g} pt and wrapped"
    if field == "name":
        return Problem(
            copy.roster or "the roster",
            f"the name '{shown}' ({len(text)} characters) does not fit on {where}, {even}",
            "shorten the name in the roster (for example a first name and one last name)",
            line=copy.row or None,
        )
    if field == "period":
        from_roster = bool(copy.period and copy.roster)  # else it came from --period
        return Problem(
            copy.roster if copy.roster and from_roster else "--period",
            f"the period '{shown}' does not fit in the Period blank, {even}",
            "give the period as a number or a short name, such as '3' or '3B'",
            line=copy.row if from_roster and copy.row else None,
        )
    if field == "date":
        return Problem(
            "--date",
            f"'{shown}' does not fit in the Date blank, {even}",
            "write the date shorter, such as 'Nov. 18' or '11/18/2026'",
        )
    return Problem(
        "--teacher",
        f"'{shown}' does not fit in {where} after 'Copy k of N', between the title and the "
        f"page number, {even}",
        "give a shorter teacher name, such as 'Ms. Rivera'",
    )


def _cover(
    packet: Packet,
    edition: Built,
    copies: Sequence[Copy],
    period: str,
    options: ClassSetOptions,
    key: bytes | None,
) -> bytes:
    """The teacher's cover sheet: what this file is, how to print it, the roster."""
    from packet.layout import pdf
    from packet.layout.fetch import Fetcher
    from packet.layout.overlay import paragraph_direction
    from packet.layout.render import render_cover
    from packet.printing.assemble import page_count
    from packet.printing.impose import padded_length

    pages = len(edition.layout.page_sizes)
    per_copy = padded_length(pages, booklet=options.booklet)
    sheets_per_copy = per_copy // 4 if options.booklet else per_copy // 2
    key_pages = page_count(key) if key else 0
    key_sheets = padded_length(key_pages, booklet=False) // 2
    fetcher = Fetcher([packet.root, templates_dir(), fonts_dir()])
    cover_sheets = 1
    while True:
        html = render_cover(
            packet,
            paper=options.paper or packet.meta.paper,
            period=period_label(period) if period else "",
            copies=[
                {
                    "number": c.number,
                    "name": c.name,
                    "period": c.period,
                    "dir": paragraph_direction(c.name),
                }
                for c in copies
            ],
            pages_per_copy=pages,
            padded_pages=per_copy,
            sheets_per_copy=sheets_per_copy,
            total_sheets=len(copies) * sheets_per_copy + cover_sheets + key_sheets,
            key_pages=key_pages,
            booklet=options.booklet,
            large_print=options.edition == "large-print",
            teacher=options.teacher,
            date=options.date,
        )
        cover = pdf.write(pdf.render(html, base=packet.root, fetcher=fetcher))
        # A long roster runs over one page; count the cover's own sheets and say so.
        needed = padded_length(page_count(cover), booklet=False) // 2
        if needed == cover_sheets:
            return cover
        cover_sheets = needed
