"""HTML to PDF with WeasyPrint, and what its layout tells us about where lines fell.

WeasyPrint is slow to import (about half a second); it is loaded lazily, by
``fonts.weasyprint()``, so ``packet --help`` never pays for it. ``fetch`` says what it
may read.
"""

from __future__ import annotations

import itertools
import logging
import os
import struct
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packet.content.model import split_text_id
from packet.errors import PacketError
from packet.layout.fetch import Fetcher
from packet.layout.fonts import weasyprint
from packet.resources import fonts_dir, templates_dir

PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in


@dataclass(frozen=True)
class TextLine:
    """One laid-out line of a source text, in PDF points from the page's top left."""

    text: str  # the text's id: "A.original", "B.adapted"
    number: int  # 1-based, counting continuously across pages, from 1 in each text
    page: int  # 0-based page index
    x: float  # left edge of the text column
    top: float
    baseline: float
    height: float
    anchors: frozenset[str] = frozenset()
    passages: tuple[tuple[str, str], ...] = ()  # (passage id, speaker) present on the line


@dataclass(frozen=True)
class Gloss:
    """A margin note as laid out; ``offset`` is how far the build had moved it down."""

    text: str
    term: str
    page: int
    top: float
    bottom: float
    offset: float
    split: bool = False  # ran past the page foot and continued on the next page


@dataclass(frozen=True)
class Column:
    """Where a source text stands on one page: the stretch its margin notes may use."""

    text: str
    page: int
    top: float
    bottom: float


@dataclass(frozen=True)
class Crowded:
    """Margin notes that need more of the sidebar than their page has beside the text."""

    text: str
    page: int
    terms: tuple[str, ...]
    heights: tuple[float, ...]  # each note's, in the order of the terms
    needed: float
    room: float


@dataclass(frozen=True)
class Blank:
    """A line to write on (Name, Date, Period): where a class set prints into it."""

    field: str
    page: int
    x: float
    width: float
    bottom: float  # the rule's height, in points from the page's top
    height: float = 0.0  # the room above the rule that belongs to the blank


@dataclass(frozen=True)
class Layout:
    """Where things fell when the HTML was laid out."""

    page_sizes: tuple[tuple[float, float], ...]
    content_bottoms: tuple[float, ...]  # where each page's text area ends
    lines: tuple[TextLine, ...] = ()
    glosses: tuple[Gloss, ...] = ()
    blanks: tuple[Blank, ...] = ()
    footer_baselines: tuple[float, ...] = ()  # the running footer's baseline on each page
    columns: tuple[Column, ...] = ()
    # Where the running footer's own words end on the left and begin on the right.
    footer_spans: tuple[tuple[float, float], ...] = ()

    def gloss_offsets(
        self, gap: float = 5.0, heights: Mapping[tuple[str, str], float] | None = None
    ) -> dict[tuple[str, str], float]:
        """How far to move each margin note so none touches another or leaves its column.

        A note that ran past the page foot comes back in pieces whose heights add up to
        more than the note's own; ``heights`` (from layouts where it stood whole) gives its
        true height, so that moving it back up does not swing between two places.
        """
        offsets: dict[tuple[str, str], float] = {}
        known = heights or {}
        for notes, (top_limit, bottom_limit) in self._note_columns():
            notes = [
                replace(g, bottom=g.top + known[(g.text, g.term)])
                if g.split and (g.text, g.term) in known
                else g
                for g in notes
            ]
            # A point short of the foot where there is room: a note placed exactly there
            # may still break over the page.
            needed = sum(g.bottom - g.top for g in notes) + gap * (len(notes) - 1)
            short = min(1.0, max(0.0, bottom_limit - top_limit - needed))
            tops = _place(notes, top_limit, bottom_limit - short, gap)
            for g, top in zip(notes, tops, strict=True):
                shift = round(top - (g.top - g.offset), 2)
                if abs(shift) >= 0.5:  # less is rounding, not a move
                    offsets[(g.text, g.term)] = shift
        return offsets

    def whole_heights(self) -> dict[tuple[str, str], float]:
        """The height of each margin note that stood whole on its page."""
        return {(g.text, g.term): g.bottom - g.top for g in self.glosses if not g.split}

    def glosses_fit(self, gap: float = 5.0) -> bool:
        """Whether every margin note is whole, in its column, and clear of the others."""
        for notes, (top_limit, bottom_limit) in self._note_columns():
            if any(g.split for g in notes):
                return False
            if any(g.top < top_limit - 0.5 or g.bottom > bottom_limit + 0.5 for g in notes):
                return False
            ordered = sorted(notes, key=lambda g: g.top)
            if any(b.top < a.bottom + gap - 0.5 for a, b in itertools.pairwise(ordered)):
                return False
        return True

    def crowded_notes(self, gap: float = 5.0) -> list[Crowded]:
        """The columns whose margin notes cannot all fit, however far they are moved."""
        crowded = []
        for notes, (top_limit, bottom_limit) in self._note_columns():
            needed = sum(g.bottom - g.top for g in notes) + gap * (len(notes) - 1)
            room = bottom_limit - top_limit
            if needed > room + 0.5:
                terms = tuple(g.term for g in notes)
                heights = tuple(g.bottom - g.top for g in notes)
                crowded.append(Crowded(notes[0].text, notes[0].page, terms, heights, needed, room))
        return crowded

    def _note_columns(self) -> Iterator[tuple[list[Gloss], tuple[float, float]]]:
        """The margin notes beside each source text on each page, in text order, with
        the stretch of the sidebar they may use: from the text's first line on the page
        down to its last (or to the page's foot, where the text goes on overleaf)."""
        for text, page in sorted({(g.text, g.page) for g in self.glosses}):
            # Notes whose terms share a line keep the order of the terms in the text.
            notes = sorted(
                (g for g in self.glosses if (g.text, g.page) == (text, page)),
                key=lambda g: (round(g.top - g.offset, 1), self.glosses.index(g)),
            )
            column = next(
                ((c.top, c.bottom) for c in self.columns if (c.text, c.page) == (text, page)),
                (0.0, self.content_bottoms[page]),
            )
            yield notes, column

    def anchor_lines(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(text, anchor) -> (first line, last line)."""
        spans: dict[tuple[str, str], tuple[int, int]] = {}
        for line in self.lines:
            for anchor in line.anchors:
                key = (line.text, anchor)
                first, _ = spans.get(key, (line.number, line.number))
                spans[key] = (first, line.number)
        return spans


def _place(
    notes: Sequence[Gloss], top_limit: float, bottom_limit: float, gap: float
) -> list[float]:
    """Tops for notes (in text order): each beside its line if it can be, else pushed down
    past the one above, then lifted back from the column's foot; never above its head."""
    tops = []
    cursor = top_limit - gap
    for g in notes:
        top = max(g.top - g.offset, cursor + gap)
        tops.append(top)
        cursor = top + (g.bottom - g.top)
    limit = bottom_limit
    for i in range(len(notes) - 1, -1, -1):
        g = notes[i]
        tops[i] = max(min(tops[i], limit - (g.bottom - g.top)), top_limit)
        limit = tops[i] - gap
    return tops


class RenderTrouble(PacketError):
    """WeasyPrint carried on past something a printed packet must not contain."""

    def __init__(self, message: str, *, missing_characters: str = "") -> None:
        super().__init__(message)
        self.missing_characters = missing_characters


class _Watch(logging.Handler):
    """Collects what WeasyPrint only logs: an image it could not read, a font it could
    not load, a character no font has. Each would print wrong without stopping it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.images: list[str] = []
        self.fonts: list[str] = []
        self.characters: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if message.startswith("Failed to load image"):
            self.images.append(f"{record.args[0]} ({record.args[1]})")  # type: ignore[index]
        elif message.startswith("Failed to render SVG image"):  # it would print as nothing
            where = record.args[0] if record.args else ""  # type: ignore[index]
            self.images.append(f"{where} (an SVG it cannot draw)")
        elif message.startswith("Font-face"):
            self.fonts.append(str(record.args[0]))  # type: ignore[index]
        elif message.startswith(".notdef glyph"):
            self.characters.append(str(record.args[0]))  # type: ignore[index]

    def raise_any(self) -> None:
        if self.fonts:
            raise RenderTrouble(
                f"the bundled font {', '.join(self.fonts)} could not be loaded from {fonts_dir()}"
                ": the install is damaged. Reinstall packet (scripts/install)."
            )
        if self.images:
            raise RenderTrouble(
                f"image {self.images[0]} could not be read"
                " (the file is damaged). Save it again as PNG or JPEG."
            )
        if self.characters:
            chars = "".join(dict.fromkeys(self.characters))
            raise RenderTrouble(
                "no bundled font has " + ", ".join(_describe(c) for c in chars),
                missing_characters=chars,
            )


def _describe(char: str) -> str:
    import unicodedata

    return f"'{char}' (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')})"


@contextmanager
def _watching() -> Iterator[None]:
    watch = _Watch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    try:
        yield
    finally:
        logger.removeHandler(watch)
    watch.raise_any()


def render(html: str, *, base: Path, fetcher: Fetcher) -> Any:
    """Lay out HTML into pages (a WeasyPrint Document)."""
    loaded = weasyprint()
    url_fetcher = fetcher.make()
    # @font-face rules only take effect through a FontConfiguration shared by both.
    fonts = loaded.text.fonts.FontConfiguration()
    try:
        with _watching():
            stylesheet = loaded.CSS(
                filename=str(templates_dir() / "packet.css"),
                url_fetcher=url_fetcher,
                font_config=fonts,
            )
            return loaded.HTML(
                string=html, base_url=str(base) + os.sep, url_fetcher=url_fetcher
            ).render(stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1")
    except loaded.urls.FatalURLFetchingError as error:
        raise PacketError(f"refused to read {error}") from None


def write(document: Any) -> bytes:
    """Write a laid-out document as a tagged PDF/UA-1 file."""
    with _watching():  # glyphs are looked up only now, when text is drawn
        try:
            return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
        except (OSError, SyntaxError, struct.error) as error:  # Pillow, on image data
            raise RenderTrouble(
                f"an image could not be read ({error}): save it again as PNG or JPEG"
            ) from None


def _walk(box: Any) -> Iterator[Any]:
    box = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    if element is None:
        return set()
    return set((element.get("class") or "").split())


def layout(document: Any) -> Layout:
    """Read where each source line, anchor, passage and margin note landed."""
    boxes = weasyprint().formatting_structure.boxes
    sizes = []
    bottoms = []
    lines: list[TextLine] = []
    glosses: list[Gloss] = []
    blanks: list[Blank] = []
    footers: list[float] = []
    spans: list[tuple[float, float]] = []
    columns: list[Column] = []
    citations: list[tuple[str, int, float]] = []  # (document label, page, bottom)
    counters: dict[str, int] = {}
    for page_index, page in enumerate(document.pages):
        sizes.append((page.width * PX_TO_PT, page.height * PX_TO_PT))
        area = page._page_box
        bottoms.append((area.content_box_y() + area.height) * PX_TO_PT)
        footers.append(_footer_baseline(area, boxes) or page.height * PX_TO_PT - 36)
        spans.append(_footer_span(area, boxes, page.width * PX_TO_PT))
        for box in _walk(page._page_box):
            classes = _classes(box)
            if "source-text" in classes and isinstance(box, boxes.BlockBox):
                kind = box.element.get("data-text", "A.original")
                top = box.border_box_y() * PX_TO_PT
                columns.append(Column(kind, page_index, top, top + box.border_height() * PX_TO_PT))
                for line in _text_lines(box, boxes):
                    counters[kind] = counters.get(kind, 0) + 1
                    lines.append(_line(line, kind, counters[kind], page_index, boxes))
            elif "gloss" in classes and isinstance(box, boxes.BlockBox):
                kind, term = box.element.get("data-gloss", ":").split(":", 1)
                offset = box.margin_top * PX_TO_PT
                top = box.position_y * PX_TO_PT + offset
                bottom = top + box.border_height() * PX_TO_PT
                glosses.append(Gloss(kind, term, page_index, top, bottom, offset))
            elif "citation" in classes and isinstance(box, boxes.BlockBox):
                top = box.border_box_y() * PX_TO_PT
                bottom = top + box.border_height() * PX_TO_PT
                citations.append((box.element.get("data-document", ""), page_index, bottom))
            elif "blank" in classes and box.element.get("data-field"):
                blanks.append(
                    Blank(
                        field=box.element.get("data-field"),
                        page=page_index,
                        x=box.border_box_x() * PX_TO_PT,
                        width=box.border_width() * PX_TO_PT,
                        bottom=(box.border_box_y() + box.border_height()) * PX_TO_PT,
                        height=box.border_height() * PX_TO_PT,
                    )
                )
    return Layout(
        tuple(sizes),
        tuple(bottoms),
        tuple(lines),
        _join_split(glosses),
        tuple(blanks),
        tuple(footers),
        _reach_foot(columns, bottoms, citations),
        tuple(spans),
    )


def _reach_foot(
    columns: list[Column], bottoms: list[float], citations: list[tuple[str, int, float]]
) -> tuple[Column, ...]:
    """A text that goes on overleaf owns its page down to the foot: nothing follows it.

    On its last page the sidebar goes on beside the citation under it (which leaves the
    sidebar free), so a term on one of the last lines still has room for its note.
    """
    last = {c.text: c.page for c in columns}
    out = []
    for c in columns:
        if c.page != last[c.text]:
            out.append(replace(c, bottom=max(c.bottom, bottoms[c.page])))
            continue
        label = split_text_id(c.text)[0]
        below = [b for owner, page, b in citations if owner == label and page == c.page]
        out.append(replace(c, bottom=max([c.bottom, *(b for b in below if b > c.bottom)])))
    return tuple(out)


def _footer_baseline(page_box: Any, boxes: Any) -> float | None:
    for box in page_box.children:
        if isinstance(box, boxes.MarginBox) and box.at_keyword == "@bottom-right":
            for inner in _walk(box):
                if isinstance(inner, boxes.LineBox):
                    return float((inner.position_y + inner.baseline) * PX_TO_PT)
    return None


def _footer_span(page_box: Any, boxes: Any, width: float) -> tuple[float, float]:
    """Where the footer's left words end and its right words begin, in points."""
    left, right = 0.0, width
    for box in page_box.children:
        if not isinstance(box, boxes.MarginBox):
            continue
        for inner in _walk(box):
            if isinstance(inner, boxes.TextBox) and inner.text.strip():
                if box.at_keyword == "@bottom-left":
                    left = max(left, (inner.position_x + inner.width) * PX_TO_PT)
                elif box.at_keyword == "@bottom-right":
                    right = min(right, inner.position_x * PX_TO_PT)
    return left, right


def _join_split(glosses: list[Gloss]) -> tuple[Gloss, ...]:
    """A note that ran past the page foot comes back in pieces: count it whole on its page."""
    joined: dict[tuple[str, str], Gloss] = {}
    for g in glosses:
        key = (g.text, g.term)
        if key in joined:
            first = joined[key]
            joined[key] = replace(first, bottom=first.bottom + (g.bottom - g.top), split=True)
        else:
            joined[key] = g
    return tuple(joined.values())


def _text_lines(box: Any, boxes: Any) -> Iterator[Any]:
    """Line boxes of the source text itself, not of the margin notes floated into it, of
    the "Words to know" boxes between its paragraphs (large print) or of a picture
    standing in it (its caption is not a line of the text)."""
    for child in box.children:
        if isinstance(child, boxes.LineBox):
            yield child
        elif _classes(getattr(child, "_box", child)) & {"gloss", "words-to-know", "text-figure"}:
            continue  # a note or a picture in the text: neither is a line of it
        elif isinstance(child, boxes.ParentBox):
            yield from _text_lines(child, boxes)


def _line(line: Any, kind: str, number: int, page: int, boxes: Any) -> TextLine:
    anchors: set[str] = set()
    passages: dict[str, str] = {}
    stack = list(line.children)
    while stack:
        item = stack.pop()
        box = getattr(item, "_box", item)
        if isinstance(box, boxes.BlockBox):  # a margin note
            continue
        element = getattr(box, "element", None)
        if element is not None and isinstance(box, boxes.InlineBox):
            if (anchor := element.get("data-anchor")) and anchor.startswith(f"{kind}:"):
                anchors.add(anchor.rsplit(":", 1)[1])
            if passage := element.get("data-passage"):
                passages[passage] = element.get("data-speaker", "")
        stack.extend(getattr(box, "children", None) or ())
    return TextLine(
        text=kind,
        number=number,
        page=page,
        x=line.content_box_x() * PX_TO_PT,
        top=line.position_y * PX_TO_PT,
        baseline=(line.position_y + line.baseline) * PX_TO_PT,
        height=line.height * PX_TO_PT,
        anchors=frozenset(anchors),
        passages=tuple(sorted(passages.items(), key=lambda p: int(p[0].rsplit(":", 1)[-1]))),
    )
