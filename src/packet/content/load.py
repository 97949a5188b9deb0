"""Read a packet folder into the typed model, collecting every problem in one pass."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from packet.content.documents import Entry, entries, load_documents
from packet.content.fields import Fields
from packet.content.model import (
    PAPER_SIZES,
    QUESTION_KINDS,
    Document,
    Markdown,
    Meta,
    Packet,
    Question,
    SubstitutePlan,
    SupportingQuestion,
    Task,
    TeacherNotes,
    Term,
    TimedStep,
)
from packet.content.validate import check_characters, check_language, cross_check
from packet.content.yamlnodes import Node, parse
from packet.errors import Problems

MAX_TEXT_BYTES = 2_000_000  # far above any lesson; stops a stray 50 MB file early
# The files a packet has (adapted.md is optional; a packet that lists its documents in
# packet.yaml has those instead of source.md).
FILES = (
    "packet.yaml",
    "source.md",  # unless packet.yaml lists the documents
    "essay.md",
    "questions.yaml",
    "vocabulary.yaml",
    "teacher.yaml",
)
# Control characters other than tab and newline, and the two non-characters YAML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def read_text(
    path: Path, problems: Problems, *, label: str | None = None, root: Path | None = None
) -> str | None:
    """Read a text file as UTF-8, reporting missing, binary, mis-encoded or empty files."""
    name = label or path.name
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        problems.add(
            name,
            f"is a link to {path.resolve()}, outside the packet folder",
            "replace the link with a copy of the file: packets may only use their own files",
        )
        return None
    if not path.exists():
        problems.add(
            name, "file is missing", f"create {path.name} in the packet folder (see the README)"
        )
        return None
    if not path.is_file():
        problems.add(name, "is not a file", f"replace it with the text file {path.name}")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            problems.add(
                name,
                f"file is {size / 1e6:.1f} MB, too large for a lesson text (the limit is "
                f"{MAX_TEXT_BYTES / 1e6:.0f} MB)",
                "shorten it, or check that the right file was saved under this name",
            )
            return None
        data = path.read_bytes()
    except OSError as error:
        problems.add(name, f"cannot be read: {error.strerror}", "check the file's permissions")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(
            name,
            "is saved as UTF-16, not UTF-8",
            "open it in your editor and save it again as 'UTF-8'",
        )
        return None
    if b"\x00" in data:
        problems.add(
            name,
            "is a binary file, not text",
            f"{path.name} must be plain text (YAML or Markdown) saved as UTF-8",
        )
        return None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark from Notepad is harmless
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(
            name,
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}; "
            "probably saved as Latin-1 or Windows-1252)",
            "open it in your editor and save it again as 'UTF-8'",
            line=line,
        )
        return None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        problems.add(name, "file is empty", f"fill in {path.name} (see the README)")
        return None
    if control := _CONTROL.search(text):
        # Pasted from a PDF or a word processor: it would print as an empty box.
        count = len(_CONTROL.findall(text))
        problems.add(
            name,
            f"contains the invisible control character U+{ord(control.group()):04X}"
            + (f" ({count - 1} more after it)" if count > 1 else ""),
            "delete it: retype the text around it, or paste the text in again as plain text",
            line=text.count("\n", 0, control.start()) + 1,
        )
        text = _CONTROL.sub("", text)  # so the rest of the file is still checked
    check_characters(text, name, problems)
    return text


def split_front_matter(
    text: str, name: str, problems: Problems
) -> tuple[str | None, int, str, int]:
    """Split '---' front matter from a Markdown body: (yaml, yaml line, body, body line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.add(
            name,
            "does not start with front matter",
            "put the document's details between two '---' lines at the top of the file",
            line=1,
        )
        return None, 1, text, 1
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            body = "\n".join(lines[i + 1 :])
            return "\n".join(lines[1:i]), 2, body, i + 2
    problems.add(
        name,
        "front matter is never closed",
        "add a line '---' after the last 'key: value' line of the front matter",
        line=1,
    )
    return None, 1, text, 1


def load(root: Path) -> tuple[Packet | None, Problems]:
    """Load and validate the packet in ``root``; return it (if valid) and all problems."""
    problems = Problems()
    if not root.exists():
        problems.add(
            root, "packet folder not found", "check the path; packets live in sources/<name>/"
        )
        return None, problems
    if not root.is_dir():
        problems.add(
            root, "is a file, not a packet folder", "give the folder that holds packet.yaml"
        )
        return None, problems

    def yaml_file(name: str) -> Node | None:
        text = read_text(root / name, problems, label=str(root / name), root=root)
        if text is None:
            return None
        return parse(text, root / name, problems)

    meta, inquiry = _meta(yaml_file("packet.yaml"), root / "packet.yaml", problems)
    documents = load_documents(root, inquiry.entries, problems)
    essay_text = read_text(root / "essay.md", problems, label=str(root / "essay.md"), root=root)
    essay = Markdown(essay_text or "", root / "essay.md", 1)
    questions = _questions(
        yaml_file("questions.yaml"), root / "questions.yaml", problems, documents or ()
    )
    vocabulary = _vocabulary(yaml_file("vocabulary.yaml"), root / "vocabulary.yaml", problems)
    teacher = _teacher(yaml_file("teacher.yaml"), root / "teacher.yaml", problems)
    cross_check(
        root,
        problems,
        meta=meta,
        documents=documents,
        essay=essay if essay_text is not None else None,
        questions=questions,
        vocabulary=vocabulary,
        teacher=teacher,
        supporting=inquiry.supporting,
        task=inquiry.task,
    )
    if meta is None or documents is None or essay_text is None or teacher is None:
        return None, problems
    packet = Packet(
        root=root,
        slug=root.resolve().name,
        meta=meta,
        documents=documents,
        essay=essay,
        questions=questions,
        vocabulary=vocabulary,
        teacher=teacher,
        supporting_questions=inquiry.supporting,
        task=inquiry.task,
    )
    return (None if problems else packet), problems


@dataclass(frozen=True)
class _Inquiry:
    """What packet.yaml says beyond the packet's facts: its documents and its inquiry."""

    entries: tuple[Entry, ...] | None = None
    supporting: tuple[SupportingQuestion, ...] = ()
    task: Task | None = None


def _meta(node: Node | None, file: Path, problems: Problems) -> tuple[Meta | None, _Inquiry]:
    if node is None:
        return None, _Inquiry()
    f = Fields(node, file, problems)
    title = f.text("title", hint="One Secret Meeting")
    language = f.text("language", hint="en-US")
    language_node = f.node("language")
    if language:
        check_language(language, file, language_node.line if language_node else 1, problems)
    question, label = _central_question(f)
    meta = Meta(
        title=title,
        short_title=f.text("short_title", required=False) or title,
        subtitle=f.text("subtitle", required=False),
        central_question=question,
        question_label=label,
        course=f.text("course", hint="U.S. History"),
        unit=f.text("unit", required=False),
        grade_band=f.text("grade_band", hint="9–12"),
        language=language,
        authors=f.texts("authors", what="author"),
        license=f.text("license", hint="CC BY 4.0"),
        class_minutes=f.integer("class_minutes", low=5, high=600),
        paper=f.choice("paper", PAPER_SIZES, default="letter"),  # type: ignore[arg-type]
        date=f.date("date"),
    )
    inquiry = _Inquiry(
        entries=entries(f.node("documents"), file.parent, problems),
        supporting=_supporting(f),
        task=_task(f),
    )
    f.finish()
    return meta, inquiry


def _central_question(f: Fields) -> tuple[str, str]:
    """The lesson's one question: its 'central question', or an inquiry's compelling one."""
    central, compelling = f.node("central_question"), f.node("compelling_question")
    if central is not None and compelling is not None:
        f.problems.add(
            f.file,
            "both 'central_question' and 'compelling_question' are given",
            "keep one: 'compelling_question' for an inquiry, 'central_question' otherwise",
            line=compelling.line,
            field="compelling_question",
        )
    if compelling is not None:
        return f.text("compelling_question", hint="How …?"), "Compelling question"
    return f.text("central_question", hint="Why …?"), "Central question"


def _supporting(f: Fields) -> tuple[SupportingQuestion, ...]:
    out = []
    for number, item in enumerate(f.seq("supporting_questions", required=False), start=1):
        s = Fields(item, f.file, f.problems, path=f"supporting_questions[{number}]")
        question = s.markdown("question", hint="What did … say in public?")
        labels = s.texts("documents", what="document label")
        s.finish()
        if question is not None:
            out.append(SupportingQuestion(question, labels, item.line))
    return tuple(out)


def _task(f: Fields) -> Task | None:
    if f.node("task") is None:
        return None
    t = f.mapping("task")
    prompt = t.markdown("prompt", hint="| the argument students write")
    lines = t.integer("lines", low=1, high=60)
    scoring = t.markdowns("scoring", what="level of the scoring guide")
    t.finish()
    return Task(prompt, lines, scoring) if prompt is not None else None


def _items(node: Node | None, file: Path, problems: Problems, what: str, first: str) -> list[Node]:
    """The entries of a file that is a YAML list, or a problem saying it is not one."""
    if node is None:
        return []
    if not isinstance(node.value, list):
        problems.add(
            file,
            f"should be a list of {what}, each starting with '- {first}:'",
            f"see the {file.name} example in the README",
            line=node.line,
        )
        return []
    return list(node.value)


def _questions(
    node: Node | None, file: Path, problems: Problems, documents: Sequence[Document]
) -> tuple[Question, ...]:
    items = _items(node, file, problems, "questions", "kind")
    labels = [d.label for d in documents]
    found = []
    for number, item in enumerate(items, start=1):
        f = Fields(item, file, problems, path=f"question {number}")
        kind = f.choice("kind", QUESTION_KINDS)
        prompt = f.markdown("prompt", hint="the question")
        lines = f.integer("lines", low=1, high=30)
        answer = f.markdown("answer", hint="| the answer for the key")
        label = f.text("document", required=False)
        label_node = f.node("document")
        f.finish()
        if label and documents and label not in labels:
            problems.add(
                file,
                f"question {number} belongs to Document {label}, which the packet does not have",
                f"use one of the documents' labels ({', '.join(labels)}), or delete "
                "'document:' to print the question after all the documents",
                line=label_node.line if label_node else item.line,
                field=f"question {number}.document",
            )
        if prompt and answer:
            found.append(Question(number, kind, prompt, lines, answer, label))
    if node is not None and isinstance(node.value, list) and not node.value:
        problems.add(file, "has no questions", "add at least one question", line=node.line)
    return number_in_print_order(found, labels)


def number_in_print_order(
    questions: Sequence[Question], labels: Sequence[str]
) -> tuple[Question, ...]:
    """Number questions as they print: each document's after it, by kind, then the packet's."""
    ordered = []
    for place in (*labels, ""):
        for kind in QUESTION_KINDS:
            ordered += [q for q in questions if q.document == place and q.kind == kind]
    ordered += [q for q in questions if q not in ordered]  # a label the packet does not have
    return tuple(replace(q, number=n) for n, q in enumerate(ordered, start=1))


def _vocabulary(node: Node | None, file: Path, problems: Problems) -> tuple[Term, ...]:
    out = []
    for number, item in enumerate(_items(node, file, problems, "terms", "term"), start=1):
        f = Fields(item, file, problems, path=f"term {number}")
        term = Term(
            term=f.text("term", hint="reconnaissance"),
            part_of_speech=f.text("part_of_speech", hint="noun"),
            definition=f.text("definition", hint="a short definition"),
            forms=f.texts("forms", required=False, what="form"),
            line=item.line,
        )
        f.finish()
        if term.term:
            out.append(term)
    return tuple(out)


def _steps(f: Fields, key: str, text_key: str) -> tuple[TimedStep, ...]:
    out = []
    for i, node in enumerate(f.seq(key, what="step"), start=1):
        s = Fields(node, f.file, f.problems, path=f"{f._field(key)}[{i}]")
        minutes = s.integer("minutes", low=1, high=600)
        text = s.markdown(text_key, hint="what happens")
        s.finish()
        if text:
            out.append(TimedStep(minutes, text))
    return tuple(out)


def _teacher(node: Node | None, file: Path, problems: Problems) -> TeacherNotes | None:
    if node is None:
        return None
    f = Fields(node, file, problems)
    overview = f.markdown("overview", hint="| what students do and learn")
    strategy = f.mapping("strategy")
    strategy_name = strategy.text("name", hint="the literacy strategy")
    strategy_steps = strategy.markdowns("steps", what="step")
    strategy.finish()
    timing = _steps(f, "timing", "activity")
    english_learners = f.markdowns("english_learners", what="support")
    below = f.markdowns("below_grade_level", what="support")
    notes = f.markdowns("notes", required=False, what="note")
    sub = f.mapping("substitute_plan")
    plan = SubstitutePlan(
        summary=sub.markdown("summary", hint="one sentence") or Markdown("", file, 1),
        before_class=sub.markdowns("before_class", required=False),
        materials=sub.markdowns("materials", what="material"),
        steps=_steps(sub, "steps", "do"),
        collect=sub.markdown("collect", hint="what to collect") or Markdown("", file, 1),
        answer_key=sub.markdown("answer_key", hint="where the key is") or Markdown("", file, 1),
        early_finishers=sub.markdown("early_finishers", hint="what to do") or Markdown("", file, 1),
        if_problems=sub.markdown("if_problems", required=False),
    )
    sub.finish()
    f.finish()
    if overview is None:
        return None
    return TeacherNotes(
        overview=overview,
        strategy_name=strategy_name,
        strategy_steps=strategy_steps,
        timing=timing,
        english_learners=english_learners,
        below_grade_level=below,
        notes=notes,
        substitute_plan=plan,
    )
