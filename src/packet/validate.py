"""Checks that need the whole packet: markup, anchors, vocabulary, duplicates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problems
from .markup import Found, plain, scan, term_pattern
from .model import Markdown

if TYPE_CHECKING:
    from .model import Packet


def check_language(tag: str, file: Path, line: int, problems: Problems) -> None:
    """Accept a well-formed BCP 47 tag whose language is a real one."""
    import langcodes  # only needed when a packet is checked

    fix = "use a BCP 47 language tag such as 'en', 'en-US', 'es-MX' or 'ru'"
    try:
        valid = langcodes.tag_is_valid(tag) and langcodes.Language.get(tag).is_valid()
    except (ValueError, LookupError):
        valid = False
    if not valid:
        problems.add(file, f"'{tag}' is not a valid language tag", fix, line=line, field="language")


def markdowns(packet: Packet) -> Iterator[tuple[Markdown, str]]:
    """Every Markdown text of a packet that is not a source text, with what it is."""
    document, teacher = packet.document, packet.teacher
    yield document.headnote, "headnote"
    yield document.citation, "citation"
    yield packet.essay, "essay"
    if document.adapted and document.adapted.note:
        yield document.adapted.note, "adapted note"
    for q in packet.questions:
        yield q.prompt, f"question {q.number}"
        yield q.answer, f"answer {q.number}"
    yield teacher.overview, "overview"
    yield from ((m, "strategy step") for m in teacher.strategy_steps)
    yield from ((s.text, "timing") for s in teacher.timing)
    yield from ((m, "support") for m in (*teacher.english_learners, *teacher.below_grade_level))
    yield from ((m, "note") for m in teacher.notes)
    plan = teacher.substitute_plan
    for item in (plan.summary, *plan.before_class, *plan.materials, plan.collect, plan.answer_key,
                 plan.early_finishers, plan.if_problems):
        if item is not None:
            yield item, "substitute plan"
    yield from ((s.text, "substitute step") for s in plan.steps)


def cross_check(packet: Packet, problems: Problems) -> None:
    """Report problems that only show when the files are read together."""
    document = packet.document
    speakers = [s.id for s in document.speakers]
    original = scan(document.original.body, problems, speakers=speakers, allow_spans=True)
    adapted = (
        scan(document.adapted.body, problems, speakers=speakers, allow_spans=True)
        if document.adapted
        else Found()
    )
    found_in: dict[str, tuple[Markdown, Found]] = {}
    for index, (md, what) in enumerate(markdowns(packet)):
        found = scan(md, problems)
        found_in[f"{index}:{what}"] = (md, found)
        for name, line in found.cites:
            if name not in original.anchors and name not in adapted.anchors:
                known = ", ".join(f"#{a}" for a in sorted({*original.anchors, *adapted.anchors}))
                problems.add(
                    md.file,
                    f"[[lines #{name}]] cites an anchor that does not exist",
                    f"mark the passage in source.md with [[#{name}]]…[[/#{name}]], or use one of: "
                    f"{known or 'no anchors are defined yet'}",
                    line=line,
                )
    _check_images(packet.root, document.original.body.file, original, problems)
    if document.adapted:
        _check_images(packet.root, document.adapted.body.file, adapted, problems)
    for md, found in found_in.values():
        _check_images(packet.root, md.file, found, problems)
    _check_vocabulary(packet, original, problems)
    _check_questions(packet, problems)


def _check_images(root: Path, file: Path, found: Found, problems: Problems) -> None:
    for src, alt, line in found.images:
        if not alt.strip():
            problems.add(
                file,
                f"image '{src}' has no alt text",
                "describe the image between the brackets: ![a map of Cuba and Florida](map.png)",
                line=line,
            )


def _check_vocabulary(packet: Packet, original: Found, problems: Problems) -> None:
    file = packet.root / "vocabulary.yaml"
    text = plain(packet.document.original.body)
    seen: dict[str, int] = {}
    for term in packet.vocabulary:
        key = term.term.casefold()
        if key in seen:
            problems.add(
                file,
                f"'{term.term}' is listed twice (first on line {seen[key]})",
                "keep one entry for each term",
                line=term.line,
                field="term",
            )
            continue
        seen[key] = term.line
        if not term_pattern(term).search(text):
            problems.add(
                file,
                f"'{term.term}' does not occur in the source text",
                "check the spelling against source.md, add the form the text uses under 'forms:', "
                "or remove the term",
                line=term.line,
                field="term",
            )


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _check_questions(packet: Packet, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for q in packet.questions:
        key = _normal(q.prompt.text)
        if key in seen:
            problems.add(
                q.prompt.file,
                f"question {q.number} repeats question {seen[key]}",
                "delete one of them, or reword it",
                line=q.prompt.line,
                field=f"question {q.number}.prompt",
            )
        else:
            seen[key] = q.number
