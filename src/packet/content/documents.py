"""Read a packet's documents: which files they are (packet.yaml) and what each one holds.

A packet lists its documents under ``documents:`` in packet.yaml, each a Markdown file
with front matter. A packet written before documents could be listed has none: its
one document is source.md, with adapted.md as its adapted version if it exists.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from pathlib import Path

from packet.content.dates import DateError, HistoricalDate, parse_date
from packet.content.fields import Fields
from packet.content.figures import MIN_FIGURE_WIDTH, parse_width
from packet.content.model import (
    DOCUMENT_KINDS,
    IMAGE_KINDS,
    Document,
    Figure,
    Markdown,
    SourceText,
    Speaker,
)
from packet.content.yamlnodes import Node, parse
from packet.errors import Problems

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_LABEL = re.compile(r"[A-Za-z0-9]{1,3}")
MAX_DOCUMENTS = 26
# Files in a packet folder that are not documents.
NOT_DOCUMENTS = ("essay.md", "README.md")
# Stands in for a date that is missing or wrong, which is reported: the packet never prints.
UNDATED = HistoricalDate(dt.date(1970, 1, 1), dt.date(1970, 1, 1), text="")


@dataclass(frozen=True)
class Entry:
    """One line of packet.yaml's ``documents:`` list."""

    file: str
    line: int
    label: str = ""
    adapted: str = ""
    purpose: Markdown | None = None
    minutes: int | None = None


def entries(node: Node | None, root: Path, problems: Problems) -> tuple[Entry, ...] | None:
    """The documents packet.yaml lists, or None when it lists none (one source.md)."""
    file = root / "packet.yaml"
    if node is None or node.value is None:
        return None
    if not isinstance(node.value, list) or not node.value:
        problems.add(
            file,
            "'documents' should be a list of document files, each on a line starting with '- '",
            "write e.g.\n      documents:\n        - source.md\n        - address.md",
            line=node.line,
            field="documents",
        )
        return ()
    out = []
    for number, item in enumerate(node.value, start=1):
        where = f"documents[{number}]"
        if isinstance(item.value, str):
            out.append(Entry(item.value.strip(), item.line))
            continue
        f = Fields(item, file, problems, path=where)
        entry = Entry(
            file=f.text("file", hint="address.md"),
            line=item.line,
            label=f.text("label", required=False),
            adapted=f.text("adapted", required=False),
            purpose=f.markdown("purpose", required=False),
            minutes=f.integer("minutes", low=1, high=600)
            if f.node("minutes") is not None
            else None,
        )
        f.finish()
        out.append(entry)
    if len(out) > MAX_DOCUMENTS:
        problems.add(
            file,
            f"lists {len(out)} documents; a packet holds at most {MAX_DOCUMENTS}",
            "split the lesson into two packets",
            line=node.line,
            field="documents",
        )
    return tuple(out)


def load_documents(
    root: Path, listed: tuple[Entry, ...] | None, problems: Problems
) -> tuple[Document, ...] | None:
    """Read every document; None if one of them could not be read at all."""
    from packet.content.load import read_text

    if listed is None:
        listed = (
            Entry("source.md", 0, adapted="adapted.md" if (root / "adapted.md").exists() else ""),
        )
        _unlisted(root, {"source.md", "adapted.md"}, problems, listed_anywhere=False)
    else:
        names = {e.file for e in listed} | {e.adapted for e in listed if e.adapted}
        _unlisted(root, names, problems, listed_anywhere=True)
    documents: list[Document] = []
    complete = True
    labels: dict[str, int] = {}
    seen: dict[str, int] = {}
    for position, entry in enumerate(listed):
        if entry.file in seen:
            problems.add(
                root / "packet.yaml",
                f"{entry.file} is listed twice under 'documents:' (first on line "
                f"{seen[entry.file]})",
                "list each document once",
                line=entry.line or None,
                field="documents",
            )
            continue
        seen[entry.file] = entry.line
        path = _packet_file(root, entry.file, entry.line, problems)
        if path is None:
            complete = False
            continue
        text = read_text(path, problems, label=str(path), root=root)
        if text is None:
            complete = False
            continue
        fallback = string.ascii_uppercase[position] if position < 26 else str(position + 1)
        document = _document(root, path, text, entry, fallback, problems)
        if document is None:
            complete = False
            continue
        if document.label in labels:
            problems.add(
                root / "packet.yaml",
                f"two documents are labelled '{document.label}' "
                f"({listed[labels[document.label]].file} and {entry.file})",
                "give each document its own label, or leave the labels out: documents are "
                "then labelled A, B, C… in the order they are listed",
                line=entry.line or None,
                field="documents",
            )
        labels.setdefault(document.label, position)
        documents.append(document)
    return tuple(documents) if complete else None


def _packet_file(root: Path, name: str, line: int, problems: Problems) -> Path | None:
    """A document's path, if the name is a plain file name in the packet folder."""
    if not name:
        return None
    if "/" in name or "\\" in name or name in (".", "..") or not name.endswith(".md"):
        problems.add(
            root / "packet.yaml",
            f"'{name}' is not a document file in the packet folder",
            "give the name of a Markdown file in the packet folder, such as address.md",
            line=line or None,
            field="documents",
        )
        return None
    return root / name


def _unlisted(root: Path, listed: set[str], problems: Problems, *, listed_anywhere: bool) -> None:
    """A document file the packet does not list would be left out without a word."""
    for path in sorted(root.glob("*.md")):
        if path.name in listed or path.name in NOT_DOCUMENTS:
            continue
        try:
            head = path.read_text(encoding="utf-8-sig", errors="replace")[:4]
        except OSError:
            continue
        if not head.startswith("---"):
            continue
        if listed_anywhere:
            fix = f"add '- {path.name}' under 'documents:' in packet.yaml, or move the file out"
        else:
            first = "- file: source.md\n          adapted: adapted.md"
            if not (root / "adapted.md").exists():
                first = "- source.md"
            fix = (
                "list every document in packet.yaml:\n      documents:\n        "
                f"{first}\n        - {path.name}"
            )
        problems.add(
            path,
            "is a document, but the packet does not list it, so it would not print",
            fix,
            line=1,
        )


def _document(
    root: Path, path: Path, text: str, entry: Entry, fallback: str, problems: Problems
) -> Document | None:
    from packet.content.load import split_front_matter

    front, front_line, body, body_line = split_front_matter(text, str(path), problems)
    if front is None:
        return None
    node = parse(front, path, problems, first_line=front_line)
    if node is None:
        return None
    f = Fields(node, path, problems, what=" in the front matter")
    label = _label(f, entry, fallback, root, problems)
    kind = f.choice("kind", DOCUMENT_KINDS) if f.node("kind") is not None else ""
    title = f.text("title", hint="Address to the Nation")
    creators = _creators(f)
    role = _renamed(f, "creator_role", "author_role")
    speakers = _speakers(f, path, problems)
    narrator = _narrator(f, speakers, path, problems)
    image = _image(f, path, problems, required=kind in IMAGE_KINDS)
    citation = f.markdown("citation", hint="the full citation")
    headnote = f.markdown("headnote", hint="|")
    original = None
    if body.strip():
        original = SourceText("original", title, Markdown(body, path, body_line))
        if image is not None or kind in IMAGE_KINDS:
            what = f"a {kind}" if kind in IMAGE_KINDS else "an image document"
            problems.add(
                path,
                f"{what} has no text, but there is text after the front matter",
                "put words about the image in 'caption:' or 'headnote:', and delete the text; "
                "or, if this is a text, remove 'image:'",
                line=body_line,
            )
    elif image is None:
        problems.add(
            path,
            "the document is empty: there is no text after the front matter",
            "put the document's text after the closing '---' (or, for a picture, "
            "give 'image:' and 'alt:')",
            line=body_line,
        )
    document = Document(
        file=path,
        label=label,
        kind=kind,
        title=title,
        creators=creators,
        creator_role=role,
        date=_date(f),
        place=f.text("place", required=False),
        audience=f.text("audience", required=False),
        recipient=f.text("recipient", required=False),
        publication=f.text("publication", required=False),
        archive=f.text("archive", required=False),
        translation=f.markdown("translation", required=False),
        citation=citation or Markdown("", path, 1),
        headnote=headnote or Markdown("", path, 1),
        narrator=narrator,
        speakers=speakers,
        original=original,
        adapted=_adapted(root, entry.adapted, entry.line, problems) if entry.adapted else None,
        image=image,
        purpose=entry.purpose,
        minutes=entry.minutes,
    )
    f.finish()
    return document


def _label(f: Fields, entry: Entry, fallback: str, root: Path, problems: Problems) -> str:
    written = f.text("label", required=False)
    node = f.node("label")
    if entry.label and written and entry.label != written:
        problems.add(
            f.file,
            f"the label here is '{written}', but packet.yaml gives this document the label "
            f"'{entry.label}'",
            "give the label in one place only",
            line=node.line if node else None,
            field="label",
        )
    label = entry.label or written or fallback
    if not _LABEL.fullmatch(label):
        problems.add(
            root / "packet.yaml" if entry.label else f.file,
            f"the label '{label}' is not a document label",
            "use one to three letters or digits, such as A, B or 1",
            line=(entry.line if entry.label else node.line if node else None) or None,
            field="label",
        )
    return label


def _renamed(f: Fields, key: str, older: str, *, required: bool = False, hint: str = "...") -> str:
    """A field that has a newer name; both names are read, one may be given."""
    new, old = f.node(key), f.node(older)
    if new is not None and old is not None:
        f.problems.add(
            f.file,
            f"both '{key}' and '{older}' are given; they are the same field",
            f"keep '{key}' and delete '{older}'",
            line=old.line,
            field=older,
        )
    if old is not None and new is None:
        return f.text(older, required=required, hint=hint)
    return f.text(key, required=required and old is None, hint=hint)


def _creators(f: Fields) -> tuple[str, ...]:
    node = f.node("creator")
    if node is not None and isinstance(node.value, list):
        return f.texts("creator", what="creator")
    name = _renamed(f, "creator", "author", required=True, hint="John F. Kennedy")
    return (name,) if name else ()


def _date(f: Fields) -> HistoricalDate:
    node = f.node("date")
    if node is None or node.value is None:
        f.problems.add(
            f.file,
            "required field 'date' is missing",
            "add a line 'date: 1962-10-22' (or a month 1962-10, a year 1962, a range "
            "1861–1865, or c. 1850)",
            line=f.line,
            field="date",
        )
        return UNDATED
    try:
        return parse_date(node.value)
    except DateError as error:
        f.problems.add(f.file, error.why, error.fix, line=node.line, field="date")
        return UNDATED


def _speakers(f: Fields, path: Path, problems: Problems) -> tuple[Speaker, ...]:
    if f.node("speakers") is None:
        return ()
    block = f.mapping("speakers", what=" (one entry per speaker id)")
    out = []
    for speaker_id, node in block.items.items():
        block.node(speaker_id)
        if not _ID.fullmatch(speaker_id):
            problems.add(
                path,
                f"speaker id '{speaker_id}' may use only lowercase letters, digits and hyphens",
                "rename it, e.g. 'rfk'",
                line=node.line,
                field=f"speakers.{speaker_id}",
            )
        s = Fields(node, path, problems, path=f"speakers.{speaker_id}")
        name = s.text("name", hint="Robert Kennedy")
        short = s.text("short", required=False) or name
        out.append(Speaker(speaker_id, name, short, s.text("key", required=False)))
        s.finish()
    return tuple(out)


def _narrator(f: Fields, speakers: tuple[Speaker, ...], path: Path, problems: Problems) -> str:
    node = f.node("narrator")
    narrator = f.text("narrator", required=False)
    if not narrator:
        return ""
    if narrator not in {s.id for s in speakers}:
        problems.add(
            path,
            f"narrator '{narrator}' is not one of the speakers",
            f"use one of: {', '.join(s.id for s in speakers)}"
            if speakers
            else f"declare the speakers under 'speakers:', with '{narrator}' among them",
            line=node.line if node else None,
            field="narrator",
        )
    return narrator


def _image(f: Fields, path: Path, problems: Problems, *, required: bool) -> Figure | None:
    node = f.node("image")
    src = f.text("image", required=required, hint="map.png")
    alt = f.text("alt", required=bool(src), hint="what the picture shows, in a sentence")
    caption = f.markdown("caption", required=False)
    credit = f.markdown("credit", required=False)
    description = f.markdown("description", required=False)
    width = figure_width(f)
    if not src:
        for key in ("alt", "caption", "credit", "description", "width"):
            if (stray := f.node(key)) is not None:
                problems.add(
                    path,
                    f"'{key}' describes an image, but the document has no 'image:'",
                    "give the picture's file name as 'image: map.png', or delete the line",
                    line=stray.line,
                    field=key,
                )
        return None
    return Figure(src, alt, node.line if node else 1, caption, credit, description, width)


def figure_width(f: Fields) -> float | None:
    """An image's printed width: a fraction of the text column, or None for a whole page."""
    node = f.node("width")
    if node is None or node.value is None:
        return 1.0
    width = parse_width(node.value)
    if width is False:
        f.problems.add(
            f.file,
            f"'width' is {node.value!r}: it should be part of the text column, from "
            f"{MIN_FIGURE_WIDTH} to 1 (or 20% to 100%), or 'full' for a page of its own",
            "write e.g. 'width: 0.6' for three fifths of the column, or 'width: full'",
            line=node.line,
            field="width",
        )
        return 1.0
    assert not isinstance(width, bool)
    return width


def _adapted(root: Path, name: str, line: int, problems: Problems) -> SourceText | None:
    from packet.content.load import read_text, split_front_matter

    path = _packet_file(root, name, line, problems)
    if path is None:
        return None
    if not path.exists() and line:
        problems.add(
            root / "packet.yaml",
            f"the adapted version '{name}' does not exist",
            f"create {name} in the packet folder, or delete 'adapted: {name}'",
            line=line,
            field="documents",
        )
        return None
    text = read_text(path, problems, label=str(path), root=root)
    if text is None:
        return None
    front, front_line, body, body_line = split_front_matter(text, str(path), problems)
    if front is None:
        return None
    f = Fields(parse(front, path, problems, first_line=front_line), path, problems)
    adapted = SourceText(
        "adapted",
        f.text("title", hint="Cable (adapted)"),
        Markdown(body, path, body_line),
        note=f.markdown("note", hint="| what was changed and why"),
    )
    f.finish()
    return adapted
