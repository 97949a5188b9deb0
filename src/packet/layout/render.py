"""Render a packet to HTML: the model becomes a view, the view goes through Jinja2."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from packet import __version__
from packet.content.markup import Context, to_html
from packet.content.model import (
    QUESTION_KINDS,
    Edition,
    Markdown,
    Packet,
    PageSize,
    Paper,
    SourceVersion,
)
from packet.resources import templates_dir

# Line ranges found by laying the text out: (text kind, anchor) -> (first, last).
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


def shown_texts(packet: Packet, version: SourceVersion) -> tuple[str, ...]:
    """Which versions of the source this build prints."""
    if packet.document.adapted is None or version == "original":
        return ("original",)
    return ("adapted",) if version == "adapted" else ("original", "adapted")


def citation_text(name: str, lines: LineMap, shown: tuple[str, ...]) -> str:
    """Words for [[lines #name]]: 'lines 14–19', or both versions' lines when both print."""
    parts = []
    for kind in shown:
        span = lines.get((kind, name))
        if span is None:
            if not lines:  # first layout pass: hold the place with text of a typical width
                parts.append((kind, "lines 00–00"))
            continue
        first, last = span
        parts.append((kind, f"line {first}" if first == last else f"lines {first}–{last}"))
    if not parts:
        return "the passage"
    if len(parts) == 1:
        return parts[0][1]
    return f"{parts[0][1]} ({parts[1][0]}: {parts[1][1]})"


def render_html(packet: Packet, request: RenderRequest) -> str:
    """Return the HTML for one edition of the packet."""
    shown = shown_texts(packet, request.source_version)

    def cite(name: str) -> str:
        return citation_text(name, request.lines, shown)

    def md(text: Markdown | str | None, **options: Any) -> Markup:
        return _markdown(text, cite, packet, **options)

    document = packet.document
    texts = []
    for kind in shown:
        text = document.original if kind == "original" else document.adapted
        assert text is not None
        heading = f"Document {document.label}: {text.title}" if document.label else text.title
        texts.append(
            {
                "kind": kind,
                "heading": heading,
                "note": md(text.note) if text.note else None,
                "body": _markdown(
                    text.body, cite, packet, terms=True, glosses=request.gloss_offsets, kind=kind
                ),
            }
        )
    quoted = [s for s in document.speakers if s.id != document.narrator]
    styles = ("solid", "double")
    narrator = document.speaker(document.narrator)
    speaker_key = [
        {
            "style": styles[i % len(styles)],
            "text": f"{s.name}’s words, as {narrator.short} reports them"
            if s.id != document.narrator
            else s.name,
        }
        for i, s in enumerate(quoted)
    ]
    speaker_key.append({"style": "none", "text": f"no mark: {narrator.short}’s own account"})
    teacher = packet.teacher
    plan = teacher.substitute_plan
    clock = 0
    plan_steps = []
    for step in plan.steps:
        plan_steps.append(
            {"start": clock, "end": clock + step.minutes, "text": md(step.text, inline=True)}
        )
        clock += step.minutes
    context = {
        "version": __version__,
        "edition": request.edition,
        "paper": request.paper,
        "meta": packet.meta,
        "essay": _markdown(packet.essay, cite, packet, terms=True),
        "document": {
            "author": document.author,
            "author_role": document.author_role,
            "recipient": document.recipient,
            "date_text": f"{document.date:%B} {document.date.day}, {document.date.year}",
            "archive": document.archive,
            "translation": md(document.translation, inline=True) if document.translation else "",
            "headnote": md(document.headnote),
            "citation": md(document.citation),
        },
        "texts": texts,
        "speaker_key": speaker_key if quoted else [],
        "question_groups": [
            {
                "title": kind.capitalize(),
                "questions": [
                    {
                        "number": q.number,
                        "prompt": md(q.prompt),
                        "lines": q.lines,
                        "answer": md(q.answer),
                    }
                    for q in packet.questions
                    if q.kind == kind
                ],
            }
            for kind in QUESTION_KINDS
            if any(q.kind == kind for q in packet.questions)
        ],
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


def _markdown(
    text: Markdown | str | None,
    cite: Callable[[str], str],
    packet: Packet,
    *,
    terms: bool = False,
    glosses: Mapping[tuple[str, str], float] | None = None,
    kind: str = "",
    inline: bool = False,
) -> Markup:
    ctx = Context(
        cite=cite,
        terms=packet.vocabulary,
        mark_terms=terms,
        glosses=glosses is not None,
        text_kind=kind,
        narrator=packet.document.narrator,
        gloss_offsets=glosses or {},
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
