"""Every string a PDF holds outside its page content, for the answer guard to read.

A screen reader or a text extractor reads more than the pages: alt text, link
targets, bookmarks, metadata, attachments. The guard must read all of it.
"""

from __future__ import annotations

import re
import urllib.parse

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from packet.printing.tags import open_pdf


def document_strings(data: bytes) -> list[str]:
    """Every string a PDF holds outside its page content, and its metadata and attachments.

    That is alt and actual text, expansions and titles of the structure, link
    targets, annotation contents, form fields and their values, bookmarks,
    named destinations, document info, page labels, and every other string in
    any object, whatever it is for: what a screen reader or a program can read
    without drawing the pages. Streams that hold text rather than drawing (XMP
    metadata, attached files) are read whole.
    """
    import html

    pdf = open_pdf(data, "the PDF")
    strings: list[str] = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            if obj.get("/Type") in (Name.Metadata, Name.EmbeddedFile) or obj.get("/Subtype") in (
                Name.XML,
                Name("/text#2Fplain"),
            ):
                try:
                    text = obj.read_bytes().decode("utf-8", "replace")
                except pikepdf.PdfError:  # a filter pikepdf cannot undo: the raw bytes
                    text = obj.read_raw_bytes().decode("utf-8", "replace")
                strings.append(html.unescape(text) if "<" in text else text)
            obj = obj.stream_dict
        if isinstance(obj, Dictionary | Array | String | Name):
            # qpdf writes the object out (its direct parts too) far faster than Python
            # can walk it; the strings are then picked out of that text.
            strings += _strings_in(obj.unparse(resolved=True))
    return strings


# A literal string (qpdf escapes every parenthesis in one), or a hex string.
_PDF_STRING = re.compile(rb"\((?:[^\\()]|\\.)*\)|<([0-9A-Fa-f\s]*)>", re.DOTALL)

_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|.)", re.DOTALL)

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

# Names are the format's own words (/Span, /FlateDecode), except where they name a
# destination, which may come from a heading of the packet.
_DESTINATION = re.compile(rb"/(?:Dest|Dests|D)\s*/([^\s/<>\[\]()%{}]+)")

_FILE_ID = re.compile(rb"/ID\s*\[[^\]]*\]")  # random bytes, which could spell anything


def _strings_in(written: bytes) -> list[str]:
    """The text of every string and destination name in an object as qpdf writes it."""
    written = _FILE_ID.sub(b"", written)
    found = []
    for match in _PDF_STRING.finditer(written):
        if match.group(1) is not None:
            digits = re.sub(rb"\s", b"", match.group(1))
            raw = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
        else:
            raw = _ESCAPE.sub(_unescape, match.group()[1:-1])
        if raw:
            found.append(_decode(raw))
    for name in _DESTINATION.findall(written):
        found.append(
            _decode(re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes.fromhex(m[1].decode()), name))
        )
    # An address, percent-encoded: read it as a browser shows it too.
    found += [urllib.parse.unquote_plus(text) for text in found if "%" in text]
    return found


def _unescape(escape: re.Match[bytes]) -> bytes:
    code = escape.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8) & 0xFF])
    if code in (b"\r\n", b"\n", b"\r"):
        return b""  # a line continuation
    return _ESCAPES.get(code, code)


def _decode(raw: bytes) -> str:
    """A PDF string as text: UTF-16 with a byte-order mark, UTF-8, or PDFDocEncoding."""
    if raw[:2] == b"\xfe\xff":
        return raw[2:].decode("utf-16-be", "replace")
    if raw[:2] == b"\xff\xfe":
        return raw[2:].decode("utf-16-le", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("pdfdoc", "replace")
