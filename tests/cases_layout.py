"""Bad-input cases: nothing drawn where it does not belong (a section of docs/bad-input.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from badinput import Case, Run, build, lesson

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
    """The last margin note ends above the citation that closes the document."""
    with pdfplumber.open(tmp / "out" / "lesson" / "lesson-student.pdf") as pdf:
        for page in pdf.pages:
            labels = [w for w in page.extract_words() if w["text"] == "SOURCE"]
            if not labels:
                continue
            # The notes' type, below the running header and above the footer.
            notes = [
                c
                for c in page.chars
                if "Sans" in c["fontname"]
                and abs(c["size"] - 8.5) < 0.05
                and 54 < c["top"] < page.height - 54
            ]
            assert notes, "no margin notes beside the end of the text"
            assert max(c["bottom"] for c in notes) < labels[0]["top"]
            return
    raise AssertionError("no citation found")


CASES: dict[str, Case] = {
    "notes-crowded": Case(
        longer_definitions("reconnaissance", "essence", "specialist", "undoubtedly", "quarantine"),
        (
            "{packet}/vocabulary.yaml:1: the margin notes beside the source text on page ",
            "need ",
            "lines of the sidebar, but it has room for ",
            "'reconnaissance' (line 1, ",
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
}
