"""Check a finished PDF for what a screen reader and a PDF/UA-1 validator need.

Each check is a small function over one shared, read-only view of the file
(``PdfView``: its pages, its structure tree as reached from the root, which
marked content each element owns, how each page's content is marked) and
yields ``Finding``s: where (page, object), how bad (error or warning), what is
wrong and how to fix it. ``CHECKS`` lists them in the order they are run; a new
check is one more function there.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from packet.checks.pdfview import (
    HEADING,
    MAY_BE_EMPTY,
    STANDARD_TYPES,
    Check,
    CMap,
    Element,
    Finding,
    PdfView,
    Report,
    Severity,
    count_of,
    ints_of,
    kids,
    objgen,
    quoted,
    standard_encoding,
    table_attributes,
    text_of,
)
from packet.checks.words import joined_words

__all__ = ["CHECKS", "CMap", "Finding", "Report", "verify_file", "verify_pdf"]


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
            examples = quoted([text for _, text in page.untagged_text])
            yield Finding(
                "untagged-text",
                "error",
                f"{count_of(len(page.untagged_text), 'piece')} of text drawn outside any tagged "
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
                f"{count_of(len(page.untagged_drawing), 'path or image', 'paths or images')} "
                "drawn outside any tagged or artifact marked content",
                "wrap decoration in /Artifact BMC … EMC; tag a meaningful image as a Figure",
                number,
                page.untagged_drawing[0],
            )
        if page.unowned:
            stream, tag, _ = page.unowned[0]
            mcids = [mcid for _, _, mcid in page.unowned if mcid is not None]
            with_ids = f" (MCIDs {ints_of(mcids)})" if mcids else ""
            yield Finding(
                "marked-content",
                "error",
                f"{count_of(len(page.unowned), 'marked-content sequence')}, e.g. {tag}, "
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
                f"{count_of(len(missing), 'structure reference')} to marked content the page "
                f"does not draw (MCIDs {ints_of(missing)}), e.g. from a {element.kind}",
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
        if not any(text_of(element.obj.get(key)) for key in ("/Alt", "/ActualText")):
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
        match = HEADING.fullmatch(element.role)
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
    ids = {text_of(e.obj.get("/ID")) for e in view.elements if "/ID" in e.obj}
    dangling: set[int] = set()  # cells (by id()) naming headers that do not exist
    for element in view.elements:
        headers = table_attributes(element.obj).get("/Headers")
        if element.role in ("TD", "TH") and isinstance(headers, Array):
            missing = [text_of(h) for h in headers if text_of(h) not in ids]
            if missing:
                dangling.add(id(element))
                yield Finding(
                    "table-headers",
                    "error",
                    f"a table cell names header cells that do not exist: {quoted(missing)}",
                    "give each header cell the /ID its data cells name, or use /Scope",
                    element.page,
                    element.id,
                )
    organized: dict[int, bool] = {}  # by id() of the table
    for element in view.elements:
        if element.role != "TH" or "/Scope" in table_attributes(element.obj):
            continue
        table = element.parent
        while table is not None and table.role != "Table":
            table = table.parent
        if table is not None and id(table) not in organized:
            data = [cell for cell in _cells(table) if cell.role == "TD"]
            organized[id(table)] = all(
                isinstance(table_attributes(c.obj).get("/Headers"), Array) and id(c) not in dangling
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
        loose = any(not (isinstance(k, Dictionary) and "/S" in k) for k in kids(element.obj))
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
            key = objgen(annot)
            if not text_of(annot.get("/Contents")).strip():
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
            if not standard_encoding(font):
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
                f"the font {name} maps {count_of(len(bad), 'code')} to a character that is no "
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
            if not 0 <= mcid < len(entries) or objgen(entries[mcid]) != element.id
        ]
        if wrong:
            yield Finding(
                "parent-tree",
                "error",
                f"the /ParentTree does not lead {count_of(len(wrong), 'MCID')} of the page "
                f"({ints_of(wrong)}) to the element that owns it",
                "rebuild the page's /ParentTree entry from the structure tree",
                number,
                owned[wrong[0]].id,
            )
    for annot, element in view.object_owners.items():
        obj = view.pdf.get_object(annot)
        parent = obj.get("/StructParent") if isinstance(obj, Dictionary) else None
        if not isinstance(parent, int) or objgen(tree.get(int(parent))) != element.id:
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
            item_key = objgen(item)
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
            not kids(element.obj)
            and element.role not in MAY_BE_EMPTY
            and not any(text_of(element.obj.get(k)) for k in ("/Alt", "/ActualText", "/E"))
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
        pages = list(joined_words(view))
    except pypdfium2.PdfiumError as error:
        yield Finding("pdf", "error", f"PDFium cannot read the text: {error}", "build it again")
        return
    for number, joined in pages:
        if joined:
            yield Finding(
                "joined-words",
                "error",
                f"{count_of(len(joined), 'word')} at a line end run into the next line's "
                f"first word (text and screen readers read them as one): {quoted(joined)}",
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


def _claims_pdf_ua(pdf: pikepdf.Pdf) -> bool:
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            return bool(xmp.get("pdfuaid:part"))
    except Exception:  # XMP that cannot be parsed claims nothing
        return False


def _valid_language(tag: str) -> bool:
    import langcodes

    return bool(langcodes.tag_is_valid(tag.strip()))
