"""Read a packet folder into the typed model, collecting every problem in one pass."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from packet.content.fields import Fields
from packet.content.model import (
    PAPER_SIZES,
    QUESTION_KINDS,
    Document,
    Markdown,
    Meta,
    Packet,
    Question,
    SourceText,
    Speaker,
    SubstitutePlan,
    TeacherNotes,
    Term,
    TimedStep,
)
from packet.content.validate import check_characters, check_language, cross_check
from packet.content.yamlnodes import Node, parse
from packet.errors import Problems

MAX_TEXT_BYTES = 2_000_000  # far above any lesson; stops a stray 50 MB file early
# The files every packet must have (adapted.md is optional).
FILES = (
    "packet.yaml",
    "source.md",
    "essay.md",
    "questions.yaml",
    "vocabulary.yaml",
    "teacher.yaml",
)
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
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

    meta = _meta(yaml_file("packet.yaml"), root / "packet.yaml", problems)
    document = _document(root, problems)
    essay_text = read_text(root / "essay.md", problems, label=str(root / "essay.md"), root=root)
    essay = Markdown(essay_text or "", root / "essay.md", 1)
    questions = _questions(yaml_file("questions.yaml"), root / "questions.yaml", problems)
    vocabulary = _vocabulary(yaml_file("vocabulary.yaml"), root / "vocabulary.yaml", problems)
    teacher = _teacher(yaml_file("teacher.yaml"), root / "teacher.yaml", problems)
    cross_check(
        root,
        problems,
        meta=meta,
        document=document,
        essay=essay if essay_text is not None else None,
        questions=questions,
        vocabulary=vocabulary,
        teacher=teacher,
    )
    if meta is None or document is None or essay_text is None or teacher is None:
        return None, problems
    packet = Packet(
        root=root,
        slug=root.resolve().name,
        meta=meta,
        document=document,
        essay=essay,
        questions=questions,
        vocabulary=vocabulary,
        teacher=teacher,
    )
    return (None if problems else packet), problems


def _meta(node: Node | None, file: Path, problems: Problems) -> Meta | None:
    if node is None:
        return None
    f = Fields(node, file, problems)
    title = f.text("title", hint="One Secret Meeting")
    language = f.text("language", hint="en-US")
    language_node = f.node("language")
    if language:
        check_language(language, file, language_node.line if language_node else 1, problems)
    meta = Meta(
        title=title,
        short_title=f.text("short_title", required=False) or title,
        subtitle=f.text("subtitle", required=False),
        central_question=f.text("central_question", hint="Why …?"),
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
    f.finish()
    return meta


def _document(root: Path, problems: Problems) -> Document | None:
    path = root / "source.md"
    text = read_text(path, problems, label=str(path), root=root)
    if text is None:
        return None
    front, front_line, body, body_line = split_front_matter(text, str(path), problems)
    if front is None:
        return None
    node = parse(front, path, problems, first_line=front_line)
    if node is None:
        return None
    f = Fields(node, path, problems, what=" in the front matter")
    speakers = _speakers(f, path, problems)
    narrator = f.text("narrator", hint="dobrynin")
    narrator_node = f.node("narrator")
    if narrator and speakers and narrator not in {s.id for s in speakers}:
        problems.add(
            path,
            f"narrator '{narrator}' is not one of the speakers",
            f"use one of: {', '.join(s.id for s in speakers)}",
            line=narrator_node.line if narrator_node else None,
            field="narrator",
        )
    title = f.text("title", hint="Cable from Ambassador Dobrynin")
    label = f.text("label", hint="A")
    document_date = f.date("date")
    citation = f.markdown("citation", hint="the full citation")
    headnote = f.markdown("headnote", hint="|")
    document = Document(
        label=label,
        title=title,
        author=f.text("author", hint="Anatoly F. Dobrynin"),
        author_role=f.text("author_role", required=False),
        recipient=f.text("recipient", hint="Soviet Foreign Ministry"),
        date=document_date,
        archive=f.text("archive", hint="where the original is kept"),
        translation=f.markdown("translation", required=False),
        citation=citation or Markdown("", path, 1),
        headnote=headnote or Markdown("", path, 1),
        narrator=narrator,
        speakers=speakers,
        original=SourceText("original", title, Markdown(body, path, body_line)),
        adapted=_adapted(root, problems),
    )
    f.finish()
    if not body.strip():
        problems.add(
            path, "the source text is empty", "put the text after the front matter", line=body_line
        )
    return document


def _speakers(f: Fields, path: Path, problems: Problems) -> tuple[Speaker, ...]:
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
        out.append(Speaker(speaker_id, name, s.text("short", required=False) or name))
        s.finish()
    return tuple(out)


def _adapted(root: Path, problems: Problems) -> SourceText | None:
    path = root / "adapted.md"
    if not path.exists():
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


def _questions(node: Node | None, file: Path, problems: Problems) -> tuple[Question, ...]:
    items = _items(node, file, problems, "questions", "kind")
    out = []
    for number, item in enumerate(items, start=1):
        f = Fields(item, file, problems, path=f"question {number}")
        kind = f.choice("kind", QUESTION_KINDS)
        prompt = f.markdown("prompt", hint="the question")
        lines = f.integer("lines", low=1, high=30)
        answer = f.markdown("answer", hint="| the answer for the key")
        f.finish()
        if prompt and answer:
            out.append(Question(number, kind, prompt, lines, answer))
    if node is not None and isinstance(node.value, list) and not node.value:
        problems.add(file, "has no questions", "add at least one question", line=node.line)
    return tuple(out)


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
