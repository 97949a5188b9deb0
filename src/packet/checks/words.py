"""Words run together in a PDF's text: the last word of a line glued to the first of the
next, as extraction (and a screen reader) reads them."""

from __future__ import annotations

import ctypes
import itertools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from packet.checks.pdfview import Element, PdfView

_SEPARATORS = frozenset("\u200b\u00ad\u2060\ufeff")  # zero-width spaces, soft hyphen, joiners


def joined_words(view: PdfView) -> Iterator[tuple[int, list[str]]]:
    """Per page (from 1), the words glued across a line end in the order text is read."""
    import pypdfium2

    from packet.checks.leaks import UNSPACED

    unspaced = re.compile(f"[{UNSPACED}]")
    owners = {view.page_number[k]: v for k, v in view.owners.items() if k in view.page_number}
    tagged = bool(view.elements)
    document = pypdfium2.PdfDocument(view.data)
    try:
        for number in range(1, len(document) + 1):
            if tagged and number not in owners:
                yield number, []  # nothing tagged on it (a class set's later copies)
                continue
            page = document[number - 1]
            textpage = page.get_textpage()
            try:
                text = _PageText(textpage.raw, owners.get(number, {}), tagged=tagged)
                yield number, list(text.joined(unspaced))
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()


class _PageText:
    """A page's characters as PDFium reads them, with their baselines.

    PDFium adds the spaces and line breaks it guesses from the layout; those are
    kept as a mark that is no word, so the real characters on either side of a
    guessed line break can be compared. A character's block (the structure element
    it is read in; None for an artifact) is looked up only where a word may be
    glued: that is the slow part.
    """

    GUESSED = "\x01"

    def __init__(self, textpage: Any, owners: dict[int, Element], *, tagged: bool) -> None:
        import pypdfium2.raw as pdfium

        self.textpage, self.owners, self.tagged = textpage, owners, tagged
        chars: list[str] = []
        self.real: list[int] = []  # where the characters that are in the PDF's text are
        self.baselines: list[float] = []
        self.sizes: list[float] = []
        x, y = ctypes.c_double(), ctypes.c_double()
        for i in range(pdfium.FPDFText_CountChars(textpage)):
            if pdfium.FPDFText_IsGenerated(textpage, i) == 1:
                chars.append(self.GUESSED)
                self.baselines.append(0.0)
                self.sizes.append(0.0)
                continue
            char = chr(pdfium.FPDFText_GetUnicode(textpage, i))
            pdfium.FPDFText_GetCharOrigin(textpage, i, x, y)
            self.real.append(i)
            chars.append(" " if char.isspace() or char in _SEPARATORS else char)
            self.baselines.append(y.value)
            self.sizes.append(pdfium.FPDFText_GetFontSize(textpage, i))
        self.text = "".join(chars)
        self._blocks: dict[int, Any] = {}

    def block(self, i: int) -> Any:
        import pypdfium2.raw as pdfium

        if i not in self._blocks:
            obj = pdfium.FPDFText_GetTextObject(self.textpage, i)
            self._blocks[i] = _block_of(obj, self.owners, tagged=self.tagged)
        return self._blocks[i]

    def joined(self, unspaced: re.Pattern[str]) -> Iterator[str]:
        """Yield each word glued to the next line's first word, both halves, as read."""
        text, baselines, sizes = self.text, self.baselines, self.sizes
        if " " not in text and self.GUESSED in text:
            return  # no space is in the text: its words are told apart by position only
        for before, i in itertools.pairwise(self.real):
            if not (
                _is_word(text[before])
                and _is_word(text[i])
                and abs(baselines[i] - baselines[before]) > 0.7 * max(sizes[i], sizes[before])
                and not unspaced.match(text[before])
                and not unspaced.match(text[i])
            ):
                continue
            block = self.block(i)
            if block is None or block != self.block(before):
                continue
            start, end = before, i
            while start > 0 and _is_word(text[start - 1]) and self.block(start - 1) == block:
                start -= 1
            while end < len(text) and _is_word(text[end]) and self.block(end) == block:
                end += 1
            yield text[start : before + 1] + text[i:end]


def _block_of(obj: Any, owners: dict[int, Element], *, tagged: bool) -> Any:
    """The structure block a text object is read in; "untagged" if none; None if artifact."""
    import pypdfium2.raw as pdfium

    if not obj:
        return "untagged"
    mcid = pdfium.FPDFPageObj_GetMarkedContentID(obj)
    if mcid >= 0 and (element := owners.get(mcid)) is not None:
        # A figure is read by its alternative text, not by the labels drawn in it.
        return None if element.within("Figure") else element.block().id
    if tagged:
        # Untagged text is check_tagged's finding; and PDFium does not say whether text
        # in a form (line numbers, stamps) is drawn inside an artifact.
        return None
    for index in range(pdfium.FPDFPageObj_CountMarks(obj)):
        mark = pdfium.FPDFPageObj_GetMark(obj, index)
        length = ctypes.c_ulong()
        pdfium.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(length))
        buffer = (ctypes.c_ushort * (length.value // 2 + 1))()
        pdfium.FPDFPageObjMark_GetName(mark, buffer, length.value, ctypes.byref(length))
        if bytes(buffer)[: max(length.value - 2, 0)] == "Artifact".encode("utf-16-le"):
            return None
    return "untagged"


def _is_word(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


# Small readers ----------------------------------------------------------------------------
