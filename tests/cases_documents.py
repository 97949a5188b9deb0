"""Bad-input cases: several documents (a section of docs/bad-input.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from badinput import Case, Run, append, edit, lesson


def check(tmp: Path, line: int, **facts: object) -> Run:
    return Run(["-m", "packet", "check", str(lesson(tmp))], {"line": line, **facts})


def changed(name: str, old: str, new: str, *, below: int = 0) -> Callable[[Path], Run]:
    """Change one file of the packet and check it; {line} is where the change is."""

    def make(tmp: Path) -> Run:
        return check(tmp, edit(lesson(tmp) / name, old, new) + below)

    return make


def question_for_document(tmp: Path) -> Run:
    line = edit(lesson(tmp) / "questions.yaml", "  document: B\n", "  document: D\n")
    return check(tmp, line)


def unknown_anchor_elsewhere(tmp: Path) -> Run:
    path = lesson(tmp) / "questions.yaml"
    line = append(
        path,
        "- kind: corroboration\n  prompt: Compare [[lines B#handshake]] with the cable.\n"
        "  lines: 3\n  answer: They differ.\n",
    )
    return check(tmp, line + 1)


def cite_unknown_document(tmp: Path) -> Run:
    line = append(
        lesson(tmp) / "questions.yaml",
        "- kind: corroboration\n  prompt: Compare [[lines Z#offer]] with the speech.\n"
        "  lines: 3\n  answer: They differ.\n",
    )
    return check(tmp, line + 1)


def ambiguous_anchor(tmp: Path) -> Run:
    """Two documents mark a passage of the same name; a packet-wide text cites it bare."""
    folder = lesson(tmp)
    edit(folder / "address.md", "[[#quarantine]]", "[[#offer]][[/#offer]][[#quarantine]]")
    line = append(
        folder / "questions.yaml",
        '- kind: corroboration\n  prompt: "Reread [[lines #offer]]. What was offered?"\n'
        "  lines: 3\n  answer: An end to the quarantine.\n",
    )
    return check(tmp, line + 1)


def unlisted_document(tmp: Path) -> Run:
    folder = lesson(tmp)
    (folder / "letter.md").write_text(
        "---\ntitle: A letter\ncreator: Nikita Khrushchev\ndate: 1962-10-26\n"
        "citation: A citation.\nheadnote: A headnote.\n---\nDear Mr. President,\n",
        encoding="utf-8",
    )
    return check(tmp, 1)


def two_labels(tmp: Path) -> Run:
    folder = lesson(tmp)
    line = edit(folder / "packet.yaml", "  - file: map.md\n", "  - file: map.md\n    label: B\n")
    return check(tmp, line)


def without_alt(tmp: Path) -> Run:
    path = lesson(tmp) / "map.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("\nalt: ") + 1
    end = text.index("\ndescription: ", start) + 1
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return check(tmp, 2)


def listed_twice(tmp: Path) -> Run:
    folder = lesson(tmp)
    line = edit(folder / "packet.yaml", "  - file: map.md\n", "  - address.md\n  - file: map.md\n")
    return check(tmp, line)


DATE_FIX = "fix: write"

CASES: dict[str, Case] = {
    "unknown-document-label": Case(
        question_for_document,
        (
            "{packet}/questions.yaml:{line}: question 9.document: question 9 belongs to "
            "Document D, which the packet does not have",
            "fix: use one of the documents' labels (A, B, C)",
        ),
    ),
    "unknown-anchor-in-another-document": Case(
        unknown_anchor_elsewhere,
        (
            "{packet}/questions.yaml:{line}: [[lines B#handshake]] cites an anchor that does "
            "not exist in Document B",
            "fix: mark the passage in Document B with [[#handshake]]…[[/#handshake]], or use "
            "one of: #appeal, #cloak",
        ),
    ),
    "cite-unknown-document": Case(
        cite_unknown_document,
        (
            "{packet}/questions.yaml:{line}: [[lines Z#offer]] cites Document Z, which the "
            "packet does not have",
            "fix: use one of the documents' labels: A, B, C",
        ),
    ),
    "ambiguous-anchor": Case(
        ambiguous_anchor,
        (
            "{packet}/questions.yaml:{line}: [[lines #offer]] could mean the passage #offer of "
            "Document A or Document B",
            "fix: say which, e.g. [[lines A#offer]]",
        ),
    ),
    "image-without-alt": Case(
        without_alt,
        (
            "{packet}/map.md:{line}: alt: required field 'alt' is missing",
            "fix: add a line 'alt: what the picture shows, in a sentence'",
        ),
    ),
    "impossible-document-date": Case(
        changed("address.md", "date: 1962-10-22", "date: 1962-02-30"),
        ("{packet}/address.md:{line}: date: ", "1962-02-30", DATE_FIX),
    ),
    "date-range-backwards": Case(
        changed("address.md", "date: 1962-10-22", "date: 1865–1861"),
        ("{packet}/address.md:{line}: date: ", DATE_FIX),
    ),
    "unlisted-document": Case(
        unlisted_document,
        (
            "{packet}/letter.md:1: is a document, but the packet does not list it, so it would "
            "not print",
            "fix: add '- letter.md' under 'documents:' in packet.yaml, or move the file out",
        ),
    ),
    "duplicate-label": Case(
        two_labels,
        (
            "two documents are labelled 'B' (address.md and map.md)",
            "fix: give each document its own label, or leave the labels out",
        ),
    ),
    "document-listed-twice": Case(
        listed_twice,
        (
            "{packet}/packet.yaml:{line}: documents: address.md is listed twice under "
            "'documents:' (first on line ",
            "fix: list each document once",
        ),
    ),
    "image-document-with-text": Case(
        lambda tmp: check(tmp, _append_body(lesson(tmp) / "map.md")),
        (
            "{packet}/map.md:{line}: a map has no text, but there is text after the front matter",
            "fix: put words about the image in 'caption:' or 'headnote:', and delete the text",
        ),
    ),
    "image-width": Case(
        changed("map.md", "\nwidth: ", "\nwidth: 3 #", below=1),
        (
            "{packet}/map.md:{line}: width: 'width' is 3: it should be part of the text column",
            "fix: write e.g. 'width: 0.6' for three fifths of the column, or 'width: full'",
        ),
    ),
}


def _append_body(path: Path) -> int:
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(text + "A line of text under the map.\n", encoding="utf-8")
    return text.count("\n") + 1
