"""Every Markdown field of the model is validated, in check and build alike.

The model's Markdown fields are found from its type hints, so a field added to the
model fails this test until it has a place to plant a mistake in PLANT below.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from packet.cli import main
from packet.content.model import Markdown, Packet

# Where each Markdown field of the model is written: a YAML file and the keys (and
# list indexes) leading to the value, or BODY for the Markdown after the front matter.
BODY = "body"
PLANT: dict[str, tuple[str, tuple[str | int, ...]] | None] = {
    "documents[].translation": ("source.md", ("translation",)),
    "documents[].citation": ("source.md", ("citation",)),
    "documents[].headnote": ("source.md", ("headnote",)),
    "documents[].original.body": ("source.md", (BODY,)),
    "documents[].original.note": None,  # only an adapted text has a note
    "documents[].adapted.body": ("adapted.md", (BODY,)),
    "documents[].adapted.note": ("adapted.md", ("note",)),
    "documents[].image.caption": ("map.md", ("caption",)),
    "documents[].image.credit": ("map.md", ("credit",)),
    "documents[].image.description": ("map.md", ("description",)),
    "documents[].purpose": ("packet.yaml", ("documents", 0, "purpose")),
    "supporting_questions[].question": ("packet.yaml", ("supporting_questions", 0, "question")),
    "task.prompt": ("packet.yaml", ("task", "prompt")),
    "task.scoring[]": ("packet.yaml", ("task", "scoring", 0)),
    "essay": ("essay.md", (BODY,)),
    "questions[].prompt": ("questions.yaml", (0, "prompt")),
    "questions[].answer": ("questions.yaml", (0, "answer")),
    "teacher.overview": ("teacher.yaml", ("overview",)),
    "teacher.strategy_steps[]": ("teacher.yaml", ("strategy", "steps", 0)),
    "teacher.timing[].text": ("teacher.yaml", ("timing", 0, "activity")),
    "teacher.english_learners[]": ("teacher.yaml", ("english_learners", 0)),
    "teacher.below_grade_level[]": ("teacher.yaml", ("below_grade_level", 0)),
    "teacher.notes[]": ("teacher.yaml", ("notes", 0)),
    "teacher.substitute_plan.summary": ("teacher.yaml", ("substitute_plan", "summary")),
    "teacher.substitute_plan.before_class[]": (
        "teacher.yaml",
        ("substitute_plan", "before_class", 0),
    ),
    "teacher.substitute_plan.materials[]": ("teacher.yaml", ("substitute_plan", "materials", 0)),
    "teacher.substitute_plan.steps[].text": ("teacher.yaml", ("substitute_plan", "steps", 0, "do")),
    "teacher.substitute_plan.collect": ("teacher.yaml", ("substitute_plan", "collect")),
    "teacher.substitute_plan.answer_key": ("teacher.yaml", ("substitute_plan", "answer_key")),
    "teacher.substitute_plan.early_finishers": (
        "teacher.yaml",
        ("substitute_plan", "early_finishers"),
    ),
    "teacher.substitute_plan.if_problems": ("teacher.yaml", ("substitute_plan", "if_problems")),
}


def markdown_fields(cls: type, prefix: str = "") -> Iterator[str]:
    """The paths of every Markdown-typed field reachable from a model class."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        yield from _paths(hints[field.name], prefix + field.name)


def _paths(hint: Any, path: str) -> Iterator[str]:
    if hint is Markdown:
        yield path
    elif typing.get_origin(hint) in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            yield from _paths(arg, path)
    elif typing.get_origin(hint) is tuple:
        yield from _paths(typing.get_args(hint)[0], path + "[]")
    elif dataclasses.is_dataclass(hint):
        yield from markdown_fields(hint, path + ".")  # type: ignore[arg-type]


def test_every_markdown_field_of_the_model_has_a_place_to_plant() -> None:
    assert set(markdown_fields(Packet)) == set(PLANT)


def _set(data: Any, keys: tuple[str | int, ...], value: str) -> None:
    for key in keys[:-1]:
        data = data[key]
    data[keys[-1]] = value


def plant(folder: Path, name: str, keys: tuple[str | int, ...], markdown: str) -> None:
    """Put markdown in one field (or at the end of the body) of one file."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    front, body = "", text
    if name.endswith(".md") and text.startswith("---\n"):
        _, front, body = text.split("---\n", 2)
    if keys == (BODY,):
        body = body.rstrip("\n") + "\n\n" + markdown + "\n"
    else:
        data = yaml.safe_load(front or text)
        _set(data, keys, markdown)
        dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)
        front, body = (dumped, body) if front else ("", dumped)
    path.write_text(f"---\n{front}---\n{body}" if front else body, encoding="utf-8")


def test_an_image_in_every_markdown_field_is_reported_at_its_line(packet_copy: Path) -> None:
    teacher = yaml.safe_load((packet_copy / "teacher.yaml").read_text(encoding="utf-8"))
    teacher["substitute_plan"].setdefault("if_problems", "Ask the office.")
    teacher["substitute_plan"].setdefault("before_class", ["Print."])
    teacher.setdefault("notes", ["A note."])
    (packet_copy / "teacher.yaml").write_text(
        yaml.safe_dump(teacher, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    planted = {}
    for number, (field, where) in enumerate(sorted(PLANT.items()), start=1):
        if where is not None:
            plant(packet_copy, *where, f"Look: ![planted picture](planted{number}.png)")
            planted[field] = (where[0], f"planted{number}.png")

    result = CliRunner().invoke(main, ["check", str(packet_copy)])
    assert result.exit_code == 1, result.output
    for field, (name, image) in planted.items():
        lines = (packet_copy / name).read_text(encoding="utf-8").splitlines()
        line = next(i for i, text in enumerate(lines, start=1) if image in text)
        expected = f"{packet_copy / name}:{line}: image '{image}' does not exist"
        assert expected in result.output, f"{field}: {expected}\n{result.output}"
    assert len(re.findall(r"image 'planted\d+\.png'", result.output)) == len(planted)
