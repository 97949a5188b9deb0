"""The answer key cannot leak: read a student PDF back and refuse it if it shows any.

The check reads the finished PDF (page text, metadata, outline, annotations,
attachments), not the HTML that made it, so it also catches what a template,
a stylesheet or a later step put there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .errors import PacketError
from .markup import plain
from .model import Markdown, Packet
from .validate import markdowns

MIN_WORDS = 5  # shorter sentences ("Yes.") could appear anywhere by chance


@dataclass(frozen=True)
class Secret:
    """A sentence only the teacher edition may print, and where it came from."""

    sentence: str
    normal: str
    where: str


def normal(text: str) -> str:
    """Words only, lower case: line breaks, quotes and dashes do not matter."""
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"[\w']+", text.casefold()))


def _sentences(text: str) -> Iterator[str]:
    for paragraph in plain(text).split("\n"):
        for sentence in re.split(r"(?<=[.!?])[”\"’)]*\s+", paragraph):
            if len(re.findall(r"\w+", sentence)) >= MIN_WORDS:
                yield sentence.strip()


def teacher_only(packet: Packet) -> list[Secret]:
    """Sentences of the key and notes, except those quoting the source itself."""
    source = _source_text(packet)
    secrets = []
    teacher = packet.teacher
    sources: list[tuple[Markdown, str]] = [
        (q.answer, f"the answer to question {q.number}") for q in packet.questions
    ]
    sources += [(md, f"teacher.yaml, line {md.line}") for md in markdowns(None, None, (), teacher)]
    for md, where in sources:
        for sentence in _sentences(md.text):
            key = normal(re.sub(r"\[\[lines #[\w-]+\]\]", " ", sentence))
            if key and key not in source:
                secrets.append(Secret(sentence, key, where))
    return secrets


def _source_text(packet: Packet) -> str:
    """The primary source's own words, which an answer may quote without leaking."""
    document = packet.document
    parts = [document.original.body, document.citation]
    if document.adapted:
        parts.append(document.adapted.body)
    return normal(" ".join(plain(p) for p in parts))


def readable_text(data: bytes) -> str:
    """Everything a reader or a program can read from a PDF, as one normalised string."""
    import pypdfium2  # PDFium reads text as viewers do, and fast (~1 ms a page)

    from .assemble import document_strings

    document = pypdfium2.PdfDocument(data)
    try:
        parts = [page.get_textpage().get_text_bounded() for page in document]
    finally:
        document.close()
    parts += document_strings(data)
    return normal(" ".join(parts))


def check_strings(strings: Sequence[str], packet: Packet, what: str) -> None:
    """Refuse text a student-facing file would carry if it holds a teacher-only sentence."""
    _refuse(normal(" ".join(strings)), packet, what)


def check_student_pdf(data: bytes, packet: Packet, *, what: str = "student edition") -> None:
    """Refuse a student PDF in which any teacher-only sentence can be read."""
    _refuse(readable_text(data), packet, what)


def _refuse(text: str, packet: Packet, what: str) -> None:
    leaked = [s for s in teacher_only(packet) if s.normal in text]
    if leaked:
        shown = "\n".join(f'  - "{s.sentence}" (from {s.where})' for s in leaked[:10])
        more = f"\n  … and {len(leaked) - 10} more" if len(leaked) > 10 else ""
        raise PacketError(
            f"refused to write the {what}: it would show {len(leaked)} sentence(s) meant "
            f"only for the teacher edition:\n{shown}{more}\n"
            "Remove them from the student-facing text (essay, source, questions, "
            "vocabulary), or from the answers and notes if they are not secret."
        )
