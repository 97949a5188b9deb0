"""Checks that need the whole packet: markup, anchors, vocabulary, duplicates."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from packet.content.cites import Unresolved, resolve
from packet.content.images import image_problem
from packet.content.markup import Found, plain, scan, term_pattern
from packet.content.model import (
    Document,
    Markdown,
    Meta,
    Question,
    SupportingQuestion,
    Task,
    TeacherNotes,
    Term,
)
from packet.errors import Problems
from packet.resources import fonts_dir


@cache
def printable_characters() -> frozenset[int]:
    """Every character some bundled font can draw (WeasyPrint falls back among them)."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for path in sorted(fonts_dir().glob("*.ttf")):
        try:
            covered.update(TTFont(path, lazy=True)["cmap"].getBestCmap())
        except Exception:  # a damaged font is reported, with its name, before rendering
            continue
    return frozenset(covered)


def check_characters(text: str, file: Path | str, problems: Problems) -> None:
    """Report characters no bundled font has, where they are typed: they print as boxes."""
    printable = printable_characters()
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        for char in line:
            if char in seen or ord(char) in printable or char.isspace():
                continue
            if unicodedata.category(char) in ("Cf", "Mn", "Cc"):
                continue  # joiners and marks are drawn with the letter they belong to
            seen.add(char)
            problems.add(
                file,
                f"no bundled font can print '{char}' "
                f"(U+{ord(char):04X} {unicodedata.name(char, 'unnamed')})",
                "replace it with a character from Latin, Greek, Cyrillic, Arabic, Hebrew or "
                "common CJK scripts, or write it out in words",
                line=number,
            )


def check_language(tag: str, file: Path, line: int, problems: Problems) -> None:
    """Accept a well-formed BCP 47 tag whose language is a real one."""
    import langcodes  # only needed when a packet is checked

    fix = "use a BCP 47 language tag such as 'en', 'en-US', 'es-MX' or 'ru'"
    try:
        valid = langcodes.tag_is_valid(tag) and langcodes.Language.get(tag).is_valid()
    except (ValueError, LookupError):
        valid = False
    if not valid:
        problems.add(file, f"'{tag}' is not a valid language tag", fix, line=line, field="language")


def markdown_texts(*parts: object) -> Iterator[Markdown]:
    """Every Markdown text held anywhere in these parts of the model.

    The model is walked, not listed field by field, so a Markdown field added to it
    is checked without anyone remembering to add it here.
    """
    for part in parts:
        if isinstance(part, Markdown):
            yield part
        elif dataclasses.is_dataclass(part) and not isinstance(part, type):
            yield from markdown_texts(*(getattr(part, f.name) for f in dataclasses.fields(part)))
        elif isinstance(part, tuple | list):
            yield from markdown_texts(*part)


def markdowns(
    documents: Sequence[Document],
    essay: Markdown | None,
    questions: Sequence[Question],
    teacher: TeacherNotes | None,
    *,
    meta: Meta | None = None,
    vocabulary: Sequence[Term] = (),
    inquiry: Sequence[object] = (),
) -> Iterator[tuple[Markdown, str]]:
    """Every Markdown text of a packet that is not a document's text, with the label of
    the document it belongs to ("" for the packet as a whole)."""
    for document in documents:
        bodies = [text.body for text in document.texts()]
        for md in markdown_texts(document):
            if not any(md is body for body in bodies):
                yield md, document.label
    for question in questions:
        for md in markdown_texts(question):
            yield md, question.document
    for md in markdown_texts(meta, essay, vocabulary, teacher, *inquiry):
        yield md, ""


def cross_check(
    root: Path,
    problems: Problems,
    *,
    meta: Meta | None = None,
    documents: Sequence[Document] | None,
    essay: Markdown | None,
    questions: Sequence[Question],
    vocabulary: Sequence[Term],
    teacher: TeacherNotes | None,
    supporting: Sequence[SupportingQuestion] = (),
    task: Task | None = None,
) -> None:
    """Report problems that show only when the files are read together.

    Runs on whatever parts loaded, so one broken file does not hide the others' problems.
    """
    anchors: dict[str, frozenset[str]] = {}
    for document in documents or ():
        speakers = [s.id for s in document.speakers]
        names: set[str] = set()
        for text in document.texts():
            found = scan(text.body, problems, speakers=speakers, allow_spans=True)
            _check_images(root, text.body.file, found, problems)
            names |= set(found.anchors)
        anchors[document.label] = frozenset(names)
        if document.image is not None:
            figure = document.image
            why, fix = image_problem(root, figure.src)
            if why:
                problems.add(document.file, f"image '{figure.src}' {why}", fix, line=figure.line)
    texts = markdowns(
        documents or (),
        essay,
        questions,
        teacher,
        meta=meta,
        vocabulary=vocabulary,
        inquiry=(*supporting, task),
    )
    for md, own in texts:
        found = scan(md, problems)
        _check_images(root, md.file, found, problems)
        if documents is None:
            continue  # without the documents, citations cannot be checked
        for cite, line in found.cites:
            where = resolve(cite, own, anchors)
            if isinstance(where, Unresolved):
                problems.add(md.file, where.why, where.fix, line=line)
    if documents:
        _check_vocabulary(root / "vocabulary.yaml", documents, vocabulary, problems)
        _check_supporting(root / "packet.yaml", supporting, list(anchors), problems)
    _check_questions(questions, problems)


def _check_supporting(
    file: Path, supporting: Sequence[SupportingQuestion], labels: list[str], problems: Problems
) -> None:
    for number, question in enumerate(supporting, start=1):
        for label in question.documents:
            if label not in labels:
                problems.add(
                    file,
                    f"supporting question {number} names Document {label}, which the packet "
                    "does not have",
                    f"use the documents' labels: {', '.join(labels)}",
                    line=question.line or None,
                    field=f"supporting_questions[{number}].documents",
                )


def _check_images(root: Path, file: Path, found: Found, problems: Problems) -> None:
    """An image must be a PNG, JPEG, GIF or SVG file inside the packet, with alt text."""
    for src, alt, line in found.images:
        if not alt.strip():
            problems.add(
                file,
                f"image '{src}' has no alt text",
                "describe the image between the brackets: ![a map of Cuba and Florida](map.png)",
                line=line,
            )
        why, fix = image_problem(root, src)
        if why:
            problems.add(file, f"image '{src}' {why}", fix, line=line)


def _check_vocabulary(
    file: Path, documents: Sequence[Document], vocabulary: Sequence[Term], problems: Problems
) -> None:
    text = "\n".join(plain(d.original.body) for d in documents if d.original is not None)
    seen: dict[str, int] = {}
    for term in vocabulary:
        key = term.term.casefold()
        if key in seen:
            problems.add(
                file,
                f"'{term.term}' is listed twice (first on line {seen[key]})",
                "keep one entry for each term",
                line=term.line,
                field="term",
            )
            continue
        seen[key] = term.line
        if not term_pattern(term).search(text):
            problems.add(
                file,
                f"'{term.term}' does not occur in the source text"
                + (" of any document" if len(documents) > 1 else ""),
                "check the spelling against the document's text, add the form the text uses "
                "under 'forms:', or remove the term",
                line=term.line,
                field="term",
            )


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _check_questions(questions: Sequence[Question], problems: Problems) -> None:
    seen: dict[str, int] = {}
    for q in questions:
        key = _normal(q.prompt.text)
        if key in seen:
            problems.add(
                q.prompt.file,
                f"question {q.number} repeats question {seen[key]}",
                "delete one of them, or reword it",
                line=q.prompt.line,
                field=f"question {q.number}.prompt",
            )
        else:
            seen[key] = q.number
