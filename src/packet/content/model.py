"""The packet as typed data: what the loader produces and the renderer consumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packet.content.dates import HistoricalDate

PAPER_SIZES = ("letter", "a4")
# The large-print edition is the student edition set for low-vision readers (18 pt and
# up, one column); it is built when asked for, so "all" means the first two.
EDITIONS = ("student", "teacher", "large-print")
STANDARD_EDITIONS = ("student", "teacher")
# Copies one class set prints, from a roster or --copies. Each copy is stamped and listed
# on the cover sheet; a 50,000-name roster ran for 15 minutes and past 1 GB of memory.
MAX_COPIES = 2000
SOURCE_VERSIONS = ("original", "adapted", "both")
QUESTION_KINDS = ("sourcing", "close reading", "context", "corroboration")
# What a document can be. The kinds in IMAGE_KINDS are pictures first: an image, no text.
DOCUMENT_KINDS = (
    "letter",
    "telegram",
    "speech",
    "diary",
    "newspaper article",
    "book excerpt",
    "law",
    "interview",
    "photograph",
    "political cartoon",
    "poster",
    "map",
    "chart",
    "table",
)
IMAGE_KINDS = ("photograph", "political cartoon", "poster", "map", "chart")

Paper = Literal["letter", "a4"]
# What a page is laid out on: a paper size, or half of one for a folded booklet.
PageSize = Literal["letter", "a4", "half-letter", "a5"]
Edition = Literal["student", "teacher", "large-print"]
SourceVersion = Literal["original", "adapted", "both"]


@dataclass(frozen=True)
class Meta:
    """packet.yaml: what the packet is and how it prints by default."""

    title: str
    short_title: str
    subtitle: str
    central_question: str
    # "Central question" in a one-source lesson; an inquiry calls it its compelling question.
    question_label: str
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
    key: str = ""  # what the key beside the text says the mark means, if the author wrote it


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
class Figure:
    """An image as a packet prints it: a document's picture, or a picture inside a text."""

    src: str  # a file in the packet folder
    alt: str
    line: int  # where it is named, for messages
    caption: Markdown | None = None
    credit: Markdown | None = None
    description: Markdown | None = None  # the long description, teacher edition only
    width: float | None = 1.0  # a fraction of the text column; None for a page of its own


@dataclass(frozen=True)
class Document:
    """One document of the packet (a file such as source.md): its apparatus and its text."""

    file: Path
    label: str
    kind: str  # one of DOCUMENT_KINDS, or "" for a text of no stated kind
    title: str
    creators: tuple[str, ...]
    creator_role: str
    date: HistoricalDate
    place: str
    audience: str
    recipient: str
    publication: str
    archive: str
    translation: Markdown | None
    citation: Markdown
    headnote: Markdown
    narrator: str
    speakers: tuple[Speaker, ...]
    original: SourceText | None  # None for an image document
    adapted: SourceText | None
    image: Figure | None = None
    purpose: Markdown | None = None  # teacher overview: why the document is in the lesson
    minutes: int | None = None

    def speaker(self, speaker_id: str) -> Speaker:
        return next(s for s in self.speakers if s.id == speaker_id)

    def quoted(self) -> tuple[Speaker, ...]:
        """The speakers whose words are marked beside the text: all but the narrator."""
        return tuple(s for s in self.speakers if s.id != self.narrator)

    def texts(self) -> tuple[SourceText, ...]:
        return tuple(t for t in (self.original, self.adapted) if t is not None)

    def text_id(self, kind: str) -> str:
        """The name the layout knows one of this document's texts by: 'B.original'."""
        return f"{self.label}.{kind}"


def split_text_id(text_id: str) -> tuple[str, str]:
    """'B.adapted' -> ('B', 'adapted')."""
    label, _, kind = text_id.rpartition(".")
    return label, kind


@dataclass(frozen=True)
class Question:
    """A guiding question with its writing space and the key's answer."""

    number: int  # as printed: questions are numbered in the order they print
    kind: str
    prompt: Markdown
    lines: int
    answer: Markdown
    document: str = ""  # the label of the document it is printed after; "" for the packet


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
class SupportingQuestion:
    """A question of the inquiry that some of its documents help answer."""

    question: Markdown
    documents: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Task:
    """The closing task: an argument to write, and the teacher's scoring guide."""

    prompt: Markdown
    lines: int
    scoring: tuple[Markdown, ...]


@dataclass(frozen=True)
class Packet:
    """A whole packet, loaded and validated."""

    root: Path
    slug: str
    meta: Meta
    documents: tuple[Document, ...]
    essay: Markdown
    questions: tuple[Question, ...]
    vocabulary: tuple[Term, ...]
    teacher: TeacherNotes
    supporting_questions: tuple[SupportingQuestion, ...] = ()
    task: Task | None = None

    def document(self, label: str) -> Document:
        return next(d for d in self.documents if d.label == label)

    @property
    def inquiry(self) -> bool:
        """More than one document, or the inquiry's own parts: the teacher gets an overview."""
        return len(self.documents) > 1 or bool(self.supporting_questions) or self.task is not None
