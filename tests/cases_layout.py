"""Bad-input cases: nothing drawn where it does not belong (a section of docs/bad-input.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber

from badinput import Case, Run, build, class_set, edit, lesson
from conftest import normal

# A definition a teacher wrote as a paragraph: about ten lines of the sidebar.
PARAGRAPH = (
    " It is explained here at great length, as a teacher who writes a full paragraph for"
    " each word would do, with examples and a sentence of history besides, so that the"
    " note runs over many lines of the sidebar."
)


def longer_definitions(*terms: str, extra: str = PARAGRAPH) -> Callable[[Path], Run]:
    """Make the definitions of terms longer by extra."""

    def make(tmp: Path) -> Run:
        path = lesson(tmp) / "vocabulary.yaml"
        text = path.read_text(encoding="utf-8")
        for term in terms:
            text, found = re.subn(
                rf"(- term: {term}\n(?:  .*\n)*?  definition: [^\n]*)",
                lambda m: m.group(1) + extra,
                text,
                count=1,
            )
            assert found, term
        path.write_text(text, encoding="utf-8")
        return Run(build(tmp, lesson(tmp), "--edition", "student"))

    return make


def note_clear_of_the_citation(tmp: Path, printed: str) -> None:
    """The last margin note stands beside the end of the text or beside the citation
    that closes the document, never over it."""
    with pdfplumber.open(tmp / "out" / "lesson" / "lesson-student.pdf") as pdf:
        for page in pdf.pages:
            labels = [w for w in page.extract_words() if w["text"] == "SOURCE"]
            if not labels:
                continue
            source = labels[0]
            citation = [
                c
                for c in page.chars
                if "Serif" in c["fontname"]
                and abs(c["size"] - 8.5) < 0.05
                and c["top"] >= source["top"] - 1
            ]
            # The notes' type, below the running header and above the footer.
            notes = [
                c
                for c in page.chars
                if "Sans" in c["fontname"]
                and abs(c["size"] - 8.5) < 0.05
                and 54 < c["top"] < page.height - 54
                and c["x0"] > source["x1"]
            ]
            assert notes, "no margin notes beside the end of the text"
            right = max(c["x1"] for c in citation)
            assert all(c["bottom"] < source["top"] or c["x0"] > right + 6 for c in notes)
            return
    raise AssertionError("no citation found")


# Per-copy stamps ----------------------------------------------------------------------

LONG_NAME = "María de los Ángeles Guadalupe Fernández-Castillo de la Torre Ruiz"  # 66 characters
LONG_DATE = "Wednesday, November 18, 2026"
TEACHER = "Ms. Alexandra Montgomery-Fitzgerald, Social Studies Department, Room 214"


def roster_of(*rows: str, options: tuple[str, ...] = ()) -> Callable[[Path], Run]:
    def make(tmp: Path) -> Run:
        path = tmp / "period3.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return Run(class_set(tmp, "--roster", str(path), *options))

    return make


def stamps(page: Any, *, first: bool = False) -> list[dict[str, Any]]:
    """What the class set stamped on a page: text in reportlab's Noto Sans (not the page's
    own type) above the text area or in the name block on page 1, or in the foot (not the
    line numbers and speaker tags beside the source)."""
    head = 100 if first else 0.75 * 72
    return [
        c
        for c in page.chars
        if "NotoSans" in c["fontname"]
        and c["text"].strip()
        and (c["top"] < head or c["top"] > page.height - 0.75 * 72)
    ]


def label(page: Any, text: str, *, foot: bool = False) -> dict[str, Any]:
    """The page's own word text (not a stamp); with foot, the one in the running foot."""
    words = page.extract_words(extra_attrs=["fontname"])
    if foot:
        words = [w for w in words if w["top"] > page.height - 0.75 * 72]
    return next(w for w in words if w["text"] == text and "NotoSans" not in w["fontname"])


def stamped_text(chars: list[dict[str, Any]]) -> str:
    return normal(" ".join(c["text"] for c in chars).replace(" ", ""))


def first_copy(tmp: Path) -> list[Any]:
    """The pages of the first copy in the class set, with pdfplumber open on them."""
    (path,) = (tmp / "out" / "lesson").glob("*.pdf")
    pdf = pdfplumber.open(path)
    return [
        page
        for page in pdf.pages
        if "Copy 1 of " in (text := page.extract_text()) and "intentionally" not in text
    ]


def stamps_inside_their_blanks(name: str, date: str) -> Callable[[Path, str], None]:
    """Every stamp prints whole, at 7 pt or more, inside its blank and its page."""

    def check(tmp: Path, printed: str) -> None:
        pages = first_copy(tmp)
        for page in pages:
            chars = stamps(page, first=page is pages[0])
            assert all(c["size"] >= 7 - 0.01 for c in chars)
            assert all(c["x0"] >= 36 and c["x1"] <= page.width - 36 for c in chars)
            assert all(c["top"] >= 18 and c["bottom"] <= page.height - 18 for c in chars)
            footer = [c for c in chars if c["top"] > page.height - 0.75 * 72]
            assert footer, "no copy label in the footer"
            title = label(page, "Saturday", foot=True)  # the short title's last word
            number = label(page, "Page", foot=True)
            assert title["x1"] < min(c["x0"] for c in footer)
            assert max(c["x1"] for c in footer) < number["x0"]
        first = pages[0]
        date_label, period_label = label(first, "Date"), label(first, "Period")
        top = [c for c in stamps(first, first=True) if c["top"] < 100]
        on_name = [c for c in top if c["x1"] < date_label["x0"]]
        on_date = [c for c in top if date_label["x1"] < c["x0"] < period_label["x0"]]
        assert stamped_text(on_name) == stamped_text([{"text": name}])
        assert stamped_text(on_date) == stamped_text([{"text": date}])
        assert len(on_name) + len(on_date) == len(top), "a stamp outside the blanks"
        assert max(c["x1"] for c in on_date) < period_label["x0"]
        for page in pages[1:]:
            header = [c for c in stamps(page) if c["top"] < 72]
            assert header, f"no name in the header of page {page.page_number}"
            assert stamped_text(header) == stamped_text([{"text": name}])
            assert max(c["x1"] for c in header) <= page.width - 0.7 * 72 + 0.5

    return check


# Speaker tags in the margin ------------------------------------------------------------


def speaker_rfk(name: str, short: str) -> Callable[[Path], Run]:
    def make(tmp: Path) -> Run:
        line = edit(
            lesson(tmp) / "source.md",
            "rfk: { name: Robert Kennedy, short: RFK,",
            f"rfk: {{ name: {name}, short: {short},",
        )
        return Run(build(tmp, lesson(tmp)), {"line": line})

    return make


def tags_on_the_paper(tmp: Path, printed: str) -> None:
    """Every speaker tag stands in the margin, a quarter inch or more from the paper's edge."""
    for edition in ("student", "teacher"):
        with pdfplumber.open(tmp / "out" / "lesson" / f"lesson-{edition}.pdf") as pdf:
            tags = [
                c
                for page in pdf.pages
                for c in page.chars
                if "NotoSans-Bold" in c["fontname"] and c["text"].strip()
            ]
            assert tags, edition
            assert min(c["x0"] for c in tags) >= 18 - 0.5, edition


CASES: dict[str, Case] = {
    "notes-crowded": Case(
        longer_definitions("reconnaissance", "essence", "specialist", "undoubtedly", "quarantine"),
        (
            "{packet}/vocabulary.yaml:7: the margin notes beside the source text of Document A "
            "on page ",
            "need ",
            "lines of the sidebar, but it has room for ",
            "'specialist' (line 7, ",
            "'quarantine' (line 13, ",
            "fix: shorten the longest of these definitions by ",
            "lines in all, or remove one of these terms",
        ),
    ),
    "note-over-citation": Case(
        longer_definitions(
            "confidential",
            extra=" A confidential message is one that only the people it is written for may"
            " read; governments mark such papers so that clerks lock them away.",
        ),
        ("wrote ",),
        code=0,
        writes=("lesson/lesson-student.pdf",),
        check=note_clear_of_the_citation,
    ),
    "name-66-characters": Case(
        roster_of(
            "First Name,Last Name",
            "María de los Ángeles Guadalupe,Fernández-Castillo de la Torre Ruiz",
            "Ana,Lopez",
            options=("--teacher", "Ms. Rivera", "--date", "Nov. 18"),
        ),
        ("wrote ",),
        code=0,
        writes=("lesson/lesson-class-set-period3.pdf",),
        check=stamps_inside_their_blanks(LONG_NAME, "Nov. 18"),
    ),
    "date-long": Case(
        roster_of("Name", "Ana Lopez", options=("--date", LONG_DATE)),
        ("wrote ",),
        code=0,
        writes=("lesson/lesson-class-set-period3.pdf",),
        check=stamps_inside_their_blanks("Ana Lopez", LONG_DATE),
    ),
    "stamps-too-long": Case(
        roster_of(
            "First Name,Last Name,Period",
            "Ana,Lopez,3",
            "Jo " * 50 + "," + "Smith " * 50 + ",3",
            "Ben,Ng,3 – AP United States History",
            options=("--booklet", "--teacher", TEACHER),
        ),
        (
            "Error: 3 problems in the class set:",
            "{tmp}/period3.csv:3: the name 'Jo Jo Jo",
            "characters) does not fit on the name line on page 1, even shrunk to 7 pt and wrapped",
            "fix: shorten the name in the roster (for example a first name and one last name)",
            "{tmp}/period3.csv:4: the period '3 – AP United States History' does not fit in "
            "the Period blank",
            f"--teacher: '{TEACHER}' does not fit in the page footers after 'Copy k of N'",
            "fix: give a shorter teacher name",
        ),
    ),
    "speaker-name-long": Case(
        speaker_rfk("Attorney General Robert Francis Kennedy", "RFK"),
        ("wrote ",),
        code=0,
        check=tags_on_the_paper,
    ),
    "speaker-short-long": Case(
        speaker_rfk("Robert Kennedy", "Attorney General Robert Francis Kennedy"),
        (
            "{packet}/source.md: speakers: rfk: the short name 'Attorney General Robert Francis "
            "Kennedy' is too long to print in the margin beside the text",
            "fix: give a shorter short: name, such as initials",
        ),
    ),
}
