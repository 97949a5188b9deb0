"""Checks that need the whole packet: markup, anchors, vocabulary, duplicates."""

from __future__ import annotations

import dataclasses
import os
import re
import struct
import unicodedata
import urllib.parse
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import BinaryIO

from packet.content.markup import Found, plain, scan, term_pattern
from packet.content.model import Document, Markdown, Meta, Question, TeacherNotes, Term
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
    document: Document | None,
    essay: Markdown | None,
    questions: Sequence[Question],
    teacher: TeacherNotes | None,
    *,
    meta: Meta | None = None,
    vocabulary: Sequence[Term] = (),
) -> Iterator[Markdown]:
    """Every Markdown text of a packet that is not a source text."""
    bodies = _source_bodies(document)
    for md in markdown_texts(meta, document, essay, questions, vocabulary, teacher):
        if not any(md is body for body in bodies):
            yield md


def _source_bodies(document: Document | None) -> tuple[Markdown, ...]:
    if document is None:
        return ()
    if document.adapted is None:
        return (document.original.body,)
    return (document.original.body, document.adapted.body)


def cross_check(
    root: Path,
    problems: Problems,
    *,
    meta: Meta | None = None,
    document: Document | None,
    essay: Markdown | None,
    questions: Sequence[Question],
    vocabulary: Sequence[Term],
    teacher: TeacherNotes | None,
) -> None:
    """Report problems that show only when the files are read together.

    Runs on whatever parts loaded, so one broken file does not hide the others' problems.
    """
    anchors: set[str] = set()
    speakers = [s.id for s in document.speakers] if document else []
    for body in _source_bodies(document):
        found = scan(body, problems, speakers=speakers, allow_spans=True)
        _check_images(root, body.file, found, problems)
        anchors |= set(found.anchors)
    texts = markdowns(document, essay, questions, teacher, meta=meta, vocabulary=vocabulary)
    for md in texts:
        found = scan(md, problems)
        _check_images(root, md.file, found, problems)
        if document is None:
            continue  # without the source, citations cannot be checked
        for name, line in found.cites:
            if name not in anchors:
                known = ", ".join(f"#{a}" for a in sorted(anchors))
                problems.add(
                    md.file,
                    f"[[lines #{name}]] cites an anchor that does not exist",
                    f"mark the passage in source.md with [[#{name}]]…[[/#{name}]], or use one of: "
                    f"{known or 'no anchors are defined yet'}",
                    line=line,
                )
    if document:
        _check_vocabulary(root / "vocabulary.yaml", document, vocabulary, problems)
    _check_questions(questions, problems)


IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
MAX_IMAGE_BYTES = 20_000_000
# A page at 300 dpi is under 9 megapixels; a few kilobytes can claim billions of
# pixels, which would exhaust memory when decoded.
MAX_IMAGE_PIXELS = 40_000_000
_NAME_IT = "put the image file in the packet folder and give its name, e.g. ![…](map.png)"
_SAVE_IT = "open the image in an image editor and save it again as PNG or JPEG"


def _check_images(root: Path, file: Path, found: Found, problems: Problems) -> None:
    """An image must be a PNG, JPEG or GIF file inside the packet, with alt text."""
    for src, alt, line in found.images:
        if not alt.strip():
            problems.add(
                file,
                f"image '{src}' has no alt text",
                "describe the image between the brackets: ![a map of Cuba and Florida](map.png)",
                line=line,
            )
        why, fix = _image_problem(root, src)
        if why:
            problems.add(file, f"image '{src}' {why}", fix, line=line)


def _image_problem(root: Path, src: str) -> tuple[str, str]:
    """What is wrong with an image, and how to fix it; ("", "") if nothing."""
    if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "\\")):
        return (
            "is not a file in the packet (addresses and absolute paths are not allowed)",
            _NAME_IT,
        )
    # The parser writes 'carte-é.png' as 'carte-%C3%A9.png', as the renderer reads it.
    typed = root.resolve() / urllib.parse.unquote(src)
    # '..' that climbs out is named as such, whether or not something is there.
    if not Path(os.path.normpath(typed)).is_relative_to(root.resolve()):
        return "points outside the packet folder", _NAME_IT
    try:
        path = typed.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return "does not exist in the packet folder", _NAME_IT
    if not path.is_relative_to(root.resolve()):
        return "points outside the packet folder", _NAME_IT
    if not path.is_file():
        return "is not a file", _NAME_IT
    if path.stat().st_size > MAX_IMAGE_BYTES:
        return f"is larger than {MAX_IMAGE_BYTES // 1_000_000} MB", _SAVE_IT
    with path.open("rb") as handle:
        head = handle.read(8)
        signature = next((s for s in IMAGE_SIGNATURES if head.startswith(s)), b"")
        kind = IMAGE_SIGNATURES.get(signature, "")
        handle.seek(len(signature))
        size = _pixels(handle, kind) if kind else None
    if not kind:
        return "is not a PNG, JPEG or GIF image", _SAVE_IT
    if size is None or not all(size):
        return f"is a damaged {kind} file (its picture size cannot be read)", _SAVE_IT
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        return (
            f"is {width} × {height} pixels, too large to print (the limit is "
            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels)",
            "scale the image down to at most 3000 pixels on its longer side and save it again",
        )
    # A good header can front damaged picture data, which the renderer trips on late.
    from PIL import Image  # WeasyPrint decodes images with Pillow too

    try:
        with Image.open(path) as picture:
            picture.load()
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError… on damaged data
        return f"is a damaged {kind} file (its picture data cannot be read)", _SAVE_IT
    return "", ""


def _pixels(handle: BinaryIO, kind: str) -> tuple[int, int] | None:
    """Width and height from an image's header, or None if the header is damaged."""
    if kind == "GIF":  # the logical screen, just after the signature
        data = handle.read(4)
        return struct.unpack("<HH", data) if len(data) == 4 else None
    if kind == "PNG":  # the first chunk must be IHDR: length, type, width, height
        data = handle.read(16)
        if len(data) < 16 or data[4:8] != b"IHDR":
            return None
        return struct.unpack(">II", data[8:16])
    handle.seek(2)  # JPEG: walk the segments to the frame header (SOF0 to SOF15)
    while True:
        marker = handle.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        length = handle.read(2)
        if len(length) < 2:
            return None
        if 0xC0 <= marker[1] <= 0xCF and marker[1] not in (0xC4, 0xC8, 0xCC):
            data = handle.read(5)
            if len(data) < 5:
                return None
            height, width = struct.unpack(">HH", data[1:5])
            return width, height
        handle.seek(struct.unpack(">H", length)[0] - 2, 1)


def _check_vocabulary(
    file: Path, document: Document, vocabulary: Sequence[Term], problems: Problems
) -> None:
    text = plain(document.original.body)
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
                f"'{term.term}' does not occur in the source text",
                "check the spelling against source.md, add the form the text uses under 'forms:', "
                "or remove the term",
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
