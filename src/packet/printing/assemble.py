"""Assemble a class set: the student edition once per student, each copy stamped.

pikepdf is imported here and in ``tags`` and ``checks.pdfstrings``. The edition is rendered once;
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from packet.layout.overlay import Mark, PageMarks, draw
from packet.printing.impose import (
    padded_length,
    pdf_number,
    saddle_stitch_order,
    standard_sheet,
)
from packet.printing.tags import (
    Entry,
    TreeCopier,
    artifacts_except,
    children,
    collect_owned,
    content_list,
    import_entry,
    import_object,
    map_dest,
    open_pdf,
    outline_copies,
    retarget,
    set_compression,
)

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
    blank_notice_size: float = BLANK_NOTICE_SIZE,
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
    edition = open_pdf(edition_pdf, "the student edition")
    count = len(edition.pages)
    for copy in copies:
        if len(copy.pages) != count:
            raise ValueError(
                f"{copy.title}: marks for {len(copy.pages)} pages, edition has {count}"
            )
    cover = open_pdf(cover_pdf, "the cover sheet") if cover_pdf is not None else None
    key = open_pdf(key_pdf, "the answer key") if key_pdf is not None else None

    plan = _Plan(edition, copies, cover, key, booklet, blank_notice, blank_notice_size)
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


def page_count(data: bytes) -> int:
    """Return how many pages a PDF has."""
    with open_pdf(data, "the PDF") as pdf:
        return len(pdf.pages)


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
        notice_size: float = BLANK_NOTICE_SIZE,
    ) -> None:
        self.overlay_pages: list[PageMarks] = []
        self.notice = notice
        self.notice_size = notice_size
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
        notice = Mark(width / 2, height / 2, self.notice, size=self.notice_size, align="center")
        for _ in range(padded_length(count, booklet=booklet) - count):
            self.overlay_pages.append(PageMarks(width, height, (*marks, notice)))


@dataclass
class _Source:
    """One source PDF brought into the output: its pages as templates, its tags."""

    pdf: Pdf
    templates: list[pikepdf.Object]
    structure: list[pikepdf.Object]  # the elements to duplicate per part, imported
    dests: list[tuple[str, pikepdf.Object]]
    outline: list[Entry]
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
        self.ids: dict[str, pikepdf.Object] = {}  # element IDs (a table's cells), all parts
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
            structure = children(imported)
            if len(structure) == 1 and structure[0].get("/S") == Name.Document:
                structure = children(structure[0])
            for role, standard in imported.get("/RoleMap", Dictionary()).items():
                self.role_map[role] = standard
        owned: dict[tuple[int, int], set[int]] = {}
        for elem in structure:
            collect_owned(elem, None, owned)
        dests = []
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            for name, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items():
                dests.append((name, import_object(out, pdf, dest)))
        with pdf.open_outline() as outline:
            entries = [import_entry(out, pdf, item) for item in outline.root]
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
                contents = content_list(template)
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
            retarget(annot, page_map, prefix)
        item = pikepdf.OutlineItem(title, first_page)
        if tagged or not source.structure:
            # Untagged copies of a tagged edition get one outline entry and no
            # names: nothing links into them, and 150 copies of every heading
            # would bury the copies in the outline.
            for name, dest in source.dests:
                self.dests.append((f"{prefix}/{name}", map_dest(dest, page_map, prefix)))
            item.children.extend(outline_copies(source.outline, page_map, prefix))
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
        sheet_width, sheet_height = sheet or standard_sheet(2 * width, height)
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
                out.Root[key] = import_object(out, edition, edition.Root[key])
        if not self.tagged and "/Metadata" in out.Root:
            # An imposed booklet is not tagged: it must not claim to be PDF/UA.
            with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                if "pdfuaid:part" in xmp:
                    del xmp["pdfuaid:part"]
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
            if self.ids:  # what a table cell's /Headers names, found by ID
                ids = pikepdf.NameTree.new(out)
                for name, elem in sorted(self.ids.items()):
                    ids[name] = elem
                tree_root.IDTree = ids.obj
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
            out.docinfo[key] = import_object(out, edition, value)
        buffer = io.BytesIO()
        set_compression()
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
        data = artifacts_except(pikepdf.Page(template), keep)
        contents: list[pikepdf.Object] = (
            [self.out.make_stream(data)] if data is not None else content_list(template)
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
        prefix = f"p{len(self.parts) + 1}-"
        copier = TreeCopier(self.out, page_map, annot_map, owners, self.next_key, prefix)
        part.K = Array([copier.copy(elem, part) for elem in source.structure])
        self.parts.append(part)
        self.ids.update(copier.ids)
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


def _stamp_operators(x0: float, y0: float) -> bytes:
    """Return the operators that paint the page's stamp as an artifact."""
    place = f"{pdf_number(x0)} {pdf_number(y0)}"
    return f"/Artifact BMC\nq 1 0 0 1 {place} cm {STAMP} Do Q\nEMC\n".encode("ascii")
