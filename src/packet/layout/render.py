"""Render a packet to HTML: the model becomes a view, the view goes through Jinja2."""

from __future__ import annotations

import functools
import html
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from packet import __version__
from packet.content.cites import document_anchors, resolve
from packet.content.images import image_size
from packet.content.markup import Cite, Context, to_html
from packet.content.model import (
    QUESTION_KINDS,
    Document,
    Edition,
    Figure,
    Markdown,
    Packet,
    PageSize,
    Paper,
    SourceVersion,
)
from packet.resources import templates_dir

# Line ranges found by laying the text out: (text id, anchor) -> (first, last).
LineMap = Mapping[tuple[str, str], tuple[int, int]]


@dataclass(frozen=True)
class RenderRequest:
    """One edition to render, with what the layout has taught us so far."""

    edition: Edition
    paper: PageSize
    source_version: SourceVersion = "original"
    lines: LineMap = field(default_factory=dict)
    # How far to move each margin note down so it clears the one above: (text, term) -> pt.
    gloss_offsets: Mapping[tuple[str, str], float] = field(default_factory=dict)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=breakable,
    )


# A run of this many characters with no place to break a line may not fit its column.
LONG_RUN = 30
_RUN = re.compile(rf"[^ \t\r\n\u200b]{{{LONG_RUN},}}")
_TEXT_NODE = re.compile(r"(?<=>)[^<]+|^[^<]+")
_AFTER_NO_BREAK_SPACE = re.compile(r"(?<=[\u00a0\u2007\u202f])")
_AFTER_URL_PUNCTUATION = re.compile(r"(?<=[/?&=_.])(?=[^/?&=_.])")
ZWSP = "\u200b"


def breakable(value: Any) -> Any:
    """Give WeasyPrint places to break long runs of text, so they wrap instead of overflowing.

    A run of LONG_RUN characters or more with no space in it may break after its
    no-break spaces (words pasted from a word processor, all joined), after the
    slashes and dots of an address, and, failing those, every LONG_RUN characters.
    The break is a zero-width space, which prints nothing. Only text changes, never
    markup. (CSS overflow-wrap cannot do it alone: WeasyPrint 70 then breaks short
    words inside inline elements, such as a bold term, that would fit on the next line.)
    """
    if isinstance(value, Markup):
        return Markup(_TEXT_NODE.sub(_break_node, str(value)))
    if isinstance(value, str):
        return _RUN.sub(_break_run, value)
    return value


def _break_node(node: re.Match[str]) -> str:
    text = node.group()
    if not _RUN.search(text):
        return text
    return str(escape(_RUN.sub(_break_run, html.unescape(text))))


def _break_run(run: re.Match[str]) -> str:
    pieces = []
    for piece in _AFTER_NO_BREAK_SPACE.sub(ZWSP, run.group()).split(ZWSP):
        if len(piece) >= LONG_RUN:
            parts = _AFTER_URL_PUNCTUATION.sub(ZWSP, piece).split(ZWSP)
            piece = ZWSP.join(
                p[i : i + LONG_RUN] for p in parts for i in range(0, len(p), LONG_RUN)
            )
        pieces.append(piece)
    return ZWSP.join(pieces)


def shown_texts(document: Document, version: SourceVersion) -> tuple[str, ...]:
    """Which versions of a document's text this build prints."""
    if document.original is None:
        return ()
    if document.adapted is None or version == "original":
        return ("original",)
    return ("adapted",) if version == "adapted" else ("original", "adapted")


def span_text(span: tuple[int, int]) -> str:
    first, last = span
    return f"line {first}" if first == last else f"lines {first}–{last}"


@dataclass(frozen=True)
class Citer:
    """Prints citation marks from what the last layout found (before it: placeholders)."""

    packet: Packet
    lines: LineMap
    version: SourceVersion
    anchors: Mapping[str, frozenset[str]]

    def text(self, cite: Cite, own: str) -> str:
        """'lines 14–19', 'Document B, lines 4–8', both versions' lines when both print."""
        label = resolve(cite, own, self.anchors)
        if not isinstance(label, str):
            return "the passage"  # only unchecked text gets here: check reports it
        named = f"Document {label}"
        if not cite.first:
            return named
        document = self.packet.document(label)
        parts = []
        for kind in shown_texts(document, self.version):
            first = self.lines.get((document.text_id(kind), cite.first))
            last = self.lines.get((document.text_id(kind), cite.last))
            if first is None or last is None:
                if not self.lines:  # first layout pass: hold the place with a typical width
                    parts.append((kind, "lines 00–00"))
                continue
            parts.append((kind, span_text((first[0], max(first[1], last[1])))))
        if not parts:
            where = "the passage"
        elif len(parts) == 1:
            where = parts[0][1]
        else:
            where = f"{parts[0][1]} ({parts[1][0]}: {parts[1][1]})"
        if label == own or len(self.packet.documents) == 1:
            return where
        return f"{named}, {where}"


CREATOR_LABELS = {
    "speech": ("Speaker", "Speakers"),
    "interview": ("Speaker", "Speakers"),
    "photograph": ("Photographer", "Photographers"),
    "political cartoon": ("Cartoonist", "Cartoonists"),
    "poster": ("Artist", "Artists"),
    "map": ("Made by", "Made by"),
    "chart": ("Made by", "Made by"),
    "table": ("Made by", "Made by"),
    "law": ("Passed by", "Passed by"),
}


def _names(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def source_line(document: Document, md: Callable[..., Markup]) -> list[tuple[str, Markup]]:
    """The facts a historian reads first, each with its label, in a fixed order."""
    label = CREATOR_LABELS.get(document.kind, ("Author", "Authors"))[len(document.creators) > 1]
    creator = _names(document.creators)
    if document.creator_role:
        creator += f", {document.creator_role}"
    items = [
        ("Type", document.kind.capitalize()),
        (label, creator),
        ("To", document.recipient),
        ("Audience", document.audience),
        ("Date", document.date.text),
        ("Place", document.place),
        ("Published", document.publication),
        ("Archive", document.archive),
    ]
    # Every field is Markdown: a book's title in *italics* prints in italics.
    shown = [(name, md(value, inline=True)) for name, value in items if value]
    if document.translation:
        shown.append(("Translation", md(document.translation, inline=True)))
    return shown


def speaker_key(document: Document) -> list[dict[str, str]]:
    """What the marks beside a text mean: the author's words for each, or the names."""
    quoted = document.quoted()
    if not quoted:
        return []
    styles = ("solid", "double")
    key = [
        {"style": styles[i % len(styles)], "text": s.key or f"{s.name}’s words"}
        for i, s in enumerate(quoted)
    ]
    if document.narrator:
        narrator = document.speaker(document.narrator)
        key.append(
            {"style": "none", "text": narrator.key or f"no mark: {narrator.short}’s own account"}
        )
    return key


def render_html(packet: Packet, request: RenderRequest) -> str:
    """Return the HTML for one edition of the packet."""
    citer = Citer(packet, request.lines, request.source_version, document_anchors(packet.documents))
    marked: dict[str, set[str]] = {"original": set(), "adapted": set()}  # glossed once a version

    def md(text: Markdown | str | None, own: str = "", **options: Any) -> Markup:
        return _markdown(
            text, lambda cite: citer.text(cite, own), packet, paper=request.paper, **options
        )

    def questions(place: str) -> list[dict[str, Any]]:
        return [
            {
                "title": kind.capitalize(),
                "questions": [
                    {
                        "number": q.number,
                        "prompt": md(q.prompt, q.document),
                        "lines": q.lines,
                        "answer": md(q.answer, q.document),
                    }
                    for q in packet.questions
                    if q.kind == kind and q.document == place
                ],
            }
            for kind in QUESTION_KINDS
            if any(q.kind == kind and q.document == place for q in packet.questions)
        ]

    documents = []
    for document in packet.documents:
        label = document.label

        def own(text: Markdown | str | None, label: str = label, **options: Any) -> Markup:
            return md(text, label, **options) if text else Markup("")

        texts = []
        for kind in shown_texts(document, request.source_version):
            text = document.original if kind == "original" else document.adapted
            assert text is not None
            texts.append(
                {
                    "kind": kind,
                    "id": document.text_id(kind),
                    "heading": Markup("Document {}: {}").format(
                        label, own(text.title, inline=True)
                    ),
                    "note": own(text.note) if text.note else None,
                    "body": _markdown(
                        text.body,
                        functools.partial(citer.text, own=label),
                        packet,
                        terms=True,
                        glosses=request.gloss_offsets,
                        glosses_after=request.edition == "large-print",
                        kind=document.text_id(kind),
                        narrator=document.narrator,
                        marked=marked[kind],
                        paper=request.paper,
                    ),
                }
            )
        figure = document.image
        documents.append(
            {
                "label": label,
                "heading": Markup("Document {}: {}").format(
                    label, own(document.title, inline=True)
                ),
                "headnote": own(document.headnote),
                "source_line": source_line(document, lambda t, **o: own(t, **o)),
                "citation": own(document.citation),
                "speaker_key": speaker_key(document),
                "texts": texts,
                "image": _figure(figure, own, packet, request.paper) if figure else None,
                "question_groups": questions(label),
            }
        )
    teacher = packet.teacher
    plan = teacher.substitute_plan
    clock = 0
    plan_steps = []
    for step in plan.steps:
        plan_steps.append(
            {"start": clock, "end": clock + step.minutes, "text": md(step.text, inline=True)}
        )
        clock += step.minutes
    task = packet.task
    context = {
        "version": __version__,
        "edition": request.edition,
        "paper": request.paper,
        "meta": packet.meta,
        "inquiry": packet.inquiry,
        "many": len(packet.documents) > 1,
        "essay": _markdown(
            packet.essay,
            lambda cite: citer.text(cite, ""),
            packet,
            terms=True,
            paper=request.paper,
        ),
        "documents": documents,
        "supporting": [
            {
                "number": n,
                "question": md(sq.question, inline=True),
                "documents": ", ".join(sq.documents),
                "many": len(sq.documents) > 1,
            }
            for n, sq in enumerate(packet.supporting_questions, start=1)
        ],
        "question_groups": questions(""),
        "task": {
            "prompt": md(task.prompt),
            "lines": task.lines,
            "scoring": [md(s, inline=True) for s in task.scoring],
        }
        if task
        else None,
        "overview": _overview(packet, md) if packet.inquiry else None,
        "teacher": {
            "overview": md(teacher.overview),
            "strategy_name": teacher.strategy_name,
            "strategy_steps": [md(s, inline=True) for s in teacher.strategy_steps],
            "timing": [
                {"minutes": s.minutes, "text": md(s.text, inline=True)} for s in teacher.timing
            ],
            "total_minutes": sum(s.minutes for s in teacher.timing),
            "english_learners": [md(s, inline=True) for s in teacher.english_learners],
            "below_grade_level": [md(s, inline=True) for s in teacher.below_grade_level],
            "notes": [md(s, inline=True) for s in teacher.notes],
        },
        "plan": {
            "summary": md(plan.summary),
            "before_class": [md(s, inline=True) for s in plan.before_class],
            "materials": [md(s, inline=True) for s in plan.materials],
            "steps": plan_steps,
            "total_minutes": clock,
            "collect": md(plan.collect),
            "answer_key": md(plan.answer_key),
            "early_finishers": md(plan.early_finishers),
            "if_problems": md(plan.if_problems) if plan.if_problems else None,
        },
    }
    return _environment().get_template("packet.html").render(context)


# How tall a picture may print, in inches: under its facts on a page (or on a page of its
# own), so that it never runs off the page, whatever its shape.
FIGURE_HEIGHTS = {
    "letter": (5.2, 8.2),
    "a4": (5.7, 8.9),
    "half-letter": (3.3, 5.6),
    "a5": (3.6, 6.0),
}


def figure_max_width(packet: Packet, paper: PageSize, src: str, full: bool) -> str:
    """The widest (CSS) a picture may print so that it is no taller than its page allows."""
    try:
        size = image_size(packet.root / urllib.parse.unquote(src))
    except OSError:
        size = None
    tallest = FIGURE_HEIGHTS[paper][full]
    return f"{tallest * size[0] / size[1]:.2f}in" if size and size[1] else "none"


def _figure(
    figure: Figure, md: Callable[..., Markup], packet: Packet, paper: PageSize
) -> dict[str, Any]:
    return {
        "max_width": figure_max_width(packet, paper, figure.src, figure.width is None),
        "src": figure.src,
        "alt": figure.alt,
        "caption": md(figure.caption, inline=True) if figure.caption else None,
        "credit": md(figure.credit, inline=True) if figure.credit else None,
        "description": md(figure.description) if figure.description else None,
        "full": figure.width is None,
        "width": f"{(figure.width or 1) * 100:g}%",
    }


def _overview(packet: Packet, md: Callable[..., Markup]) -> dict[str, Any]:
    """The teacher edition's first page: the inquiry, document by document."""
    rows = []
    for document in packet.documents:
        numbers = [q.number for q in packet.questions if q.document == document.label]
        supporting = [
            n
            for n, sq in enumerate(packet.supporting_questions, start=1)
            if document.label in sq.documents
        ]
        rows.append(
            {
                "label": document.label,
                "title": document.title,
                "what": ", ".join(
                    part
                    for part in (
                        document.kind.capitalize(),
                        _names(document.creators),
                        document.date.text,
                    )
                    if part
                ),
                "purpose": md(document.purpose, document.label, inline=True)
                if document.purpose
                else None,
                "questions": _numbers(numbers),
                "supporting": ", ".join(f"SQ{n}" for n in supporting),
                "minutes": document.minutes,
            }
        )
    across = [q.number for q in packet.questions if not q.document]
    task = packet.task
    return {
        # The task's first paragraph: what students argue, without the checklist under it.
        "task": md(task.prompt.text.strip().split("\n\n")[0]) if task else None,
        "rows": rows,
        "across": _numbers(across),
        "minutes": sum(s.minutes for s in packet.teacher.timing),
        "timing": [
            {"minutes": s.minutes, "text": md(s.text, inline=True)} for s in packet.teacher.timing
        ],
    }


def _numbers(numbers: Sequence[int]) -> str:
    """'1–4, 7': question numbers as a reader scans them."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def _markdown(
    text: Markdown | str | None,
    cite: Callable[[Cite], str],
    packet: Packet,
    *,
    terms: bool = False,
    glosses: Mapping[tuple[str, str], float] | None = None,
    glosses_after: bool = False,
    kind: str = "",
    narrator: str = "",
    marked: set[str] | None = None,
    inline: bool = False,
    paper: PageSize = "letter",
) -> Markup:

    ctx = Context(
        cite=cite,
        terms=packet.vocabulary,
        mark_terms=terms,
        glosses=glosses is not None,
        glosses_after=glosses_after,
        text_kind=kind,
        narrator=narrator,
        marked=set() if marked is None else marked,
        gloss_offsets=glosses or {},
        figure_limit=functools.partial(figure_max_width, packet, paper),
    )
    # Safe: markup.to_html escapes every character of packet text itself.
    return Markup(to_html(text, ctx, inline=inline))


def render_cover(packet: Packet, *, paper: Paper, **facts: Any) -> str:
    """Return the HTML of a class set's cover sheet for the teacher."""
    return (
        _environment()
        .get_template("cover.html")
        .render(version=__version__, edition="cover", paper=paper, meta=packet.meta, **facts)
    )
