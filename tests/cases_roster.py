"""Bad-input cases: rosters (a section of docs/bad-input.md)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from badinput import Case, Run, class_set, roster
from conftest import page_texts, pdf_text

ROSTERS = Path(__file__).parent / "rosters"


def class_set_of(roster_file: str) -> tuple[str]:
    """The class set of a roster without periods: it is named after the roster file."""
    return (f"lesson/lesson-class-set-{roster_file}.pdf",)


def fifo_without_writer(tmp: Path) -> Run:
    path = tmp / "period3.csv"
    os.mkfifo(path)
    # In its own process, as a user runs it, with the 10-second wait cut to half a second.
    script = (
        "import sys; from packet.printing import rosterfile; rosterfile.PIPE_WAIT_SECONDS = 0.5; "
        "from packet.cli import main; main(sys.argv[1:])"
    )
    return Run(["-c", script, *class_set(tmp, "--roster", str(path))[2:]])


def whole_school(tmp: Path) -> Run:
    path = tmp / "school.csv"
    rows = (f"Student {n:05d},Period {n % 7 + 1}" for n in range(50_000))
    path.write_text("Name,Period\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return Run(class_set(tmp, "--roster", str(path)), {"mb": f"{path.stat().st_size / 1e6:.1f}"})


def cover_and_copies(*names: str, absent: tuple[str, ...] = ()) -> Callable[[Path, str], None]:
    """A check: each name on the cover sheet and on a copy; no absent text anywhere."""

    def check(tmp: Path, printed: str) -> None:
        (path,) = (tmp / "out" / "lesson").glob("lesson-class-set*.pdf")
        cover, *copies = page_texts(path)
        for name in names:
            assert name in cover, cover
            assert any(name in page for page in copies), name
        text = pdf_text(path)
        for word in absent:
            assert word not in text, word

    return check


CASES: dict[str, Case] = {
    "roster-device": Case(
        lambda tmp: Run(class_set(tmp, "--roster", "/dev/zero")),
        (
            "/dev/zero: this is a device, not a roster file",
            "fix: give the path to the .csv file exported from your school system",
        ),
        fast=True,
    ),
    "roster-fifo-no-writer": Case(
        fifo_without_writer,
        (
            "{tmp}/period3.csv: this pipe sent nothing for 0.5 seconds, so packet stopped "
            "waiting for the roster",
            "fix: start the program that writes the roster first",
        ),
        fast=True,
    ),
    "roster-too-many-students": Case(
        whole_school,
        (
            "{tmp}/school.csv:2002: 50,000 students to print, more than packet prints in one "
            "run (the limit is 2,000, as for --copies)",
            "fix: print one period at a time with --period, or check that this is the right "
            "file: export only your own classes",
        ),
        fast=True,
    ),
    "roster-control-character": Case(
        roster("period3.csv", "First Name,Last Name\nAna,Lopez\nBen\x1b[31m,Ng\n"),
        (
            "{tmp}/period3.csv:3: the name 'Ben<U+001B>[31m Ng' contains the invisible "
            "control character U+001B",
            "fix: delete it: retype the name in the roster",
        ),
    ),
    "roster-bidi-override": Case(
        roster("period3.csv", "First Name,Last Name\nAna,Lopez\nBen,\u202egN\n"),
        (
            "{tmp}/period3.csv:3: the name 'Ben <U+202E>gN' contains the invisible direction "
            "control U+202E RIGHT-TO-LEFT OVERRIDE, which changes the order its letters print in",
            "fix: delete it: retype the name in the roster",
        ),
    ),
    "roster-font-row": Case(
        roster("period3.csv", "First Name,Last Name\nAna,Lopez\nअनन्या,Sharma\n"),
        (
            "{tmp}/period3.csv:3: the name 'अनन्या Sharma' has characters the bundled fonts "
            "cannot print: अ (U+0905 DEVANAGARI LETTER A)",
        ),
    ),
    "roster-utf-16-no-bom": Case(
        roster(
            "period3.csv",
            "First Name,Last Name\nZofia,Wiśniewska\nElif,Çelik\n".encode("utf-16-le"),
        ),
        ("wrote ",),
        code=0,
        writes=class_set_of("period3"),
        check=cover_and_copies("Zofia Wiśniewska", "Elif Çelik"),
    ),
    "roster-name-suffix": Case(
        roster("period3.csv", 'Student Name\n"King, Martin Luther, Jr."\n"Lopez, Ana"\n'),
        ("wrote ",),
        code=0,
        writes=class_set_of("period3"),
        check=cover_and_copies("Martin Luther King Jr.", absent=("Jr. King",)),
    ),
    "roster-google-classroom-grades": Case(
        roster("grades.csv", (ROSTERS / "google_classroom_grades.csv").read_bytes()),
        ("wrote ",),
        code=0,
        writes=class_set_of("grades"),
        check=cover_and_copies(
            "Ava Johnson", "Mateo García", "Chloé Dubois", absent=("Class Average",)
        ),
    ),
}
