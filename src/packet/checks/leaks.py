"""The answer key cannot leak: read a student PDF back and refuse it if it shows any.

The check reads the finished PDF, not the HTML that made it, so it also catches
what a template, a stylesheet or a later step put there. It reads every text
object on every page wherever it is drawn (off the page, clipped, invisible),
in three orders: the structure tree's (what a screen reader reads), the page's
own drawing order, and the artifacts (running heads and feet, line numbers,
stamps) on their own, so a sentence split by a page break is read whole. Then
every string the file holds outside its pages: alt and actual text, link
targets, annotations, form fields, bookmarks, metadata, attachments.

Text is compared by letters and digits only (case, accents, spaces, punctuation
and line breaks do not count), so a sentence matches however it was broken,
spaced or hyphenated, in any script; scripts written without spaces (Chinese,
Japanese, Thai …) are compared character by character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from packet.content.markup import plain
from packet.content.model import Packet
from packet.content.validate import markdown_texts
from packet.errors import PacketError

MIN_WORDS = 5  # a sentence this long is protected wherever it can be read
SHORT_WORDS = 2  # one word ("Yes.") could appear anywhere by chance: two and up are protected
# A character of a script written without spaces weighs this much of a word.
UNSPACED_WEIGHT = 0.5
UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\U00020000-\U0003ffff"
)
# Stands for a [[lines #x]] mark until matching, which looks for what the mark prints.
CITE = "\ue000"
_CITE_MARK = re.compile(
    r"\[\[\s*(?:lines\s+[A-Za-z0-9]{0,3}#[a-z0-9][a-z0-9-]*(?:\s+to\s+#[a-z0-9][a-z0-9-]*)?"
    r"|document\s+[A-Za-z0-9]{1,3})\s*\]\]"
)
# "lines 14–19", "line 3", "lines 29–39 (adapted: lines 12–15)", "the passage"; compacted.
_CITE_PRINTED = (
    r"(?:(?:document[a-z0-9]{1,3})?lines?\d+(?:adaptedlines?\d+)?|thepassage"
    r"|document[a-z0-9]{1,3})"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)\]]*\s+|(?<=[。！？])[」』”)]*\s*")
# A period after these ends a word, not a sentence: "R. Kennedy", "U.S. missiles".
_ABBREVIATION = re.compile(r"(?:\b\w|\b\w\.\w+|Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|No|e\.g|i\.e)\.$")
SEPARATOR = "\x00"  # between texts that must not be read as one


@cache
def _unmark() -> dict[int, None]:
    """A str.translate table that drops combining marks (accents, Thai and Indic vowel signs).

    Python's \\w leaves them out, which would split words at them; dropped on both
    sides, they cannot matter.
    """
    codes = (*range(0x300, 0x20000), *range(0xE0100, 0xE01F0))
    return {c: None for c in codes if unicodedata.category(chr(c)).startswith("M")}


_WORD = re.compile(f"[^\\W_]+|{CITE}")
_UNSPACED_CHAR = re.compile(f"[{UNSPACED}{CITE}]")
_UNSPACED_LETTER = re.compile(f"[{UNSPACED}]")


@dataclass(frozen=True)
class Text:
    """Text as the guard compares it: letters and digits only, and where words start and end."""

    letters: str
    bounds: frozenset[int]

    @staticmethod
    def of(readings: Iterable[Iterable[str]]) -> Text:
        """Compact readings (each a sequence of chunks); nothing matches across two readings."""
        parts: list[str] = []
        bounds = {0}
        size = 0
        for reading in readings:
            folded = unicodedata.normalize("NFKC", "\n".join(reading)).casefold()
            words = _WORD.findall(folded.translate(_unmark()))
            if _UNSPACED_CHAR.search(folded):
                for word in words:
                    for char in _UNSPACED_CHAR.finditer(word):
                        bounds.update((size + char.start(), size + char.end()))
                    size += len(word)
                    bounds.add(size)
            else:
                for word in words:
                    size += len(word)
                    bounds.add(size)
            parts += words
            parts.append(SEPARATOR)
            size += 1
            bounds.add(size)
        return Text("".join(parts), frozenset(bounds))

    def weight(self) -> float:
        """How many words this is: a character of a script without spaces counts half."""
        unspaced = len(_UNSPACED_LETTER.findall(self.letters))
        if not unspaced:
            return len(self.bounds) - 1 - self.letters.count(SEPARATOR)
        spaced = _UNSPACED_CHAR.sub(" ", self.letters.replace(SEPARATOR, " ")).split()
        return len(spaced) + unspaced * UNSPACED_WEIGHT + self.letters.count(CITE)

    def has(self, pattern: re.Pattern[str], *, whole: bool) -> bool:
        """Whether pattern occurs, starting and ending on word boundaries if whole."""
        position = 0
        while found := pattern.search(self.letters, position):
            if not whole or (found.start() in self.bounds and found.end() in self.bounds):
                return True
            position = found.start() + 1
        return False


def compact(text: str) -> Text:
    """One text, compacted."""
    return Text.of([[text]])


def normal(text: str) -> str:
    """Words only, lower case: line breaks, quotes and dashes do not matter."""
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"[\w']+", text.casefold()))


@dataclass(frozen=True)
class Secret:
    """A sentence only the teacher edition may print, and where it came from.

    A long one is refused wherever its letters can be read in order; a short
    one (``whole``) only as a whole phrase, from word boundary to word boundary.
    """

    sentence: str
    pattern: re.Pattern[str]
    where: str
    whole: bool = False

    def shown_in(self, text: Text) -> bool:
        return text.has(self.pattern, whole=self.whole)


def _typed(markdown: str) -> str:
    """The text a Markdown text prints, with CITE where a [[lines #x]] mark prints its lines."""
    return plain(_CITE_MARK.sub(CITE, markdown))


@lru_cache(maxsize=1024)
def sentences(markdown: str) -> tuple[str, ...]:
    """The sentences a Markdown text prints, each [[lines #x]] mark kept as typed."""
    marks = iter(_CITE_MARK.findall(markdown))
    found = []
    for paragraph in _typed(markdown).split("\n"):
        merged: list[str] = []
        for piece in _SENTENCE_END.split(paragraph):
            if merged and _ABBREVIATION.search(merged[-1]):
                merged[-1] += " " + piece
            else:
                merged.append(piece)
        found += [s.strip() for s in merged if s.strip()]
    # Put each mark back where it was typed, so the sentence reads as the teacher wrote it.
    return tuple(re.sub(CITE, lambda _: next(marks, "[[lines]]"), s) for s in found)


def _patterns(sentence: str) -> tuple[Text, re.Pattern[str], re.Pattern[str]]:
    """The sentence compacted, and patterns for it as it prints and as it is typed."""
    key = compact(_CITE_MARK.sub(CITE, sentence))
    letters = key.letters.rstrip(SEPARATOR)
    printed = _CITE_PRINTED.join(re.escape(part) for part in letters.split(CITE))
    return key, re.compile(printed), re.compile(re.escape(letters))


@lru_cache(maxsize=8)  # a class set checks the same packet's files more than once
def teacher_only(packet: Packet) -> tuple[Secret, ...]:
    """What the student edition must not show, with the sentences it may show exempt.

    Every sentence of an answer, a teacher note or the substitute plan that has
    MIN_WORDS words or more, unless it quotes the primary source. And every
    short answer (a sentence of an answer, or a whole answer, of SHORT_WORDS to
    MIN_WORDS - 1 words) as a whole phrase, unless the phrase occurs in the
    primary source or in the question's own prompt.
    """
    source = _source_text(packet)
    secrets: list[Secret] = []
    for md in markdown_texts(packet.teacher):
        secrets += _long(md.text, f"teacher.yaml, line {md.line}", source)
    for document in packet.documents:  # why it is in the lesson; what a picture shows
        private = (document.purpose, document.image.description if document.image else None)
        for part in private:
            if part is not None:
                secrets += _long(part.text, f"{part.file.name}, line {part.line}", source)
    for md in packet.task.scoring if packet.task else ():
        secrets += _long(md.text, f"the scoring guide, packet.yaml line {md.line}", source)
    for q in packet.questions:
        where = f"the answer to question {q.number}"
        secrets += _long(q.answer.text, where, source)
        said = (source, compact(_typed(q.prompt.text)))
        found = sentences(q.answer.text)
        for sentence in dict.fromkeys([*found, " ".join(found)]):
            key, printed, typed = _patterns(sentence)
            short = SHORT_WORDS <= key.weight() < MIN_WORDS
            if short and not any(text.has(typed, whole=True) for text in said):
                secrets.append(Secret(sentence, printed, where, whole=True))
    return tuple(secrets)


def _long(markdown: str, where: str, source: Text) -> Iterator[Secret]:
    for sentence in sentences(markdown):
        key, printed, typed = _patterns(sentence)
        if key.weight() >= MIN_WORDS and not source.has(typed, whole=True):
            yield Secret(sentence, printed, where)


def _source_text(packet: Packet) -> Text:
    """The primary source's own words, which an answer may quote without leaking."""
    parts = []
    for document in packet.documents:
        parts += [text.body for text in document.texts()]
        parts.append(document.citation)
    return Text.of([[plain(p)] for p in parts])


# Reading the PDF --------------------------------------------------------------------------


def pdf_readings(data: bytes) -> list[list[str]]:
    """Every way a reader or a program can read the PDF's text, each as a list of chunks."""
    import pypdfium2  # PDFium reads text as viewers do, and fast
    import pypdfium2.raw as pdfium

    from packet.checks.pdfstrings import document_strings

    structure: list[str] = []  # tagged text, in the structure tree's order
    drawn: list[str] = []  # everything but artifacts, in drawing order
    artifacts: list[str] = []  # running heads and feet, line numbers, stamps
    marked: list[list[str]] = []  # /ActualText, /Alt and /E of marked content
    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            # Annotations' appearances print, but are no page text until flattened.
            if pdfium.FPDFPage_GetAnnotCount(page.raw) and (
                pdfium.FPDFPage_Flatten(page.raw, pdfium.FLAT_PRINT) == pdfium.FLATTEN_SUCCESS
            ):
                page.close()  # the flattened page must be loaded again
                page = document[index]
            textpage = page.get_textpage()
            objects = _Objects(textpage.raw)
            count = pdfium.FPDFPage_CountObjects(page.raw)
            objects.walk([pdfium.FPDFPage_GetObject(page.raw, i) for i in range(count)])
            for mcid in _structure_order(page.raw):
                structure += objects.tagged.pop(mcid, [])
            drawn += objects.drawn
            artifacts += objects.artifacts
            marked += [[s] for s in objects.marked]
            textpage.close()
            page.close()
    finally:
        document.close()
    return [structure, drawn, artifacts, *marked, *([s] for s in document_strings(data))]


class _Objects:
    """The text objects of one page (and of the forms it draws), sorted by how they are read."""

    def __init__(self, textpage: Any) -> None:
        self.textpage = textpage
        self.tagged: dict[int, list[str]] = {}
        self.drawn: list[str] = []
        self.artifacts: list[str] = []
        self.marked: list[str] = []

    def walk(self, objects: Sequence[Any], *, artifact: bool = False) -> None:
        import pypdfium2.raw as pdfium

        for obj in objects:
            mcid = pdfium.FPDFPageObj_GetMarkedContentID(obj)
            marks = pdfium.FPDFPageObj_CountMarks(obj)
            if mcid >= 0 and marks == 1:  # tagged content (artifacts have no MCID): the usual case
                mark = pdfium.FPDFPageObj_GetMark(obj, 0)
                if pdfium.FPDFPageObjMark_CountParams(mark) > 1:
                    self._params(mark)
                is_artifact = artifact
            else:
                is_artifact = artifact or "Artifact" in self._marks(obj, marks)
            kind = pdfium.FPDFPageObj_GetType(obj)
            if kind == pdfium.FPDF_PAGEOBJ_TEXT:
                text = self._text(obj)
                if is_artifact:
                    self.artifacts.append(text)
                else:
                    self.drawn.append(text)
                    if mcid >= 0:
                        self.tagged.setdefault(mcid, []).append(text)
            elif kind == pdfium.FPDF_PAGEOBJ_FORM:
                count = pdfium.FPDFFormObj_CountObjects(obj)
                inner = [pdfium.FPDFFormObj_GetObject(obj, i) for i in range(count)]
                self.walk(inner, artifact=is_artifact)

    def _text(self, obj: Any) -> str:
        import ctypes

        import pypdfium2.raw as pdfium

        size = pdfium.FPDFTextObj_GetText(obj, self.textpage, None, 0)
        buffer = (ctypes.c_ushort * (size // 2 + 1))()
        pdfium.FPDFTextObj_GetText(obj, self.textpage, buffer, size)
        return _utf16(buffer, size)

    def _marks(self, obj: Any, count: int) -> list[str]:
        """The names of the object's marked-content tags, keeping their text."""
        import pypdfium2.raw as pdfium

        names = []
        for index in range(count):
            mark = pdfium.FPDFPageObj_GetMark(obj, index)
            names.append(_string_of(pdfium.FPDFPageObjMark_GetName, mark))
            if pdfium.FPDFPageObjMark_CountParams(mark):
                self._params(mark)
        return names

    def _params(self, mark: Any) -> None:
        """Keep the text a marked-content tag carries for screen readers and extractors."""
        import ctypes

        import pypdfium2.raw as pdfium

        for param in range(pdfium.FPDFPageObjMark_CountParams(mark)):
            key = _string_of(pdfium.FPDFPageObjMark_GetParamKey, mark, param)
            if pdfium.FPDFPageObjMark_GetParamValueType(mark, key.encode()) == (
                pdfium.FPDF_OBJECT_STRING
            ):
                name = key.encode()
                length = ctypes.c_ulong()
                get = pdfium.FPDFPageObjMark_GetParamStringValue
                get(mark, name, None, 0, ctypes.byref(length))
                buffer = (ctypes.c_ushort * (length.value // 2 + 1))()
                get(mark, name, buffer, length.value, ctypes.byref(length))
                self.marked.append(_utf16(buffer, length.value))


def _string_of(function: Any, *args: Any) -> str:
    """Call a PDFium getter that writes UTF-16 into a buffer and reports its length."""
    import ctypes

    length = ctypes.c_ulong()
    function(*args, None, 0, ctypes.byref(length))
    buffer = (ctypes.c_ushort * (length.value // 2 + 1))()
    function(*args, buffer, length.value, ctypes.byref(length))
    return _utf16(buffer, length.value)


def _utf16(buffer: Any, size: int) -> str:
    """Decode size bytes of NUL-terminated UTF-16 from a ctypes buffer."""
    return bytes(buffer)[: max(size - 2, 0)].decode("utf-16-le", "replace")


def _structure_order(page: Any) -> list[int]:
    """The page's marked-content ids in the order its structure tree reads them."""
    import pypdfium2.raw as pdfium

    order: list[int] = []

    def visit(element: Any) -> None:
        for i in range(pdfium.FPDF_StructElement_CountChildren(element)):
            child = pdfium.FPDF_StructElement_GetChildAtIndex(element, i)
            if child:
                visit(child)
            elif (mcid := pdfium.FPDF_StructElement_GetChildMarkedContentID(element, i)) >= 0:
                order.append(mcid)

    tree = pdfium.FPDF_StructTree_GetForPage(page)
    if tree:
        try:
            for i in range(pdfium.FPDF_StructTree_CountChildren(tree)):
                if element := pdfium.FPDF_StructTree_GetChildAtIndex(tree, i):
                    visit(element)
        finally:
            pdfium.FPDF_StructTree_Close(tree)
    return order


def readable_text(data: bytes) -> str:
    """Everything a reader or a program can read from a PDF, as one normalised string."""
    return normal("\n".join(chunk for reading in pdf_readings(data) for chunk in reading))


def check_strings(strings: Sequence[str], packet: Packet, what: str) -> None:
    """Refuse text a student-facing file would carry if it holds a teacher-only sentence."""
    _refuse(Text.of([[s] for s in strings]), packet, what)


def check_student_pdf(data: bytes, packet: Packet, *, what: str = "student edition") -> None:
    """Refuse a student PDF in which any teacher-only sentence can be read."""
    _refuse(Text.of(pdf_readings(data)), packet, what)


def _brief(sentence: str, limit: int = 200) -> str:
    """The sentence, or its start if it is too long to read in an error message."""
    return sentence if len(sentence) <= limit else sentence[: limit - 20].rstrip() + " …"


def _refuse(text: Text, packet: Packet, what: str) -> None:
    leaked = [s for s in teacher_only(packet) if s.shown_in(text)]
    if leaked:
        shown = "\n".join(f'  - "{_brief(s.sentence)}" (from {s.where})' for s in leaked[:10])
        more = f"\n  … and {len(leaked) - 10} more" if len(leaked) > 10 else ""
        raise PacketError(
            f"refused to write the {what}: it would show {len(leaked)} sentence(s) meant "
            f"only for the teacher edition:\n{shown}{more}\n"
            "Remove them from the student-facing text (essay, source, questions, "
            "vocabulary, image descriptions, titles), or from the answers and notes if "
            "they are not secret."
        )
