"""Check a finished PDF for what a screen reader and a PDF/UA-1 validator need.

Each check is a small function over one shared, read-only view of the file
(``PdfView``: its pages, its structure tree as reached from the root, which
marked content each element owns, how each page's content is marked) and
yields ``Finding``s: where (page, object), how bad (error or warning), what is
wrong and how to fix it. ``CHECKS`` lists them in the order they are run; a new
check is one more function there.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
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
_HEADING = re.compile(r"H([1-6])")
# An empty table cell keeps the table's grid; a figure may hold only its alt text.
_MAY_BE_EMPTY = frozenset({"TD", "TH", "Figure", "Formula", "Form"})


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
        errors, warnings = _count(self.errors, "error"), _count(self.warnings, "warning")
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
        return _objgen(self.obj)

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
            key = _objgen(obj)
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
            for kid in _kids(obj):
                if isinstance(kid, Dictionary) and "/S" in kid:
                    visit(kid, element, page)

        if self.struct_root is not None:
            for kid in _kids(self.struct_root):
                if isinstance(kid, Dictionary) and "/S" in kid:
                    visit(kid, None, None)
        return found

    @cached_property
    def owners(self) -> dict[ObjId, dict[int, Element]]:
        """Which element owns each MCID, by content stream (a page, or a form's /Stm)."""
        owners: dict[ObjId, dict[int, Element]] = {}
        for element in self.elements:
            page = element.obj.get("/Pg")
            for kid in _kids(element.obj):
                stream: Any = page
                if isinstance(kid, int):
                    mcid = int(kid)
                elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                    mcid = int(kid.get("/MCID", -1))
                    stream = kid.get("/Stm", kid.get("/Pg", page))
                else:
                    continue
                if (key := _objgen(stream)) is not None:
                    owners.setdefault(key, {})[mcid] = element
        return owners

    @cached_property
    def object_owners(self) -> dict[ObjId, Element]:
        """Which element holds an object reference (OBJR) to each annotation or form."""
        found = {}
        for element in self.elements:
            for kid in _kids(element.obj):
                if not (isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR):
                    continue
                if (key := _objgen(kid.get("/Obj"))) is not None:
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
        key = _objgen(page)
        return self.page_number.get(key) if key is not None else None

    def _scan_page(self, page: pikepdf.Page) -> Marked:
        marked = Marked()
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, Array) else [contents]
        key = tuple(_objgen(stream) for stream in streams)
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
        stream_key = _objgen(stream)
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
        key = _objgen(xobject)
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
                    key = _objgen(font)
                    if isinstance(font, Dictionary) and key is not None and key not in found:
                        found[key] = (font, page)
            xobjects = _get(resources, "/XObject")
            if isinstance(xobjects, Dictionary):
                for xobject in xobjects.values():
                    key = _objgen(xobject)
                    if isinstance(xobject, pikepdf.Stream) and key is not None and key not in seen:
                        seen.add(key)
                        visit(xobject.get("/Resources"), page, seen)

        seen: set[ObjId] = set()
        for number, page in enumerate(self.pages, start=1):
            visit(page.obj.get("/Resources"), number, seen)
        return found


Check = Callable[[PdfView], Iterable[Finding]]


# The checks -------------------------------------------------------------------------------


def check_tagged(view: PdfView) -> Iterator[Finding]:
    """The file says it is tagged, has a structure tree, and marks all its content."""
    mark_info = view.pdf.Root.get("/MarkInfo")
    marked = isinstance(mark_info, Dictionary) and bool(mark_info.get("/Marked", False))
    claims = _claims_pdf_ua(view.pdf)
    claim = " although its metadata claims PDF/UA-1" if claims else ""
    if not marked:
        yield Finding(
            "tagged",
            "error",
            f"the file is not marked as tagged (/MarkInfo /Marked is not true){claim}",
            "tag the PDF and set /MarkInfo << /Marked true >> in the catalog; a file that "
            "cannot be tagged must not claim PDF/UA in its XMP metadata",
        )
    if view.struct_root is None:
        yield Finding(
            "tagged",
            "error",
            f"the file has no structure tree (no /StructTreeRoot){claim}: a screen reader "
            "gets no headings, lists or reading order",
            "tag the PDF (write a /StructTreeRoot in reading order)",
        )
    for number, page in enumerate(view.marked, start=1):
        if page.untagged_text:
            stream, _ = page.untagged_text[0]
            examples = _quote([text for _, text in page.untagged_text])
            yield Finding(
                "untagged-text",
                "error",
                f"{_count(len(page.untagged_text), 'piece')} of text drawn outside any tagged "
                f"or artifact marked content: {examples}",
                "wrap the text in marked content that a structure element owns (BDC with an "
                "MCID), or in /Artifact BMC … EMC if it is decoration such as a stamp",
                number,
                stream,
            )
        if page.untagged_drawing:
            yield Finding(
                "untagged-content",
                "error",
                f"{_count(len(page.untagged_drawing), 'path or image', 'paths or images')} "
                "drawn outside any tagged or artifact marked content",
                "wrap decoration in /Artifact BMC … EMC; tag a meaningful image as a Figure",
                number,
                page.untagged_drawing[0],
            )
        if page.unowned:
            stream, tag, _ = page.unowned[0]
            mcids = [mcid for _, _, mcid in page.unowned if mcid is not None]
            with_ids = f" (MCIDs {_ints(mcids)})" if mcids else ""
            yield Finding(
                "marked-content",
                "error",
                f"{_count(len(page.unowned), 'marked-content sequence')}, e.g. {tag}, "
                f"neither tagged nor artifact{with_ids}: no structure element reachable "
                "from the root owns them",
                "attach them to structure elements (and the /ParentTree), or make them /Artifact",
                number,
                stream,
            )
    drawn = {key: mcids for page in view.marked for key, mcids in page.mcids.items()}
    for stream, owned in view.owners.items():
        missing = sorted(set(owned) - drawn.get(stream, set()))
        if missing and stream in view.page_number:
            element = owned[missing[0]]
            yield Finding(
                "marked-content",
                "warning",
                f"{_count(len(missing), 'structure reference')} to marked content the page "
                f"does not draw (MCIDs {_ints(missing)}), e.g. from a {element.kind}",
                "remove the stale MCIDs from the structure tree",
                view.page_number[stream],
                element.id,
            )


def check_language(view: PdfView) -> Iterator[Finding]:
    """The catalog names the document's language, and every /Lang is a well-formed tag."""
    lang = view.pdf.Root.get("/Lang")
    if not isinstance(lang, String) or not str(lang).strip():
        yield Finding(
            "lang",
            "error",
            "the document's language is not set (no /Lang in the catalog)",
            "set /Lang to a BCP 47 tag such as en-US (from <html lang> in WeasyPrint)",
        )
    elif not _valid_language(str(lang)):
        yield Finding(
            "lang",
            "error",
            f"the document's /Lang {str(lang)!r} is not a language tag",
            "use a BCP 47 tag such as en-US, es or fr-CA",
        )
    for element in view.elements:
        value = element.obj.get("/Lang")
        if isinstance(value, String) and not _valid_language(str(value)):
            yield Finding(
                "lang",
                "error",
                f"a {element.kind} element's /Lang {str(value)!r} is not a language tag",
                "use a BCP 47 tag such as en-US, ru or de",
                element.page,
                element.id,
            )


def check_title(view: PdfView) -> Iterator[Finding]:
    """The document has a title, and viewers are told to show it instead of the file name."""
    info = view.pdf.trailer.get("/Info")
    title = str(info.get("/Title", "")) if isinstance(info, Dictionary) else ""
    if not title.strip():
        try:
            with view.pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                title = str(xmp.get("dc:title", "") or "")
        except Exception:  # XMP that cannot be parsed holds no title either
            title = ""
    if not title.strip():
        yield Finding(
            "title",
            "error",
            "the document has no title (no /Title in the document info, no dc:title in XMP)",
            "set a title (<title> in the HTML, or the document info /Title)",
        )
    preferences = view.pdf.Root.get("/ViewerPreferences")
    if not (
        isinstance(preferences, Dictionary) and bool(preferences.get("/DisplayDocTitle", False))
    ):
        yield Finding(
            "title",
            "error",
            "viewers will show the file name, not the title (/DisplayDocTitle is not true)",
            "set /ViewerPreferences << /DisplayDocTitle true >> in the catalog",
        )


def check_figures(view: PdfView) -> Iterator[Finding]:
    """Every figure has alternative text."""
    for element in view.elements:
        if element.role != "Figure":
            continue
        if not any(_text(element.obj.get(key)) for key in ("/Alt", "/ActualText")):
            yield Finding(
                "figure-alt",
                "error",
                f"a Figure ({element.kind}) has no alternative text (/Alt or /ActualText)",
                "give the image a description (alt text in the packet), or make it an "
                "artifact if it is decoration",
                element.page,
                element.id,
            )


def check_headings(view: PdfView) -> Iterator[Finding]:
    """Headings do not skip a level on the way down (H1 then H3)."""
    previous = 0
    for element in view.elements:
        match = _HEADING.fullmatch(element.role)
        if match is None:
            continue
        level = int(match[1])
        if level > previous + 1:
            after = f"after an H{previous}" if previous else "as the first heading"
            yield Finding(
                "heading-order",
                "error",
                f"heading level H{level} comes {after}: level H{previous + 1} is skipped",
                f"make it an H{previous + 1}, or add the missing level above it",
                element.page,
                element.id,
            )
        previous = level


def check_role_map(view: PdfView) -> Iterator[Finding]:
    """Every structure type is standard or mapped to one, and no standard type is remapped."""
    for kind, target in sorted(view.role_map.items()):
        if kind in STANDARD_TYPES:
            yield Finding(
                "role-map",
                "error",
                f"the role map remaps the standard type {kind} to {target}",
                f"remove /{kind} from the /RoleMap",
            )
    reported = set()
    for element in view.elements:
        if not element.role and element.kind not in reported:
            reported.add(element.kind)
            yield Finding(
                "role-map",
                "error",
                f"the structure type {element.kind or '(none)'} is not standard and the role "
                "map does not map it to a standard type",
                f"add /{element.kind} to the /RoleMap, mapped to a standard type such as /Span",
                element.page,
                element.id,
            )


def check_tables(view: PdfView) -> Iterator[Finding]:
    """Header cells say what they head: by /Scope, or through every data cell's /Headers."""
    ids = {_text(e.obj.get("/ID")) for e in view.elements if "/ID" in e.obj}
    dangling: set[int] = set()  # cells (by id()) naming headers that do not exist
    for element in view.elements:
        headers = _table_attributes(element.obj).get("/Headers")
        if element.role in ("TD", "TH") and isinstance(headers, Array):
            missing = [_text(h) for h in headers if _text(h) not in ids]
            if missing:
                dangling.add(id(element))
                yield Finding(
                    "table-headers",
                    "error",
                    f"a table cell names header cells that do not exist: {_quote(missing)}",
                    "give each header cell the /ID its data cells name, or use /Scope",
                    element.page,
                    element.id,
                )
    organized: dict[int, bool] = {}  # by id() of the table
    for element in view.elements:
        if element.role != "TH" or "/Scope" in _table_attributes(element.obj):
            continue
        table = element.parent
        while table is not None and table.role != "Table":
            table = table.parent
        if table is not None and id(table) not in organized:
            data = [cell for cell in _cells(table) if cell.role == "TD"]
            organized[id(table)] = all(
                isinstance(_table_attributes(c.obj).get("/Headers"), Array)
                and id(c) not in dangling
                for c in data
            )
        if table is not None and organized[id(table)]:
            # PDF/UA-1 (Matterhorn 15-003) asks for /Scope only where the data cells do
            # not name their headers; some screen readers still read only /Scope.
            severity: Severity = "warning"
            because = ", though every data cell names its headers (/Headers)"
        else:
            severity, because = "error", ", and the data cells do not name their headers"
        yield Finding(
            "table-scope",
            severity,
            f"a table header cell (TH) has no /Scope (Row, Column or Both){because}",
            "add /A << /O /Table /Scope /Column >> (or /Row) to the TH",
            element.page,
            element.id,
        )


def _cells(table: Element) -> Iterator[Element]:
    """The cells of a table, not those of a table inside it."""
    for kid in table.kids:
        if kid.role in ("TH", "TD"):
            yield kid
        elif kid.role != "Table":
            yield from _cells(kid)


def check_lists(view: PdfView) -> Iterator[Finding]:
    """A list holds list items, and a list item holds a label and a body."""
    allowed = {"L": {"LI", "Caption", "L"}, "LI": {"Lbl", "LBody"}}
    for element in view.elements:
        if element.role not in allowed:
            continue
        wrong = [kid.kind for kid in element.kids if kid.role not in allowed[element.role]]
        loose = any(not (isinstance(k, Dictionary) and "/S" in k) for k in _kids(element.obj))
        if wrong or loose:
            inside = ", ".join(dict.fromkeys(wrong + (["content"] if loose else [])))
            want = "LI" if element.role == "L" else "Lbl and LBody"
            what = "list item" if element.role == "LI" else "list"
            yield Finding(
                "list-structure",
                "error",
                f"a {what} ({element.kind}) holds {inside}, where only {want} belong",
                f"wrap what it holds in {want}",
                element.page,
                element.id,
            )


def check_links(view: PdfView) -> Iterator[Finding]:
    """Every link says where it goes, and is a Link element of the structure tree."""
    for number, page in enumerate(view.pages, start=1):
        annotations = page.obj.get("/Annots")
        for annot in annotations if isinstance(annotations, Array) else []:
            if not isinstance(annot, Dictionary) or annot.get("/Subtype") != Name.Link:
                continue
            key = _objgen(annot)
            if not _text(annot.get("/Contents")).strip():
                yield Finding(
                    "link-contents",
                    "error",
                    "a link has no description (/Contents) for a screen reader to read",
                    "set /Contents on the link annotation to say where it goes",
                    number,
                    key,
                )
            owner = view.object_owners.get(key) if key is not None else None
            if owner is None or owner.role != "Link":
                yield Finding(
                    "link-tag",
                    "error",
                    "a link annotation is not in the structure tree (no Link element holds "
                    "an OBJR to it)",
                    "add an OBJR to it in a Link structure element, and /StructParent to it",
                    number,
                    key,
                )


def check_fonts(view: PdfView) -> Iterator[Finding]:
    """Every font maps its codes to Unicode, and none maps a code to U+0000."""
    for key, (font, page) in view.fonts.items():
        name = str(font.get("/BaseFont", "/(unnamed)"))[1:]
        to_unicode = font.get("/ToUnicode")
        if not isinstance(to_unicode, pikepdf.Stream):
            if not _standard_encoding(font):
                yield Finding(
                    "font-unicode",
                    "error",
                    f"the font {name} has no ToUnicode map: its text cannot be read aloud "
                    "or searched",
                    "embed a ToUnicode CMap for the font",
                    page,
                    key,
                )
            continue
        try:
            cmap = CMap.parse(to_unicode.read_bytes())
        except pikepdf.PdfError:
            cmap = CMap({}, [], 2)
        bad = cmap.bad_codes()
        if bad:
            codes = ", ".join(f"{code} → U+{ord(char):04X}" for code, char in bad[:3])
            yield Finding(
                "font-unicode",
                "error",
                f"the font {name} maps {_count(len(bad), 'code')} to a character that is no "
                f"text ({codes}); PDF/UA forbids U+0000, U+FEFF and U+FFFE",
                "drop those entries from the ToUnicode CMap (reportlab writes code 0 → "
                "U+0000 for its subset fonts' .notdef)",
                page,
                key,
            )


def check_parent_tree(view: PdfView) -> Iterator[Finding]:
    """The ParentTree leads each piece of tagged content back to its element, and no further."""
    if view.struct_root is None:
        return
    tree = view.parent_tree
    reachable = {e.id for e in view.elements}
    pages_by_key: dict[int, int] = {}
    for number, page in enumerate(view.pages, start=1):
        parents = page.obj.get("/StructParents")
        if isinstance(parents, int):
            pages_by_key[int(parents)] = number
        owned = view.owners.get(page.obj.objgen, {})
        if not owned:
            continue
        if not isinstance(parents, int):
            yield Finding(
                "parent-tree",
                "error",
                "the page has tagged content but no /StructParents key",
                "give the page a /StructParents key and a /ParentTree entry",
                number,
                page.obj.objgen,
            )
            continue
        entry = tree.get(int(parents))
        entries = list(entry) if isinstance(entry, Array) else []
        wrong = [
            mcid
            for mcid, element in sorted(owned.items())
            if not 0 <= mcid < len(entries) or _objgen(entries[mcid]) != element.id
        ]
        if wrong:
            yield Finding(
                "parent-tree",
                "error",
                f"the /ParentTree does not lead {_count(len(wrong), 'MCID')} of the page "
                f"({_ints(wrong)}) to the element that owns it",
                "rebuild the page's /ParentTree entry from the structure tree",
                number,
                owned[wrong[0]].id,
            )
    for annot, element in view.object_owners.items():
        obj = view.pdf.get_object(annot)
        parent = obj.get("/StructParent") if isinstance(obj, Dictionary) else None
        if not isinstance(parent, int) or _objgen(tree.get(int(parent))) != element.id:
            yield Finding(
                "parent-tree",
                "error",
                "an object the structure tree references (OBJR) has no /StructParent that "
                "leads back to its element",
                "set /StructParent on it, with a /ParentTree entry for its element",
                element.page,
                annot,
            )
    for key, value in sorted(tree.items()):
        items = list(value) if isinstance(value, Array) else [value]
        for item in items:
            item_key = _objgen(item)
            if isinstance(item, Dictionary) and item_key not in reachable:
                yield Finding(
                    "parent-tree-stale",
                    "warning",
                    f"/ParentTree entry {key} points at a {str(item.get('/S', '/?'))[1:]} "
                    "element that is not reachable from the structure root",
                    "remove stale entries (left when content became an artifact) from the "
                    "/ParentTree",
                    pages_by_key.get(key),
                    item_key,
                )


def check_empty_elements(view: PdfView) -> Iterator[Finding]:
    """No element is empty: a screen reader stops on it and finds nothing."""
    for element in view.elements:
        if (
            not _kids(element.obj)
            and element.role not in _MAY_BE_EMPTY
            and not any(_text(element.obj.get(k)) for k in ("/Alt", "/ActualText", "/E"))
        ):
            yield Finding(
                "empty-element",
                "warning",
                f"an empty {element.kind} element (no content, no children)",
                "leave the element out of the structure tree",
                element.page,
                element.id,
            )


def check_joined_words(view: PdfView) -> Iterator[Finding]:
    """Words at the end of a line are not glued to the first word of the next."""
    import pypdfium2

    try:
        pages = list(_joined_words(view))
    except pypdfium2.PdfiumError as error:
        yield Finding("pdf", "error", f"PDFium cannot read the text: {error}", "build it again")
        return
    for number, joined in pages:
        if joined:
            yield Finding(
                "joined-words",
                "error",
                f"{_count(len(joined), 'word')} at a line end run into the next line's "
                f"first word (text and screen readers read them as one): {_quote(joined)}",
                "keep a real space at each line end in the text (WeasyPrint drops it at a "
                "line break), or give the block /ActualText",
                number,
            )


CHECKS: tuple[Check, ...] = (
    check_tagged,
    check_language,
    check_title,
    check_figures,
    check_headings,
    check_role_map,
    check_tables,
    check_lists,
    check_links,
    check_fonts,
    check_parent_tree,
    check_empty_elements,
    check_joined_words,
)


# Running them -----------------------------------------------------------------------------


def verify_file(path: Path, checks: Iterable[Check] = CHECKS) -> Report:
    """Run the checks on a PDF file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        return Report(str(path), (Finding("pdf", "error", f"cannot read the file: {reason}"),))
    return verify_pdf(data, str(path), checks)


def verify_pdf(data: bytes, name: str = "the PDF", checks: Iterable[Check] = CHECKS) -> Report:
    """Run the checks on PDF bytes, and report a file that is no PDF as an error too."""
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        return Report(
            name,
            (
                Finding(
                    "pdf",
                    "error",
                    "this is not a PDF file (it does not start with %PDF-)",
                    "give the path of a PDF file",
                ),
            ),
        )
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        message = "the PDF is locked with a password, so its content cannot be read"
        return Report(name, (Finding("pdf", "error", message, "check an unlocked copy"),))
    except pikepdf.PdfError as error:
        message = f"the PDF cannot be read: {error}"
        return Report(name, (Finding("pdf", "error", message, "build the PDF again"),))
    findings: list[Finding] = []
    with pdf:
        view = PdfView(pdf, data)
        for check in checks:
            try:
                findings += check(view)
            # A damaged or hand-made file can hold any object where a check expects
            # another: say so, and go on with the other checks.
            except (pikepdf.PdfError, ValueError, TypeError, AttributeError, KeyError) as error:
                findings.append(
                    Finding(
                        "pdf",
                        "error",
                        f"the file is damaged where {check.__name__} reads it: {error}",
                        "build the PDF again",
                    )
                )
        warnings = pdf.get_warnings()
    if warnings:
        findings.insert(
            0,
            Finding(
                "pdf",
                "error",
                f"the file is damaged; it was read only after repair: {warnings[0]}",
                "build the PDF again",
            ),
        )
    return Report(name, tuple(findings))


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

_SEPARATORS = frozenset("\u200b\u00ad\u2060\ufeff")  # zero-width spaces, soft hyphen, joiners


def _joined_words(view: PdfView) -> Iterator[tuple[int, list[str]]]:
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


def _objgen(obj: Any) -> ObjId | None:
    """Return an indirect object's (number, generation), None for a direct one."""
    try:
        return obj.objgen if obj is not None and obj.is_indirect else None
    except (AttributeError, TypeError, pikepdf.PdfError):
        return None


def _kids(obj: Any) -> list[Any]:
    kids = obj.get("/K") if isinstance(obj, Dictionary) else None
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Dictionary) else None


def _text(value: Any) -> str:
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
    key = _objgen(node)
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


def _table_attributes(obj: Dictionary) -> dict[str, Any]:
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


def _standard_encoding(font: Dictionary) -> bool:
    """A simple font in a standard encoding, whose codes a reader can map without help."""
    encoding = font.get("/Encoding")
    standard = (Name.WinAnsiEncoding, Name.MacRomanEncoding, Name.StandardEncoding)
    return font.get("/Subtype") in (Name.Type1, Name.TrueType) and encoding in standard


def _claims_pdf_ua(pdf: pikepdf.Pdf) -> bool:
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            return bool(xmp.get("pdfuaid:part"))
    except Exception:  # XMP that cannot be parsed claims nothing
        return False


def _valid_language(tag: str) -> bool:
    import langcodes

    return bool(langcodes.tag_is_valid(tag.strip()))


def _count(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _ints(numbers: list[int], shown: int = 8) -> str:
    text = ", ".join(str(n) for n in numbers[:shown])
    return text + (", …" if len(numbers) > shown else "")


def _quote(texts: list[str], shown: int = 5) -> str:
    """Up to shown examples, each cut short, quoted."""
    examples = [t if len(t) <= 40 else t[:39] + "…" for t in dict.fromkeys(texts)]
    text = ", ".join(f"'{t}'" for t in examples[:shown])
    return text + (", …" if len(examples) > shown else "")
