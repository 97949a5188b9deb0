"""A read-only view of a finished PDF, for checking it: its pages, its structure tree as
reached from the root, which marked content each element owns, how each page's content
is marked, and its fonts' ToUnicode maps. ``verify`` runs its checks over one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

import pikepdf
from pikepdf import Array, Dictionary, Name, String

Severity = Literal["error", "warning"]
ObjId = tuple[int, int]

# ISO 32000-1, 14.8.4: the structure types a reader knows without a role map.
_STANDARD = (
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private "
    "P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot "
    "Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP "
    "Figure Formula Form"
)
STANDARD_TYPES = frozenset(_STANDARD.split())
# Elements inside a line of text: the words of one block run on across them.
_INLINE = "Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP"
INLINE_TYPES = frozenset([*_INLINE.split(), "NonStruct", "Private"])
_TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
_PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "INLINE IMAGE"})
HEADING = re.compile(r"H([1-6])")
# An empty table cell keeps the table's grid; a figure may hold only its alt text.
MAY_BE_EMPTY = frozenset({"TD", "TH", "Figure", "Formula", "Form"})


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a PDF: where, how bad, what is wrong and how to fix it."""

    rule: str
    severity: Severity
    message: str
    fix: str = ""
    page: int | None = None  # counted from 1, as a viewer shows it
    obj: ObjId | None = None

    def location(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.obj is not None:
            parts.append(f"obj {self.obj[0]} {self.obj[1]}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where + ': ' if where else ''}{self.severity}: {self.message} [{self.rule}]"
        return text + (f"\n    fix: {self.fix}" if self.fix else "")


@dataclass(frozen=True)
class Report:
    """The findings for one file."""

    file: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def lines(self, *, per_rule: int | None = None) -> list[str]:
        """Return the report as printed: errors first, at most per_rule of each kind, a total."""
        lines = []
        counts: dict[str, int] = {}
        for finding in sorted(self.findings, key=lambda f: f.severity != "error"):
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
            if per_rule is None or counts[finding.rule] <= per_rule:
                lines.append(f"{self.file}: {finding}")
        for rule, count in counts.items():
            if per_rule is not None and count > per_rule:
                more = count - per_rule
                lines.append(f"{self.file}: … and {more} more [{rule}] (--all shows them)")
        errors, warnings = count_of(self.errors, "error"), count_of(self.warnings, "warning")
        return [*lines, f"{self.file}: {errors}, {warnings}"]


@dataclass(eq=False)
class Element:
    """A structure element reached from the root, with its standard role."""

    obj: Dictionary
    kind: str  # as written, without the slash: "H2", "Span", or a custom name
    role: str  # the standard type it maps to ("" when it maps to none)
    parent: Element | None
    page: int | None  # from its own /Pg or an ancestor's
    kids: list[Element] = field(default_factory=list)

    @property
    def id(self) -> ObjId | None:
        return objgen(self.obj)

    def within(self, role: str) -> bool:
        """Return whether this element or one of its ancestors has the role."""
        element: Element | None = self
        while element is not None:
            if element.role == role:
                return True
            element = element.parent
        return False

    def block(self) -> Element:
        """Return the nearest element that is not inline: the one whose text reads as a unit."""
        element = self
        while element.role in INLINE_TYPES and element.parent is not None:
            element = element.parent
        return element


@dataclass
class Marked:
    """What one page's content draws, by how it is marked."""

    mcids: dict[ObjId, set[int]] = field(default_factory=dict)  # by content stream
    untagged_text: list[tuple[ObjId | None, str]] = field(default_factory=list)
    untagged_drawing: list[ObjId | None] = field(default_factory=list)
    unowned: list[tuple[ObjId | None, str, int | None]] = field(default_factory=list)


class PdfView:
    """A finished PDF as the checks read it; each part is worked out once, when first asked."""

    def __init__(self, pdf: pikepdf.Pdf, data: bytes) -> None:
        self.pdf = pdf
        self.data = data
        self.pages = list(pdf.pages)
        self.page_number = {page.obj.objgen: n for n, page in enumerate(self.pages, start=1)}
        self._instructions: dict[tuple[ObjId | None, ...], list[Any]] = {}

    @cached_property
    def struct_root(self) -> Dictionary | None:
        root = self.pdf.Root.get("/StructTreeRoot")
        return root if isinstance(root, Dictionary) else None

    @cached_property
    def role_map(self) -> dict[str, str]:
        found = self.struct_root.get("/RoleMap") if self.struct_root is not None else None
        if not isinstance(found, Dictionary):
            return {}
        return {key[1:]: str(value)[1:] for key, value in found.items() if isinstance(value, Name)}

    def standard_role(self, kind: str) -> str:
        """Return the standard type kind maps to through the role map, or ''."""
        seen = set()
        while kind not in STANDARD_TYPES:
            if kind in seen or kind not in self.role_map:
                return ""
            seen.add(kind)
            kind = self.role_map[kind]
        return kind

    @cached_property
    def elements(self) -> list[Element]:
        """Every structure element reachable from the root, in reading (depth-first) order."""
        found: list[Element] = []
        seen: set[ObjId] = set()

        def visit(obj: Dictionary, parent: Element | None, page: int | None) -> None:
            key = objgen(obj)
            if key is not None:
                if key in seen:
                    return  # a tree that loops or shares an element: read it once
                seen.add(key)
            kind = str(obj.get("/S", "/"))[1:]
            page = self._page_of(obj.get("/Pg")) or page
            element = Element(obj, kind, self.standard_role(kind), parent, page)
            found.append(element)
            if parent is not None:
                parent.kids.append(element)
            for kid in kids(obj):
                if isinstance(kid, Dictionary) and "/S" in kid:
                    visit(kid, element, page)

        if self.struct_root is not None:
            for kid in kids(self.struct_root):
                if isinstance(kid, Dictionary) and "/S" in kid:
                    visit(kid, None, None)
        return found

    @cached_property
    def owners(self) -> dict[ObjId, dict[int, Element]]:
        """Which element owns each MCID, by content stream (a page, or a form's /Stm)."""
        owners: dict[ObjId, dict[int, Element]] = {}
        for element in self.elements:
            page = element.obj.get("/Pg")
            for kid in kids(element.obj):
                stream: Any = page
                if isinstance(kid, int):
                    mcid = int(kid)
                elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                    mcid = int(kid.get("/MCID", -1))
                    stream = kid.get("/Stm", kid.get("/Pg", page))
                else:
                    continue
                if (key := objgen(stream)) is not None:
                    owners.setdefault(key, {})[mcid] = element
        return owners

    @cached_property
    def object_owners(self) -> dict[ObjId, Element]:
        """Which element holds an object reference (OBJR) to each annotation or form."""
        found = {}
        for element in self.elements:
            for kid in kids(element.obj):
                if not (isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR):
                    continue
                if (key := objgen(kid.get("/Obj"))) is not None:
                    found[key] = element
        return found

    @cached_property
    def parent_tree(self) -> dict[int, Any]:
        """The /ParentTree number tree as one dictionary."""
        found: dict[int, Any] = {}
        node = self.struct_root.get("/ParentTree") if self.struct_root is not None else None
        _read_number_tree(node, found, set())
        return found

    @cached_property
    def marked(self) -> list[Marked]:
        """How each page's content (and the forms it draws) is marked, page by page."""
        return [self._scan_page(page) for page in self.pages]

    def _page_of(self, page: Any) -> int | None:
        key = objgen(page)
        return self.page_number.get(key) if key is not None else None

    def _scan_page(self, page: pikepdf.Page) -> Marked:
        marked = Marked()
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, Array) else [contents]
        key = tuple(objgen(stream) for stream in streams)
        instructions = self._parsed(key, page)
        self._scan(instructions, page.obj, page.obj.get("/Resources"), marked, False, set())
        return marked

    def _parsed(self, key: tuple[ObjId | None, ...], stream: Any) -> list[Any]:
        """Parse content once however many pages draw it (a class set's copies share it)."""
        if None in key:
            return list(pikepdf.parse_content_stream(stream))
        if key not in self._instructions:
            self._instructions[key] = list(pikepdf.parse_content_stream(stream))
        return self._instructions[key]

    def _scan(
        self,
        instructions: Iterable[Any],
        stream: Any,
        resources: Any,
        marked: Marked,
        covered: bool,
        drawing: set[ObjId],
    ) -> None:
        """Note what the content draws untagged, and which MCIDs it uses.

        covered: the content is inside a tagged sequence or an artifact already.
        """
        stream_key = objgen(stream)
        owned = self.owners.get(stream_key, {}) if stream_key is not None else {}
        stack: list[bool] = []  # does each open sequence tag its content or make it an artifact
        font: Any = None
        for instruction in instructions:
            operator = str(instruction.operator)
            operands = instruction.operands
            inside = covered or any(stack)
            if operator in ("BMC", "BDC"):
                tag = str(operands[0]) if operands else ""
                mcid = _mcid(operands[1], resources) if operator == "BDC" else None
                if mcid is not None and stream_key is not None:
                    marked.mcids.setdefault(stream_key, set()).add(mcid)
                tags_content = tag == "/Artifact" or (mcid is not None and mcid in owned)
                if not inside and not tags_content:
                    marked.unowned.append((stream_key, tag, mcid))
                stack.append(tags_content)
            elif operator == "EMC":
                if stack:
                    stack.pop()
            elif operator == "Tf" and operands:
                fonts = _get(resources, "/Font")
                font = fonts.get(operands[0]) if isinstance(fonts, Dictionary) else None
            elif operator in _TEXT_SHOWING and not inside:
                marked.untagged_text.append((stream_key, _shown_text(operands, font)))
            elif operator in _PAINTING and not inside:
                marked.untagged_drawing.append(stream_key)
            elif operator == "Do" and operands:
                xobjects = _get(resources, "/XObject")
                xobject = xobjects.get(operands[0]) if isinstance(xobjects, Dictionary) else None
                self._draw(xobject, resources, marked, inside, drawing)

    def _draw(
        self, xobject: Any, resources: Any, marked: Marked, covered: bool, drawing: set[ObjId]
    ) -> None:
        """Scan a form XObject where it is drawn; an image is a drawing like a path."""
        if not isinstance(xobject, pikepdf.Stream):
            return
        key = objgen(xobject)
        if xobject.get("/Subtype") != Name.Form:
            if not covered and (key is None or key not in self.object_owners):
                marked.untagged_drawing.append(key)
            return
        if key is None or key in drawing:
            return  # a form that draws itself: drawn once
        # A form with /StructParent is one piece of content, tagged through an OBJR.
        covered = covered or key in self.object_owners
        instructions = self._parsed((key,), xobject)
        inner = xobject.get("/Resources", resources)
        self._scan(instructions, xobject, inner, marked, covered, drawing | {key})

    @cached_property
    def fonts(self) -> dict[ObjId, tuple[Dictionary, int]]:
        """Every font the pages and their forms use, with the first page that uses it."""
        found: dict[ObjId, tuple[Dictionary, int]] = {}

        def visit(resources: Any, page: int, seen: set[ObjId]) -> None:
            fonts = _get(resources, "/Font")
            if isinstance(fonts, Dictionary):
                for font in fonts.values():
                    key = objgen(font)
                    if isinstance(font, Dictionary) and key is not None and key not in found:
                        found[key] = (font, page)
            xobjects = _get(resources, "/XObject")
            if isinstance(xobjects, Dictionary):
                for xobject in xobjects.values():
                    key = objgen(xobject)
                    if isinstance(xobject, pikepdf.Stream) and key is not None and key not in seen:
                        seen.add(key)
                        visit(xobject.get("/Resources"), page, seen)

        seen: set[ObjId] = set()
        for number, page in enumerate(self.pages, start=1):
            visit(page.obj.get("/Resources"), number, seen)
        return found


Check = Callable[[PdfView], Iterable[Finding]]


# The checks -------------------------------------------------------------------------------


# ToUnicode maps ---------------------------------------------------------------------------

_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>|(\[)|(\])")
_NOT_TEXT = frozenset({"\x00", "\ufeff", "\ufffe"})


@dataclass(frozen=True)
class CMap:
    """A ToUnicode CMap: single codes, and ranges of codes, mapped to text."""

    chars: dict[int, str]
    ranges: list[tuple[int, int, str | list[str]]]
    width: int  # bytes per code

    @classmethod
    def parse(cls, data: bytes) -> CMap:
        chars: dict[int, str] = {}
        ranges: list[tuple[int, int, str | list[str]]] = []
        width = 0
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            tokens = _hex_tokens(block)
            for source, target in zip(tokens[::2], tokens[1::2], strict=False):
                if isinstance(source, bytes) and isinstance(target, bytes):
                    width = width or len(source)
                    chars[int.from_bytes(source, "big")] = _utf16(target)
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
            tokens = _hex_tokens(block)
            for low, high, target in zip(tokens[::3], tokens[1::3], tokens[2::3], strict=False):
                if not (isinstance(low, bytes) and isinstance(high, bytes)):
                    continue
                width = width or len(low)
                first, last = int.from_bytes(low, "big"), int.from_bytes(high, "big")
                text = [_utf16(t) for t in target] if isinstance(target, list) else _utf16(target)
                ranges.append((first, last, text))
        return cls(chars, ranges, width or 1)

    def get(self, code: int) -> str | None:
        if code in self.chars:
            return self.chars[code]
        for first, last, text in self.ranges:
            if first <= code <= last:
                if isinstance(text, list):
                    return text[code - first] if code - first < len(text) else None
                return text[:-1] + chr(ord(text[-1]) + code - first) if text else ""
        return None

    def bad_codes(self) -> list[tuple[int, str]]:
        """Return the codes mapped to U+0000, U+FEFF or U+FFFE, with what they map to."""
        bad = [(code, text) for code, text in self.chars.items() if text in _NOT_TEXT]
        for first, last, text in self.ranges:
            if isinstance(text, list):
                bad += [(first + i, t) for i, t in enumerate(text) if t in _NOT_TEXT]
            elif len(text) == 1:
                for char in _NOT_TEXT:
                    offset = ord(char) - ord(text)
                    if 0 <= offset <= last - first:
                        bad.append((first + offset, char))
        return sorted(bad)

    def decode(self, data: bytes) -> str:
        step = self.width
        codes = (int.from_bytes(data[i : i + step], "big") for i in range(0, len(data), step))
        return "".join(self.get(code) or "\ufffd" for code in codes)


@lru_cache(maxsize=64)
def _cmap(data: bytes) -> CMap:
    """Parse a ToUnicode map once for all the text drawn in its font."""
    return CMap.parse(data)


def _hex_tokens(block: bytes) -> list[bytes | list[bytes]]:
    """The hex strings of a CMap block; a bracketed array of them is one token."""
    tokens: list[bytes | list[bytes]] = []
    array: list[bytes] | None = None
    for match in _HEX.finditer(block):
        if match.group(2):
            array = []
        elif match.group(3):
            if array is not None:
                tokens.append(array)
            array = None
        else:
            digits = re.sub(rb"\s", b"", match.group(1))
            value = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
            if array is not None:
                array.append(value)
            else:
                tokens.append(value)
    return tokens


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", "replace")


# Joined words (read with PDFium, as a viewer and its text extraction read them) -------


def objgen(obj: Any) -> ObjId | None:
    """Return an indirect object's (number, generation), None for a direct one."""
    try:
        return obj.objgen if obj is not None and obj.is_indirect else None
    except (AttributeError, TypeError, pikepdf.PdfError):
        return None


def kids(obj: Any) -> list[Any]:
    kids = obj.get("/K") if isinstance(obj, Dictionary) else None
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Dictionary) else None


def text_of(value: Any) -> str:
    return str(value) if isinstance(value, String) else ""


def _mcid(properties: Any, resources: Any) -> int | None:
    """The MCID in a BDC operator's properties (inline, or named in the resources)."""
    if isinstance(properties, Name):
        named = _get(_get(resources, "/Properties"), str(properties))
        return _mcid(named, None) if isinstance(named, Dictionary) else None
    if isinstance(properties, Dictionary) and isinstance(properties.get("/MCID"), int):
        return int(properties.MCID)
    return None


def _read_number_tree(node: Any, found: dict[int, Any], seen: set[ObjId]) -> None:
    if not isinstance(node, Dictionary):
        return
    key = objgen(node)
    if key is not None:
        if key in seen:
            return
        seen.add(key)
    nums = node.get("/Nums")
    if isinstance(nums, Array):
        items = list(nums)
        for number, value in zip(items[::2], items[1::2], strict=False):
            if isinstance(number, int):
                found[int(number)] = value
    kids = node.get("/Kids")
    for kid in kids if isinstance(kids, Array) else []:
        _read_number_tree(kid, found, seen)


def table_attributes(obj: Dictionary) -> dict[str, Any]:
    """The element's Table attributes (owner /Table), from /A however it is written."""
    attributes = obj.get("/A")
    items = list(attributes) if isinstance(attributes, Array) else [attributes]
    found: dict[str, Any] = {}
    for item in items:
        if isinstance(item, Dictionary) and item.get("/O") == Name.Table:
            found.update((key, value) for key, value in item.items() if key != "/O")
    return found


def _shown_text(operands: Any, font: Any) -> str:
    """The text a text-showing operator draws, as well as the font lets it be read."""
    strings: list[bytes] = []
    for operand in operands:
        if isinstance(operand, String):
            strings.append(bytes(operand))
        elif isinstance(operand, Array):
            strings += [bytes(item) for item in operand if isinstance(item, String)]
    data = b"".join(strings)
    to_unicode = _get(font, "/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        try:
            return _cmap(to_unicode.read_bytes()).decode(data)
        except pikepdf.PdfError:
            pass
    if _get(font, "/Subtype") == Name.Type0:
        return "\ufffd" * (len(data) // 2)
    return data.decode("latin-1")


def standard_encoding(font: Dictionary) -> bool:
    """A simple font in a standard encoding, whose codes a reader can map without help."""
    encoding = font.get("/Encoding")
    standard = (Name.WinAnsiEncoding, Name.MacRomanEncoding, Name.StandardEncoding)
    return font.get("/Subtype") in (Name.Type1, Name.TrueType) and encoding in standard


def count_of(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def ints_of(numbers: list[int], shown: int = 8) -> str:
    text = ", ".join(str(n) for n in numbers[:shown])
    return text + (", …" if len(numbers) > shown else "")


def quoted(texts: list[str], shown: int = 5) -> str:
    """Up to shown examples, each cut short, quoted."""
    examples = [t if len(t) <= 40 else t[:39] + "…" for t in dict.fromkeys(texts)]
    text = ", ".join(f"'{t}'" for t in examples[:shown])
    return text + (", …" if len(examples) > shown else "")
