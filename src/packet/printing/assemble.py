"""Assemble a class set: the student edition once per student, each copy stamped.

This is the only module that imports pikepdf. The edition is rendered once;
every copy's pages reuse the edition's content streams, fonts and images (the
same PDF objects, referenced again), and only the small per-copy stamp (a Form
XObject drawn by ``overlay``, painted as ``/Artifact`` marked content) differs.

Tags, and why the default tags one copy. A tagged (PDF/UA) edition has a
structure tree whose elements point at marked content by page and MCID. MCIDs
are numbered per page, and a page finds its elements through its own
``/StructParents`` key in the ``/ParentTree``; two page objects may share a
content stream, but each needs its own key and its own elements (``/Pg``). So
tagging every copy means duplicating the structure tree per copy, which
``tags="every-copy"`` does. Measured on WeasyPrint lessons (six to eight
pages, about 700 elements per copy), that adds 9 to 11 KB per copy: 30 copies
are 6 to 11 times the edition, where sharing everything else costs about
0.5 KB per copy. Nobody reads a print job thirty times over with a screen
reader, so the default, ``tags="first-copy"``, tags the first copy in full
(structure, links, named destinations, outline) and marks the other copies'
content as artifacts, through one shared artifact-marked variant of each
page's content stream; their links are dropped (PDF/UA wants every link
tagged, and paper has no links). Either way the file stays valid: all content
is tagged or an artifact (marked content that the edition's tree leaves
unowned, such as WeasyPrint's running footers, becomes an artifact too), and
every ``/Pg``, ``/StructParents`` and ``/StructParent`` resolves. Each tagged
copy is a ``/Part`` titled like the copy ("Copy 3 of 30: Ana García") in one
``/Document``, the cover and answer key Parts of their own; every copy has an
outline entry; ``/Lang``, ``/MarkInfo``, ``DisplayDocTitle``, the document
info and the XMP metadata (title, PDF/UA identification) are the edition's,
unchanged.

Booklets are not tagged: an imposed sheet shows pages N and 1 side by side,
an order nobody reads in, and each source page becomes one shared Form XObject
whose marked content could belong to one copy's tags only. A booklet file is
for the copier; it keeps the title and language, says ``/MarkInfo /Marked
false``, and the edition itself is the accessible file.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from packet.errors import PacketError
from packet.layout.overlay import Mark, PageMarks, draw

_T = TypeVar("_T")
BLANK_NOTICE = "This page is intentionally left blank."
BLANK_NOTICE_SIZE = 11
STAMP = "/PacketStamp"
# Page keys that describe the page itself and can be shared by every copy of it.
_PAGE_KEYS_NOT_COPIED = frozenset(
    {
        "/Parent",
        "/Contents",
        "/Resources",
        "/StructParents",
        "/Annots",
        "/B",
        "/Thumb",
        "/PieceInfo",
        "/ID",
        "/PZ",
        "/SeparationInfo",
        "/AA",
    }
)
# Landscape paper sizes in points. Two A5 pages side by side are 296 mm wide,
# not A4's 297, and a copier asked for a sheet 1 mm off a standard size may
# scale it or stop and ask for paper: such sheets are snapped to the standard.
STANDARD_SHEETS = (
    (792.0, 612.0),  # Letter
    (1008.0, 612.0),  # Legal
    (1224.0, 792.0),  # Tabloid (11 x 17 in)
    (841.89, 595.28),  # A4
    (1190.55, 841.89),  # A3
)
SNAP = 4.0  # points: the rounding of millimetre page sizes, far below a real difference
_ROOT_KEYS_KEPT = ("/Lang", "/ViewerPreferences", "/Metadata", "/OutputIntents", "/PageLayout")


@dataclass(frozen=True)
class CopyMarks:
    """What is stamped on one student's copy of the edition."""

    # The copy's entry in the PDF outline and structure, e.g. "Copy 3 of 30: Ana García".
    title: str
    # The marks for each page of the edition, in page order.
    pages: tuple[tuple[Mark, ...], ...]
    # Marks for this copy's padding pages (e.g. the name), drawn with the notice.
    blank: tuple[Mark, ...] = ()


def class_set(
    edition_pdf: bytes,
    copies: Sequence[CopyMarks],
    *,
    fonts_dir: Path,
    cover_pdf: bytes | None = None,
    key_pdf: bytes | None = None,
    booklet: bool = False,
    booklet_sheet: tuple[float, float] | None = None,
    blank_notice: str = BLANK_NOTICE,
    cover_title: str = "Cover sheet",
    key_title: str = "Answer key",
    tags: Literal["every-copy", "first-copy"] = "first-copy",
) -> bytes:
    """Return one PDF holding the cover, every stamped copy of the edition, then the key.

    Each part is padded with blank pages (which say so) to an even page count,
    so a copier printing double-sided starts every copy on a new sheet. With
    ``booklet`` each copy is padded to a multiple of 4 pages and imposed 2-up
    in saddle-stitch order on sheets twice the page width (half-letter pages
    on Letter landscape, A5 on A4, Letter on 11 x 17 in; within SNAP of a
    standard size, the standard size), or scaled to fit the halves of
    ``booklet_sheet`` (width, height in points) when given. The cover and key
    are not imposed.

    ``tags`` says which copies of a tagged edition keep their tags: the first
    only (the rest become artifacts; see the module docstring) or every one,
    each adding a copy of the structure tree to the file.
    """
    if not copies:
        raise ValueError("a class set needs at least one copy")
    edition = _open(edition_pdf, "the student edition")
    count = len(edition.pages)
    for copy in copies:
        if len(copy.pages) != count:
            raise ValueError(
                f"{copy.title}: marks for {len(copy.pages)} pages, edition has {count}"
            )
    cover = _open(cover_pdf, "the cover sheet") if cover_pdf is not None else None
    key = _open(key_pdf, "the answer key") if key_pdf is not None else None

    plan = _Plan(edition, copies, cover, key, booklet, blank_notice)
    # Most copies put the same marks on every page: draw each distinct page once.
    distinct = list(dict.fromkeys(plan.overlay_pages))
    overlay = Pdf.open(io.BytesIO(draw(distinct, fonts_dir)))

    out = Pdf.new()
    builder = _Builder(out, edition, tagged=not booklet and _is_tagged(edition))
    forms = _stamp_forms(out, overlay, distinct)
    stamp_of = iter([forms[marks] for marks in plan.overlay_pages])

    if cover is not None:
        builder.add_part(cover, cover_title, "cover", stamped=False, stamps=stamp_of)
    if booklet:
        builder.add_booklets(copies, stamp_of, sheet=booklet_sheet)
    else:
        for number, copy in enumerate(copies, start=1):
            builder.add_part(
                edition,
                copy.title,
                f"copy{number}",
                stamped=True,
                stamps=stamp_of,
                tagged=tags == "every-copy" or number == 1,
            )
    if key is not None:
        builder.add_part(key, key_title, "key", stamped=False, stamps=stamp_of)
    return builder.finish()


def finish_edition(
    edition_pdf: bytes, overlay_pdf: bytes | None = None, pages: Sequence[int] = ()
) -> bytes:
    """Make a rendered edition's untagged marked content artifacts, and stamp its marks.

    WeasyPrint marks running headers and footers with MCIDs that nothing in its
    structure tree owns (its issue 1836); PDF/UA wants them as artifacts, so they
    become ``/Artifact`` here. Then overlay page k is drawn on edition page
    ``pages[k]`` as an artifact (line numbers, speaker rules). The structure tree,
    outline, links and metadata are left as they are.
    """
    pdf = _open(edition_pdf, "the rendered edition")
    root = pdf.Root.get("/StructTreeRoot")
    if root is not None:
        owned: dict[tuple[int, int], set[int]] = {}
        for elem in _children(root):
            _collect_owned(elem, None, owned)
        for page in pdf.pages:
            _artifact_unowned(pdf, page, owned.get(page.obj.objgen, set()))
    overlay = Pdf.open(io.BytesIO(overlay_pdf)) if overlay_pdf is not None else Pdf.new()
    for over, index in zip(overlay.pages, pages, strict=True):
        page = pdf.pages[index]
        form = pdf.copy_foreign(over.as_form_xobject())
        # Pages may share one resource dictionary: give this page its own shallow copy,
        # and the stamp a fixed name (add_resource's is random) so builds repeat exactly.
        resources = Dictionary(dict(page.resources.items()))
        xobjects = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
        name = Name("/PacketMarks")
        xobjects[name] = form
        resources.XObject = xobjects
        page.obj.Resources = resources
        # WeasyPrint's content leaves a transformation in force: wrap it in q/Q first.
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(
            pdf.make_stream(b"Q\n/Artifact BMC q " + str(name).encode() + b" Do Q EMC\n")
        )
    buffer = io.BytesIO()
    _set_compression()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _set_compression() -> None:
    """Compress new streams as hard as zlib can, the same way on every save.

    The level is a process-wide pikepdf setting: set it before each save, so the
    bytes never depend on what ran earlier in the process.
    """
    pikepdf.settings.set_flate_compression_level(9)


def _artifact_unowned(pdf: Pdf, page: pikepdf.Page, owned: set[int]) -> None:
    """Rewrite the page's content so marked content no element owns is an artifact."""
    data = _artifacts_except(page, owned)
    if data is not None:
        page.obj.Contents = pdf.make_stream(data)


def _artifacts_except(page: pikepdf.Page, keep: set[int] | frozenset[int]) -> bytes | None:
    """Return the page's content with marked content outside keep made /Artifact.

    None when nothing changes, so the page's own streams can be used as they are.
    """
    instructions = list(pikepdf.parse_content_stream(page))
    changed = False
    for position, instruction in enumerate(instructions):
        if str(instruction.operator) != "BDC":
            continue
        mcid = _mcid(instruction.operands[1], page)
        if mcid is not None and mcid not in keep:
            instructions[position] = pikepdf.ContentStreamInstruction(
                [Name.Artifact], pikepdf.Operator("BMC")
            )
            changed = True
    return pikepdf.unparse_content_stream(instructions) if changed else None


def page_count(data: bytes) -> int:
    """Return how many pages a PDF has."""
    with _open(data, "the PDF") as pdf:
        return len(pdf.pages)


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

    pdf = _open(data, "the PDF")
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


def _unhash(escape: re.Match[bytes]) -> bytes:
    return bytes.fromhex(escape.group(1).decode())


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


def padded_length(pages: int, *, booklet: bool) -> int:
    """Return pages rounded up to whole sheets: even, or a multiple of 4 for a booklet."""
    unit = 4 if booklet else 2
    return -(-pages // unit) * unit


def saddle_stitch_order(pages: int) -> list[tuple[int, int]]:
    """Return the (left, right) 1-based page pairs of each sheet side, fronts then backs."""
    if pages % 4:
        raise ValueError(f"a booklet needs a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        low = 2 * sheet + 1
        high = pages - 2 * sheet
        sides.append((high, low))
        sides.append((low + 1, high - 1))
    return sides


def _standard_sheet(width: float, height: float) -> tuple[float, float]:
    """Return the standard landscape sheet within SNAP points of width x height, or it."""
    for standard in STANDARD_SHEETS:
        if abs(standard[0] - width) <= SNAP and abs(standard[1] - height) <= SNAP:
            return standard
    return width, height


def _open(data: bytes, what: str) -> Pdf:
    """Open PDF bytes, or raise a PacketError naming what they were meant to be."""
    try:
        return Pdf.open(io.BytesIO(data))
    except pikepdf.PdfError as error:
        raise PacketError(
            f"{what} is not a readable PDF file: {error}\n"
            "    fix: export it again as PDF, or leave it out"
        ) from error


def _is_tagged(pdf: Pdf) -> bool:
    """Return whether pdf has a structure tree."""
    return "/StructTreeRoot" in pdf.Root


def _size(page: pikepdf.Page) -> tuple[float, float, float, float]:
    """Return the page's media box as (x0, y0, width, height)."""
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


class _Plan:
    """The overlay pages of a class set, in the order the builder consumes them."""

    def __init__(
        self,
        edition: Pdf,
        copies: Sequence[CopyMarks],
        cover: Pdf | None,
        key: Pdf | None,
        booklet: bool,
        notice: str,
    ) -> None:
        self.overlay_pages: list[PageMarks] = []
        self.notice = notice
        if cover is not None:
            self._padding(cover, (), booklet=False)
        sizes = [_size(page) for page in edition.pages]
        for copy in copies:
            for (_, _, width, height), marks in zip(sizes, copy.pages, strict=True):
                self.overlay_pages.append(PageMarks(width, height, marks))
            self._padding(edition, copy.blank, booklet=booklet)
        if key is not None:
            self._padding(key, (), booklet=False)

    def _padding(self, pdf: Pdf, marks: tuple[Mark, ...], *, booklet: bool) -> None:
        """Add the overlay pages for the blank pages that pad pdf."""
        count = len(pdf.pages)
        _, _, width, height = _size(pdf.pages[-1])
        notice = Mark(width / 2, height / 2, self.notice, size=BLANK_NOTICE_SIZE, align="center")
        for _ in range(padded_length(count, booklet=booklet) - count):
            self.overlay_pages.append(PageMarks(width, height, (*marks, notice)))


@dataclass(frozen=True)
class _Entry:
    """An outline item of a source PDF, its destination imported into the output."""

    title: str
    destination: Array | String | Name | int | None
    action: Dictionary | None
    children: tuple[_Entry, ...]


@dataclass
class _Source:
    """One source PDF brought into the output: its pages as templates, its tags."""

    pdf: Pdf
    templates: list[pikepdf.Object]
    structure: list[pikepdf.Object]  # the elements to duplicate per part, imported
    dests: list[tuple[str, pikepdf.Object]]
    outline: list[_Entry]
    shared_forms: dict[int, pikepdf.Object] = field(default_factory=dict)
    # MCIDs per template page that an element reachable from the root owns.
    owned: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    variants: dict[tuple[int, frozenset[int]], list[pikepdf.Object]] = field(default_factory=dict)


class _Builder:
    """Builds the output PDF part by part; tags, names and outline alongside."""

    def __init__(self, out: Pdf, edition: Pdf, *, tagged: bool) -> None:
        self.out = out
        self.edition = edition
        self.tagged = tagged
        self.sources: dict[int, _Source] = {}
        self.parts: list[pikepdf.Object] = []  # /Part structure elements, in order
        self.parent_tree: list[tuple[int, pikepdf.Object]] = []
        self.dests: list[tuple[str, pikepdf.Object]] = []
        self.outline: list[pikepdf.OutlineItem] = []
        self.role_map = Dictionary()
        self.document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document))
        self.open_q = out.make_stream(b"q\n")
        self.stamp_after = out.make_stream(b"Q\n" + _stamp_operators(0, 0))
        self.stamp_only = out.make_stream(_stamp_operators(0, 0))

    def source(self, pdf: Pdf) -> _Source:
        """Return pdf brought into the output once: pages, tags, destinations, outline."""
        if id(pdf) in self.sources:
            return self.sources[id(pdf)]
        out = self.out
        templates = []
        for page in pdf.pages:
            # Inherited attributes live on the page tree, which is not copied.
            page.obj.MediaBox = page.mediabox
            if "/Resources" not in page.obj:
                page.obj.Resources = page.resources
            templates.append(out.copy_foreign(page.obj))
        structure: list[pikepdf.Object] = []
        root = pdf.Root.get("/StructTreeRoot")
        if self.tagged and root is not None:
            # Imported after the pages so its /Pg references land on the templates.
            imported = out.copy_foreign(root)
            structure = _children(imported)
            if len(structure) == 1 and structure[0].get("/S") == Name.Document:
                structure = _children(structure[0])
            for role, standard in imported.get("/RoleMap", Dictionary()).items():
                self.role_map[role] = standard
        owned: dict[tuple[int, int], set[int]] = {}
        for elem in structure:
            _collect_owned(elem, None, owned)
        dests = []
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            for name, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items():
                dests.append((name, _import(out, pdf, dest)))
        with pdf.open_outline() as outline:
            entries = [_import_entry(out, pdf, item) for item in outline.root]
        made = _Source(pdf, templates, structure, dests, entries, owned=owned)
        self.sources[id(pdf)] = made
        return made

    def add_part(
        self,
        pdf: Pdf,
        title: str,
        prefix: str,
        *,
        stamped: bool,
        stamps: Iterator[pikepdf.Object],
        tagged: bool = True,
    ) -> None:
        """Add one part: every page of pdf (each stamped if stamped), then padding."""
        source = self.source(pdf)
        out = self.out
        tagged = tagged and self.tagged
        first_page = len(out.pages)
        page_map: dict[tuple[int, int], pikepdf.Object] = {}
        annot_map: dict[tuple[int, int], pikepdf.Object] = {}
        for index, template in enumerate(source.templates):
            page = Dictionary({k: v for k, v in template.items() if k not in _PAGE_KEYS_NOT_COPIED})
            if not self.tagged or not source.structure:
                contents = _content_list(template)
            else:
                keep = source.owned.get(template.objgen, set()) if tagged else set()
                contents = self._contents_keeping(source, index, frozenset(keep))
            resources = template.get("/Resources", Dictionary())
            if stamped:
                page.Resources = self._stamped_resources(resources, next(stamps))
                page.Contents = Array([self.open_q, *contents, self.stamp_after])
            else:
                page.Resources = self._shared(resources)
                page.Contents = Array(contents)
            page = out.make_indirect(page)
            out.pages.append(pikepdf.Page(page))
            page = out.pages[-1].obj
            page_map[template.objgen] = page
            annots = []
            # An untagged copy of a tagged edition drops its links: PDF/UA wants
            # every link tagged, and on paper they do nothing.
            kept = template.get("/Annots", Array()) if tagged or not source.structure else Array()
            for annot in kept:
                copied = out.make_indirect(Dictionary(dict(annot.items())))
                copied.P = page
                if "/StructParent" in copied:
                    del copied["/StructParent"]  # given back below if the tags reach it
                annots.append(copied)
                annot_map[annot.objgen] = copied
            if annots:
                page.Annots = Array(annots)
        count = len(source.templates)
        self._pad(source.templates[-1], padded_length(count, booklet=False) - count, stamps)

        for annot in annot_map.values():
            _retarget(annot, page_map, prefix)
        item = pikepdf.OutlineItem(title, first_page)
        if tagged or not source.structure:
            # Untagged copies of a tagged edition get one outline entry and no
            # names: nothing links into them, and 150 copies of every heading
            # would bury the copies in the outline.
            for name, dest in source.dests:
                self.dests.append((f"{prefix}/{name}", _map_dest(dest, page_map, prefix)))
            item.children.extend(_outline(source.outline, page_map, prefix))
        if tagged and source.structure:
            self._tag_part(source, title, page_map, annot_map)
        self.outline.append(item)

    def add_booklets(
        self,
        copies: Sequence[CopyMarks],
        stamps: Iterator[pikepdf.Object],
        *,
        sheet: tuple[float, float] | None,
    ) -> None:
        """Add every copy imposed 2-up in saddle-stitch order, one outline entry each."""
        source = self.source(self.edition)
        out = self.out
        count = len(source.templates)
        total = padded_length(count, booklet=True)
        x0, y0, width, height = _size(self.edition.pages[0])
        sheet_width, sheet_height = sheet or _standard_sheet(2 * width, height)
        scale = min(sheet_width / 2 / width, sheet_height / height)
        # Centre each page in its half of the sheet.
        dx = (sheet_width / 2 - width * scale) / 2
        dy = (sheet_height - height * scale) / 2
        forms = [self._page_form(source, index) for index in range(count)]
        contents: dict[bytes, pikepdf.Object] = {}
        for copy in copies:
            first_page = len(out.pages)
            copy_stamps = [next(stamps) for _ in range(total)]
            for left, right in saddle_stitch_order(total):
                operators = []
                xobjects = Dictionary()
                for half, number in enumerate((left, right)):
                    index = number - 1
                    shift = half * sheet_width / 2 + dx - x0 * scale
                    place = (
                        f"{pdf_number(scale)} 0 0 {pdf_number(scale)} {pdf_number(shift)} "
                        f"{pdf_number(dy - y0 * scale)} cm"
                    )
                    if index < count:
                        xobjects[Name(f"/P{half}")] = forms[index]
                        operators.append(f"q {place} /P{half} Do Q")
                    xobjects[Name(f"/S{half}")] = copy_stamps[index]
                    operators.append(f"/Artifact BMC q {place} /S{half} Do Q EMC")
                data = ("\n".join(operators) + "\n").encode("ascii")
                if data not in contents:  # the same layout on every copy: one stream
                    contents[data] = out.make_stream(data)
                content = contents[data]
                page = Dictionary(
                    Type=Name.Page,
                    MediaBox=Array([0, 0, sheet_width, sheet_height]),
                    Resources=Dictionary(XObject=xobjects),
                    Contents=content,
                )
                out.pages.append(pikepdf.Page(out.make_indirect(page)))
            self.outline.append(pikepdf.OutlineItem(copy.title, first_page))

    def finish(self) -> bytes:
        """Write the catalog, tags, names and outline; return the PDF's bytes."""
        out, edition = self.out, self.edition
        for key in _ROOT_KEYS_KEPT:
            if key in edition.Root:
                out.Root[key] = _import(out, edition, edition.Root[key])
        if "/MarkInfo" in edition.Root or self.tagged:
            out.Root.MarkInfo = Dictionary(Marked=self.tagged)
        if self.tagged:
            self.document.K = Array(self.parts)
            tree_root = Dictionary(
                Type=Name.StructTreeRoot,
                K=self.document,
                ParentTree=out.make_indirect(
                    Dictionary(Nums=Array([v for pair in self.parent_tree for v in pair]))
                ),
                ParentTreeNextKey=len(self.parent_tree),
            )
            if self.role_map:
                tree_root.RoleMap = self.role_map
            out.Root.StructTreeRoot = out.make_indirect(tree_root)
            self.document.P = out.Root.StructTreeRoot
        if self.dests:
            tree = pikepdf.NameTree.new(out)
            for name, dest in self.dests:
                tree[name] = dest
            out.Root.Names = Dictionary(Dests=tree.obj)
        with out.open_outline() as outline:
            outline.root.extend(self.outline)
        for key, value in edition.docinfo.items():
            out.docinfo[key] = _import(out, edition, value)
        buffer = io.BytesIO()
        _set_compression()
        out.save(
            buffer,
            min_version=edition.pdf_version,
            deterministic_id=True,
            fix_metadata_version=False,  # keep the edition's XMP exactly; no new dates
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
        )
        return buffer.getvalue()

    def _shared(self, resources: pikepdf.Object) -> pikepdf.Object:
        """Return the resources dictionary made indirect, so copies refer to one object."""
        if not resources.is_indirect:
            resources = self.out.make_indirect(resources)
        return resources

    def _stamped_resources(self, resources: pikepdf.Object, stamp: pikepdf.Object) -> Dictionary:
        """Return the page's resources plus the stamp, sharing every resource dictionary."""
        merged = Dictionary()
        for key, value in resources.items():
            if isinstance(value, Dictionary) and not value.is_indirect:
                value = self.out.make_indirect(value)
                resources[key] = value  # the next copy of this page reuses it
            merged[key] = value
        xobjects = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
        xobjects[STAMP] = stamp
        merged.XObject = xobjects
        return merged

    def _pad(self, template: pikepdf.Object, count: int, stamps: Iterator[pikepdf.Object]) -> None:
        """Add count blank pages the size of template, each with its stamp (the notice)."""
        for _ in range(count):
            page = Dictionary(
                Type=Name.Page,
                MediaBox=template.MediaBox,
                Resources=Dictionary(XObject=Dictionary({STAMP: next(stamps)})),
                Contents=self.stamp_only,
            )
            self.out.pages.append(pikepdf.Page(self.out.make_indirect(page)))

    def _contents_keeping(
        self, source: _Source, index: int, keep: frozenset[int]
    ) -> list[pikepdf.Object]:
        """Return page index's content streams with tagged content not in keep made artifact.

        Content is turned into an artifact when no copy of it is tagged (the
        untagged copies), and when the edition marked it with an MCID that no
        element in its structure tree owns: WeasyPrint does that to running
        headers and footers (its issue 1836), which PDF/UA wants as artifacts.
        The edition's own streams are returned when nothing changes; a variant
        is made once per page and shared by every copy that uses it.
        """
        if (index, keep) in source.variants:
            return source.variants[index, keep]
        template = source.templates[index]
        data = _artifacts_except(pikepdf.Page(template), keep)
        contents: list[pikepdf.Object] = (
            [self.out.make_stream(data)] if data is not None else _content_list(template)
        )
        source.variants[index, keep] = contents
        return contents

    def _page_form(self, source: _Source, index: int) -> pikepdf.Object:
        """Return page index of source as a Form XObject, made once and shared by every copy."""
        if index not in source.shared_forms:
            page = pikepdf.Page(source.templates[index])
            form = page.as_form_xobject()
            source.shared_forms[index] = form if form.is_indirect else self.out.make_indirect(form)
        return source.shared_forms[index]

    def _tag_part(
        self,
        source: _Source,
        title: str,
        page_map: dict[tuple[int, int], pikepdf.Object],
        annot_map: dict[tuple[int, int], pikepdf.Object],
    ) -> None:
        """Add a /Part holding a copy of source's structure that points at this part's pages."""
        part = self.out.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Part, T=String(title), P=self.document)
        )
        owners: dict[tuple[int, int], dict[int, pikepdf.Object]] = {}
        copier = _TreeCopier(self.out, page_map, annot_map, owners, self)
        part.K = Array([copier.copy(elem, part) for elem in source.structure])
        self.parts.append(part)
        for page in page_map.values():
            mcids = owners.get(page.objgen)
            if not mcids:
                continue
            page.StructParents = len(self.parent_tree)
            array = Array([mcids.get(i) for i in range(max(mcids) + 1)])
            self.parent_tree.append((len(self.parent_tree), array))

    def next_key(self, elem: pikepdf.Object) -> int:
        """Return a new /ParentTree key whose value is elem (an annotation's parent)."""
        key = len(self.parent_tree)
        self.parent_tree.append((key, elem))
        return key


class _TreeCopier:
    """Copies structure elements for one part, pointing them at that part's pages."""

    def __init__(
        self,
        out: Pdf,
        page_map: dict[tuple[int, int], pikepdf.Object],
        annot_map: dict[tuple[int, int], pikepdf.Object],
        owners: dict[tuple[int, int], dict[int, pikepdf.Object]],
        builder: _Builder,
    ) -> None:
        self.out = out
        self.page_map = page_map
        self.annot_map = annot_map
        self.owners = owners
        self.builder = builder

    def copy(self, elem: pikepdf.Object, parent: pikepdf.Object) -> pikepdf.Object:
        """Return a copy of elem and its descendants under parent."""
        new = Dictionary()
        for key, value in elem.items():
            # /Type is optional; left out, it saves 17 bytes on every element of every copy.
            if key not in ("/P", "/K", "/Pg", "/ID", "/Type"):
                new[key] = value
        new.P = parent
        page = self._page(elem.get("/Pg"))
        if page is not None:
            new.Pg = page
        new = self.out.make_indirect(new)
        kids = elem.get("/K")
        if kids is not None:
            items = list(kids) if isinstance(kids, Array) else [kids]
            copied = [self._kid(kid, new, page) for kid in items]
            new.K = Array([kid for kid in copied if kid is not None])
        return new

    def _kid(
        self, kid: pikepdf.Object, elem: pikepdf.Object, page: pikepdf.Object | None
    ) -> pikepdf.Object | None:
        """Return the copy of one /K entry of elem: an MCID, a reference or an element."""
        if isinstance(kid, int) or (not isinstance(kid, Dictionary)):
            if page is not None:
                self._own(page, int(kid), elem)
            return kid
        kind = kid.get("/Type")
        if kind == Name.MCR:
            mcr_page = self._page(kid.get("/Pg")) or page
            reference = Dictionary(Type=Name.MCR, MCID=kid.MCID)
            if mcr_page is not None:
                reference.Pg = mcr_page
            if "/Stm" in kid:
                reference.Stm = kid.Stm  # content in a shared form: left as it was
            elif mcr_page is not None:
                self._own(mcr_page, int(kid.MCID), elem)
            return reference
        if kind == Name.OBJR:
            annot = self.annot_map.get(kid.Obj.objgen)
            if annot is None:
                return None
            annot.StructParent = self.builder.next_key(elem)
            reference = Dictionary(Type=Name.OBJR, Obj=annot)
            obj_page = self._page(kid.get("/Pg")) or page
            if obj_page is not None:
                reference.Pg = obj_page
            return reference
        return self.copy(kid, elem)

    def _page(self, page: pikepdf.Object | None) -> pikepdf.Object | None:
        """Return this part's copy of a template page."""
        if page is None:
            return None
        return self.page_map.get(page.objgen)

    def _own(self, page: pikepdf.Object, mcid: int, elem: pikepdf.Object) -> None:
        """Record that elem owns marked content mcid on page."""
        self.owners.setdefault(page.objgen, {})[mcid] = elem


def _collect_owned(
    elem: pikepdf.Object, page: pikepdf.Object | None, owned: dict[tuple[int, int], set[int]]
) -> None:
    """Add the MCIDs that elem and its descendants own to owned, by page."""
    page = elem.get("/Pg", page)
    for kid in _kids(elem):
        if isinstance(kid, int):
            if page is not None:
                owned.setdefault(page.objgen, set()).add(kid)
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
            mcr_page = kid.get("/Pg", page)
            if mcr_page is not None and "/Stm" not in kid:
                owned.setdefault(mcr_page.objgen, set()).add(int(kid.MCID))
        elif isinstance(kid, Dictionary) and "/S" in kid:
            _collect_owned(kid, page, owned)


def _stamp_forms(out: Pdf, overlay: Pdf, marks: Sequence[PageMarks]) -> dict[PageMarks, Any]:
    """Return each overlay page as a Form XObject in out, keyed by the marks it draws."""
    # reportlab names a font the same on every page, so one resource dictionary
    # serves every stamp: a stream's dictionary cannot be compressed, and 150
    # copies of the same font list would cost more than the stamps themselves.
    fonts = Dictionary()
    for page in overlay.pages:
        for name, font in page.resources.get("/Font", Dictionary()).items():
            fonts[name] = font
    resources = overlay.make_indirect(Dictionary(Font=fonts))
    forms = {}
    for key, page in zip(marks, overlay.pages, strict=True):
        form = page.as_form_xobject()
        form.Resources = resources
        forms[key] = out.copy_foreign(form)
    return forms


def _mcid(properties: pikepdf.Object, page: pikepdf.Page) -> int | None:
    """Return the MCID in a BDC operator's properties (inline or named), if any."""
    if isinstance(properties, Name):
        named = page.resources.get("/Properties", Dictionary()).get(properties)
        return _mcid(named, page) if isinstance(named, Dictionary) else None
    if isinstance(properties, Dictionary) and "/MCID" in properties:
        return int(properties.MCID)
    return None


def _stamp_operators(x0: float, y0: float) -> bytes:
    """Return the operators that paint the page's stamp as an artifact."""
    place = f"{pdf_number(x0)} {pdf_number(y0)}"
    return f"/Artifact BMC\nq 1 0 0 1 {place} cm {STAMP} Do Q\nEMC\n".encode("ascii")


def pdf_number(value: float) -> str:
    """Write a number as PDF syntax allows: fixed point, never '5.68434e-14'."""
    # Viewers stop at an exponent: the A4 booklet's sheets printed blank in poppler.
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _kids(elem: pikepdf.Object) -> list[Any]:
    """Return the entries of elem's /K as a list."""
    kids = elem.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _children(elem: pikepdf.Object) -> list[pikepdf.Object]:
    """Return the structure elements directly under elem."""
    return [kid for kid in _kids(elem) if isinstance(kid, Dictionary) and "/S" in kid]


def _content_list(page: pikepdf.Object) -> list[pikepdf.Object]:
    """Return the page's content streams as a list."""
    contents = page.get("/Contents")
    if contents is None:
        return []
    if isinstance(contents, Array):
        return list(contents)
    return [contents]


def _map_dest(
    dest: pikepdf.Object, page_map: dict[tuple[int, int], pikepdf.Object], prefix: str
) -> pikepdf.Object:
    """Return a destination pointing into this part: its page, or its renamed name."""
    if isinstance(dest, Dictionary) and "/D" in dest:
        return Dictionary(D=_map_dest(dest.D, page_map, prefix))
    if isinstance(dest, Array) and len(dest) and isinstance(dest[0], Dictionary):
        page = page_map.get(dest[0].objgen)
        if page is not None:
            return Array([page, *list(dest)[1:]])
    if isinstance(dest, String | Name):
        name = str(dest).lstrip("/") if isinstance(dest, Name) else str(dest)
        return String(f"{prefix}/{name}")
    return dest


def _retarget(
    annot: pikepdf.Object, page_map: dict[tuple[int, int], pikepdf.Object], prefix: str
) -> None:
    """Point a copied link annotation at this part's pages and names."""
    if "/Dest" in annot:
        annot.Dest = _map_dest(annot.Dest, page_map, prefix)
    action = annot.get("/A")
    if isinstance(action, Dictionary) and action.get("/S") == Name.GoTo and "/D" in action:
        copied = Dictionary(dict(action.items()))
        copied.D = _map_dest(action.D, page_map, prefix)
        annot.A = copied


def _import(out: Pdf, source: Pdf, obj: _T) -> _T:
    """Return obj, from source, copied into out (direct objects by way of a wrapper)."""
    if isinstance(obj, Dictionary | Array | pikepdf.Stream) and obj.is_indirect:
        return cast(_T, out.copy_foreign(obj))
    if isinstance(obj, Dictionary | Array):
        # copy_foreign takes indirect objects only; wrap, copy, unwrap.
        return cast(_T, out.copy_foreign(source.make_indirect(Array([obj])))[0])
    return obj


def _import_entry(out: Pdf, source: Pdf, item: pikepdf.OutlineItem) -> _Entry:
    """Return an outline item of a source PDF with its destination copied into out."""
    destination = item.destination
    action = item.action
    return _Entry(
        title=item.title,
        destination=_import(out, source, destination) if destination is not None else None,
        action=_import(out, source, action) if action is not None else None,
        children=tuple(_import_entry(out, source, child) for child in item.children),
    )


def _outline(
    items: Sequence[_Entry],
    page_map: dict[tuple[int, int], pikepdf.Object],
    prefix: str,
) -> list[pikepdf.OutlineItem]:
    """Return copies of outline items that point into this part."""
    copies = []
    for item in items:
        destination = item.destination
        action = item.action
        if destination is not None and not isinstance(destination, int):
            destination = cast(Array | String | Name, _map_dest(destination, page_map, prefix))
        if action is not None and action.get("/S") == Name.GoTo:
            action = Dictionary(S=Name.GoTo, D=_map_dest(action.D, page_map, prefix))
        made = pikepdf.OutlineItem(item.title, destination, action=action)
        made.is_closed = True
        made.children.extend(_outline(item.children, page_map, prefix))
        copies.append(made)
    return copies
