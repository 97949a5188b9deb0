"""Keep a tagged PDF whole while its pages are reused: artifacts, structure, outline.

A tagged (PDF/UA) page finds its structure elements through marked-content IDs
(MCIDs) and its ``/StructParents`` key; copying a page for another student, or
turning some of its content into artifacts, must keep every such reference
resolving. ``finish_edition`` makes a rendered edition's untagged content
artifacts and stamps its margin marks; the rest are the pieces ``assemble``
builds a class set with: which
MCIDs the structure tree owns, content rewritten so the rest is ``/Artifact``,
the structure tree copied for a copy of the pages, and outline entries and
destinations carried across files.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from packet.errors import PacketError

_T = TypeVar("_T")


@dataclass(frozen=True)
class Entry:
    """An outline item of a source PDF, its destination imported into the output."""

    title: str
    destination: Array | String | Name | int | None
    action: Dictionary | None
    children: tuple[Entry, ...]


class TreeCopier:
    """Copies structure elements for one part, pointing them at that part's pages."""

    def __init__(
        self,
        out: Pdf,
        page_map: dict[tuple[int, int], pikepdf.Object],
        annot_map: dict[tuple[int, int], pikepdf.Object],
        owners: dict[tuple[int, int], dict[int, pikepdf.Object]],
        next_key: Callable[[pikepdf.Object], int],
        id_prefix: str = "",
    ) -> None:
        self.out = out
        self.page_map = page_map
        self.annot_map = annot_map
        self.owners = owners
        self.next_key = next_key  # a new /ParentTree key for an annotation's parent
        # Element IDs must be unique in the file: each part's are prefixed, and a table
        # cell's /Headers, which name its header cells by ID, are rewritten to match.
        self.id_prefix = id_prefix
        self.ids: dict[str, pikepdf.Object] = {}

    def copy(self, elem: pikepdf.Object, parent: pikepdf.Object) -> pikepdf.Object:
        """Return a copy of elem and its descendants under parent."""
        new = Dictionary()
        for key, value in elem.items():
            # /Type is optional; left out, it saves 17 bytes on every element of every copy.
            if key not in ("/P", "/K", "/Pg", "/ID", "/Type", "/A"):
                new[key] = value
        if "/A" in elem:
            new.A = self._attributes(elem.A)
        new.P = parent
        page = self._page(elem.get("/Pg"))
        if page is not None:
            new.Pg = page
        new = self.out.make_indirect(new)
        if "/ID" in elem:
            new.ID = String(self.id_prefix + str(elem.ID))
            self.ids[str(new.ID)] = new
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
            annot.StructParent = self.next_key(elem)
            reference = Dictionary(Type=Name.OBJR, Obj=annot)
            obj_page = self._page(kid.get("/Pg")) or page
            if obj_page is not None:
                reference.Pg = obj_page
            return reference
        return self.copy(kid, elem)

    def _attributes(self, attributes: pikepdf.Object) -> pikepdf.Object:
        """Element attributes, with the IDs a table cell's /Headers names prefixed."""
        if not self.id_prefix:
            return attributes
        if isinstance(attributes, Array):
            return Array([self._attributes(a) for a in attributes])
        if not isinstance(attributes, Dictionary) or "/Headers" not in attributes:
            return attributes
        copied = Dictionary({k: v for k, v in attributes.items()})
        copied.Headers = Array([String(self.id_prefix + str(h)) for h in attributes.Headers])
        return copied

    def _page(self, page: pikepdf.Object | None) -> pikepdf.Object | None:
        """Return this part's copy of a template page."""
        if page is None:
            return None
        return self.page_map.get(page.objgen)

    def _own(self, page: pikepdf.Object, mcid: int, elem: pikepdf.Object) -> None:
        """Record that elem owns marked content mcid on page."""
        self.owners.setdefault(page.objgen, {})[mcid] = elem


def collect_owned(
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
            collect_owned(kid, page, owned)


def _mcid(properties: pikepdf.Object, page: pikepdf.Page) -> int | None:
    """Return the MCID in a BDC operator's properties (inline or named), if any."""
    if isinstance(properties, Name):
        named = page.resources.get("/Properties", Dictionary()).get(properties)
        return _mcid(named, page) if isinstance(named, Dictionary) else None
    if isinstance(properties, Dictionary) and "/MCID" in properties:
        return int(properties.MCID)
    return None


def _kids(elem: pikepdf.Object) -> list[Any]:
    """Return the entries of elem's /K as a list."""
    kids = elem.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def children(elem: pikepdf.Object) -> list[pikepdf.Object]:
    """Return the structure elements directly under elem."""
    return [kid for kid in _kids(elem) if isinstance(kid, Dictionary) and "/S" in kid]


def content_list(page: pikepdf.Object) -> list[pikepdf.Object]:
    """Return the page's content streams as a list."""
    contents = page.get("/Contents")
    if contents is None:
        return []
    if isinstance(contents, Array):
        return list(contents)
    return [contents]


def artifacts_except(page: pikepdf.Page, keep: set[int] | frozenset[int]) -> bytes | None:
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


def artifact_unowned(pdf: Pdf, page: pikepdf.Page, owned: set[int]) -> None:
    """Rewrite the page's content so marked content no element owns is an artifact."""
    data = artifacts_except(page, owned)
    if data is not None:
        page.obj.Contents = pdf.make_stream(data)


def map_dest(
    dest: pikepdf.Object, page_map: dict[tuple[int, int], pikepdf.Object], prefix: str
) -> pikepdf.Object:
    """Return a destination pointing into this part: its page, or its renamed name."""
    if isinstance(dest, Dictionary) and "/D" in dest:
        return Dictionary(D=map_dest(dest.D, page_map, prefix))
    if isinstance(dest, Array) and len(dest) and isinstance(dest[0], Dictionary):
        page = page_map.get(dest[0].objgen)
        if page is not None:
            return Array([page, *list(dest)[1:]])
    if isinstance(dest, String | Name):
        name = str(dest).lstrip("/") if isinstance(dest, Name) else str(dest)
        return String(f"{prefix}/{name}")
    return dest


def retarget(
    annot: pikepdf.Object, page_map: dict[tuple[int, int], pikepdf.Object], prefix: str
) -> None:
    """Point a copied link annotation at this part's pages and names."""
    if "/Dest" in annot:
        annot.Dest = map_dest(annot.Dest, page_map, prefix)
    action = annot.get("/A")
    if isinstance(action, Dictionary) and action.get("/S") == Name.GoTo and "/D" in action:
        copied = Dictionary(dict(action.items()))
        copied.D = map_dest(action.D, page_map, prefix)
        annot.A = copied


def import_object(out: Pdf, source: Pdf, obj: _T) -> _T:
    """Return obj, from source, copied into out (direct objects by way of a wrapper)."""
    if isinstance(obj, Dictionary | Array | pikepdf.Stream) and obj.is_indirect:
        return cast(_T, out.copy_foreign(obj))
    if isinstance(obj, Dictionary | Array):
        # copy_foreign takes indirect objects only; wrap, copy, unwrap.
        return cast(_T, out.copy_foreign(source.make_indirect(Array([obj])))[0])
    return obj


def import_entry(out: Pdf, source: Pdf, item: pikepdf.OutlineItem) -> Entry:
    """Return an outline item of a source PDF with its destination copied into out."""
    destination = item.destination
    action = item.action
    return Entry(
        title=item.title,
        destination=import_object(out, source, destination) if destination is not None else None,
        action=import_object(out, source, action) if action is not None else None,
        children=tuple(import_entry(out, source, child) for child in item.children),
    )


def outline_copies(
    items: Sequence[Entry],
    page_map: dict[tuple[int, int], pikepdf.Object],
    prefix: str,
) -> list[pikepdf.OutlineItem]:
    """Return copies of outline items that point into this part."""
    copies = []
    for item in items:
        destination = item.destination
        action = item.action
        if destination is not None and not isinstance(destination, int):
            destination = cast(Array | String | Name, map_dest(destination, page_map, prefix))
        if action is not None and action.get("/S") == Name.GoTo:
            action = Dictionary(S=Name.GoTo, D=map_dest(action.D, page_map, prefix))
        made = pikepdf.OutlineItem(item.title, destination, action=action)
        made.is_closed = True
        made.children.extend(outline_copies(item.children, page_map, prefix))
        copies.append(made)
    return copies


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
    pdf = open_pdf(edition_pdf, "the rendered edition")
    root = pdf.Root.get("/StructTreeRoot")
    if root is not None:
        owned: dict[tuple[int, int], set[int]] = {}
        for elem in children(root):
            collect_owned(elem, None, owned)
        for page in pdf.pages:
            artifact_unowned(pdf, page, owned.get(page.obj.objgen, set()))
        _forget_unowned(pdf, root, owned)
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
    set_compression()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _forget_unowned(pdf: Pdf, root: pikepdf.Object, owned: dict[tuple[int, int], set[int]]) -> None:
    """Clear the ParentTree entries of marked content that is now an artifact.

    They point at the elements WeasyPrint made for running heads, which hang from
    nothing a reader can reach; a validator reports each as a stale entry.
    """
    tree = root.get("/ParentTree")
    if tree is None:
        return
    keys = {
        int(page.obj.StructParents): page.obj.objgen
        for page in pdf.pages
        if "/StructParents" in page.obj
    }
    for nums in _number_arrays(tree):
        for i in range(0, len(nums) - 1, 2):
            key, value = int(nums[i]), nums[i + 1]
            if key not in keys or not isinstance(value, Array):
                continue
            mine = owned.get(keys[key], set())
            nums[i + 1] = Array(
                [entry if mcid in mine else None for mcid, entry in enumerate(value)]
            )


def _number_arrays(node: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """The /Nums arrays of a number tree, its own and its kids'."""
    if "/Nums" in node:
        yield node.Nums
    for kid in node.get("/Kids", ()):
        yield from _number_arrays(kid)


def set_compression() -> None:
    """Compress new streams as hard as zlib can, the same way on every save.

    The level is a process-wide pikepdf setting: set it before each save, so the
    bytes never depend on what ran earlier in the process.
    """
    pikepdf.settings.set_flate_compression_level(9)


def open_pdf(data: bytes, what: str) -> Pdf:
    """Open PDF bytes, or raise a PacketError naming what they were meant to be."""
    try:
        return Pdf.open(io.BytesIO(data))
    except pikepdf.PdfError as error:
        raise PacketError(
            f"{what} is not a readable PDF file: {error}\n"
            "    fix: export it again as PDF, or leave it out"
        ) from error
