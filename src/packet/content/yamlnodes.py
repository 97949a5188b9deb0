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

from packet.errors import Problems


@dataclass(frozen=True)
class Node:
    """A YAML value and the 1-based line it starts on."""

    value: Any  # dict[str, Node] | list[Node] | str | int | float | bool | date | None
    line: int
    # Where the value's text starts: a block scalar ('key: |') starts a line below its key.
    text_line: int = 0

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
MAX_DEPTH = 50  # a packet needs four levels; far deeper is a stray bracket, not a lesson


class _Refused(yaml.composer.ComposerError):
    """YAML that is valid but that packet will not read, with how to fix it."""

    def __init__(self, message: str, fix: str, mark: Any) -> None:
        super().__init__(None, None, message, mark)
        self.fix = fix


class _Loader(yaml.SafeLoader):
    """Composes nodes, refusing aliases and runaway nesting before they cost a traceback.

    An alias can make a value contain itself, or a few lines expand to billions of
    values; lesson files have no use for them.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                f"'*{event.anchor}' is a YAML alias, which packet files may not use",
                f"write the value out in full instead of '*{event.anchor}'",
                event.start_mark,
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
                "packet files need only a few levels: look for stray '[', '{' or '- ' here",
                event.start_mark,
            )
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        # The composer resolves plain values to the same tags ('5' is an int either way):
        # only the event knows whether the file wrote the tag out.
        if node is not None:
            node.written_tag = getattr(event, "tag", None)  # type: ignore[attr-defined]
        return node


def _value(node: yaml.Node) -> Any:
    """Construct a scalar (or a complex key); a value YAML cannot make stays text."""
    if _refused_tag(node):
        return node.value if isinstance(node.value, str) else None
    try:
        return _scalars.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        # e.g. 'date: 2026-13-45' looks like a date but is none: the field's check says so.
        return node.value if isinstance(node.value, str) else None


# '!!str' only says "this is text", as quotes do, and every text field reads it so: harmless.
_ALLOWED_TAGS = ("tag:yaml.org,2002:str",)


def _refused_tag(node: yaml.Node) -> str:
    """The tag written on a node that packet will not read ('!!binary', '!x'), or ''.

    Plain values need no tag; any other tag makes a value packet cannot print as typed
    (bytes print as b'…', a set loses its order) or names code to run.
    """
    tag = getattr(node, "written_tag", None)
    if tag is None or (isinstance(node, yaml.ScalarNode) and tag in _ALLOWED_TAGS):
        return ""
    return str(tag).replace("tag:yaml.org,2002:", "!!")


def _tag_problem(node: yaml.Node, file: Path, problems: Problems, path: str, offset: int) -> None:
    if tag := _refused_tag(node):
        problems.add(
            file,
            f"'{tag}' is a YAML tag that packet cannot read",
            "delete the tag (the word starting with '!') and keep the value",
            line=node.start_mark.line + 1 + offset,
            field=path,
        )


def _build(node: yaml.Node, file: Path, problems: Problems, path: str, offset: int) -> Node:
    line = node.start_mark.line + 1 + offset
    _tag_problem(node, file, problems, path, offset)  # e.g. !!binary, !!set, !!python/…
    if isinstance(node, yaml.MappingNode):
        items: dict[str, Node] = {}
        for key_node, value_node in node.value:
            _tag_problem(key_node, file, problems, path, offset)
            key = str(_value(key_node))
            key_line = key_node.start_mark.line + 1 + offset
            if key in items:
                problems.add(
                    file,
                    f"'{key}' is given twice (first on line {items[key].line})",
                    "keep one of them and delete the other",
                    line=key_line,
                    field=_join(path, key),
                )
                continue
            child = _build(value_node, file, problems, _join(path, key), offset)
            # A key's line is where the key is written, which is what a reader looks for.
            items[key] = Node(child.value, key_line, child.text_line)
        return Node(items, line)
    if isinstance(node, yaml.SequenceNode):
        return Node(
            [
                _build(item, file, problems, f"{path}[{i + 1}]", offset)
                for i, item in enumerate(node.value)
            ],
            line,
        )
    block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
    return Node(_value(node), line, line + block)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parse(text: str, file: Path, problems: Problems, *, first_line: int = 1) -> Node | None:
    """Parse YAML text into Nodes; on a syntax error add a Problem and return None."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except _Refused as error:
        line = error.problem_mark.line + first_line if error.problem_mark else None
        problems.add(file, str(error.problem), error.fix, line=line)
        return None
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
    # Front matter starts below the file's first line: count lines as the file does.
    return _build(root, file, problems, "", first_line - 1)
