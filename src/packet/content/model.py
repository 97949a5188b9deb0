"""The packet as typed data: what the loader produces and the renderer consumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

PAPER_SIZES = ("letter", "a4")
EDITIONS = ("student", "teacher")
# Copies one class set prints, from a roster or --copies. Each copy is stamped and listed
# on the cover sheet; a 50,000-name roster ran for 15 minutes and past 1 GB of memory.
MAX_COPIES = 2000
SOURCE_VERSIONS = ("original", "adapted", "both")
QUESTION_KINDS = ("sourcing", "close reading", "context", "corroboration")

Paper = Literal["letter", "a4"]
# What a page is laid out on: a paper size, or half of one for a folded booklet.
PageSize = Literal["letter", "a4", "half-letter", "a5"]
Edition = Literal["student", "teacher"]
SourceVersion = Literal["original", "adapted", "both"]


@dataclass(frozen=True)
class Meta:
    """packet.yaml: what the packet is and how it prints by default."""

    title: str
    short_title: str
    subtitle: str
    central_question: str
    course: str
    unit: str
    grade_band: str
    language: str
    authors: tuple[str, ...]
    license: str
    class_minutes: int
    paper: Paper
    date: dt.date


@dataclass(frozen=True)
class Speaker:
    """Someone whose words a source text marks; the narrator is one of them."""

    id: str
    name: str
    short: str


@dataclass(frozen=True)
class Markdown:
    """Markdown text from a packet file, remembering where it came from."""

    text: str
    file: Path
    line: int


@dataclass(frozen=True)
class SourceText:
    """A version of the primary source's text (the original or an adapted one)."""

    kind: Literal["original", "adapted"]
    title: str
    body: Markdown
    note: Markdown | None = None  # adapted only: what was changed and why


@dataclass(frozen=True)
class Document:
    """source.md: the primary source, its apparatus and its text."""

    label: str
    title: str
    author: str
    author_role: str
    recipient: str
    date: dt.date
    archive: str
    translation: Markdown | None
    citation: Markdown
    headnote: Markdown
    narrator: str
    speakers: tuple[Speaker, ...]
    original: SourceText
    adapted: SourceText | None

    def speaker(self, speaker_id: str) -> Speaker:
        return next(s for s in self.speakers if s.id == speaker_id)


@dataclass(frozen=True)
class Question:
    """A guiding question with its writing space and the key's answer."""

    number: int
    kind: str
    prompt: Markdown
    lines: int
    answer: Markdown


@dataclass(frozen=True)
class Term:
    """A vocabulary entry; ``forms`` are extra spellings that count as the term."""

    term: str
    part_of_speech: str
    definition: str
    forms: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class TimedStep:
    minutes: int
    text: Markdown


@dataclass(frozen=True)
class SubstitutePlan:
    summary: Markdown
    before_class: tuple[Markdown, ...]
    materials: tuple[Markdown, ...]
    steps: tuple[TimedStep, ...]
    collect: Markdown
    answer_key: Markdown
    early_finishers: Markdown
    if_problems: Markdown | None


@dataclass(frozen=True)
class TeacherNotes:
    """teacher.yaml: everything only the teacher edition prints."""

    overview: Markdown
    strategy_name: str
    strategy_steps: tuple[Markdown, ...]
    timing: tuple[TimedStep, ...]
    english_learners: tuple[Markdown, ...]
    below_grade_level: tuple[Markdown, ...]
    notes: tuple[Markdown, ...]
    substitute_plan: SubstitutePlan


@dataclass(frozen=True)
class Packet:
    """A whole packet, loaded and validated."""

    root: Path
    slug: str
    meta: Meta
    document: Document
    essay: Markdown
    questions: tuple[Question, ...]
    vocabulary: tuple[Term, ...]
    teacher: TeacherNotes
