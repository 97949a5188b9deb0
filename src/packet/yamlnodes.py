"""YAML read with line numbers, so every problem can point at its line.

PyYAML's composer keeps a position for every node; values built from it keep
that position. Duplicate keys, tabs and syntax errors become Problems.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems


@dataclass(frozen=True)
class Node:
    """A YAML value and the 1-based line it starts on."""

    value: Any  # dict[str, Node] | list[Node] | str | int | float | bool | date | None
    line: int

    @property
    def kind(self) -> str:
        return type_name(self.value)


def type_name(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list (lines starting with '- ')"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if value is None:
        return "nothing"
    return "text"


_scalars = yaml.SafeLoader("")


def _build(node: yaml.Node, file: Path, problems: Problems, path: str) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        items: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(_scalars.construct_object(key_node, deep=True))
            key_line = key_node.start_mark.line + 1
            if key in items:
                problems.add(
                    file,
                    f"'{key}' is given twice (first on line {items[key].line})",
                    "keep one of them and delete the other",
                    line=key_line,
                    field=_join(path, key),
                )
                continue
            child = _build(value_node, file, problems, _join(path, key))
            # A key's line is where the key is written, which is what a reader looks for.
            items[key] = Node(child.value, key_line)
        return Node(items, line)
    if isinstance(node, yaml.SequenceNode):
        return Node(
            [_build(item, file, problems, f"{path}[{i + 1}]") for i, item in enumerate(node.value)],
            line,
        )
    return Node(_scalars.construct_object(node, deep=True), line)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parse(text: str, file: Path, problems: Problems, *, first_line: int = 1) -> Node | None:
    """Parse YAML text into Nodes; on a syntax error add a Problem and return None."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else None
        message = str(error.problem or error.context or "not valid YAML")
        fix = "check the indentation and punctuation of this line"
        if "\t" in message or "tab" in message or "found character '\\t'" in str(error):
            fix = "indent with spaces, not tabs"
        if error.context:
            message = f"{error.context}, {message}" if error.problem else message
        problems.add(file, f"not valid YAML: {message}", fix, line=line)
        return None
    except yaml.YAMLError as error:  # e.g. a reader error on a control character
        problems.add(file, f"not valid YAML: {error}", "save the file as plain UTF-8 text")
        return None
    if root is None:
        return Node(None, first_line)
    built = _build(root, file, problems, "")
    return _shift(built, first_line - 1) if first_line != 1 else built


def _shift(node: Node, offset: int) -> Node:
    value = node.value
    if isinstance(value, dict):
        value = {k: _shift(v, offset) for k, v in value.items()}
    elif isinstance(value, list):
        value = [_shift(v, offset) for v in value]
    return Node(value, node.line + offset)
