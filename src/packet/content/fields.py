"""Typed reads from a YAML mapping, each failure recorded as a Problem with its line."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from packet.content.markup import raw_html
from packet.content.model import Markdown
from packet.content.yamlnodes import Node, type_name
from packet.errors import Problems

T = TypeVar("T")


class Fields:
    """Reads the fields of one mapping; remembers which keys it was asked for."""

    def __init__(
        self, node: Node | None, file: Path, problems: Problems, *, path: str = "", what: str = ""
    ) -> None:
        self.file = file
        self.problems = problems
        self.path = path
        self.line = node.line if node else 1
        self._seen: set[str] = set()
        self._valid = True
        if node is None or not isinstance(node.value, dict):
            found = "nothing" if node is None or node.value is None else type_name(node.value)
            where = f"'{path}'" if path else "the file"
            problems.add(
                file,
                f"{where} should be a mapping of 'key: value' lines{what}, but it is {found}",
                "write one 'key: value' per line, as the packet format in the README shows",
                line=self.line,
                field=path,
            )
            self.items: dict[str, Node] = {}
            self._valid = False
        else:
            self.items = node.value

    def _field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _missing(self, key: str, hint: str) -> None:
        self.problems.add(
            self.file,
            f"required field '{key}' is missing",
            f"add a line '{key}: {hint}'",
            line=self.line,
            field=self._field(key),
        )

    def _wrong(self, key: str, node: Node, expected: str, fix: str) -> None:
        self.problems.add(
            self.file,
            f"'{key}' should be {expected}, but it is {type_name(node.value)}",
            fix,
            line=node.line,
            field=self._field(key),
        )

    def node(self, key: str) -> Node | None:
        self._seen.add(key)
        return self.items.get(key)

    def text(
        self,
        key: str,
        *,
        required: bool = True,
        default: str = "",
        hint: str = "...",
        plain: bool = True,
    ) -> str:
        node = self.node(key)
        if node is None or node.value is None:
            if required and self._valid:
                self._missing(key, hint)
            return default
        value = node.value
        if isinstance(value, bool | dict | list):
            self._wrong(key, node, "text", f"write {key} as plain text, e.g. '{key}: {hint}'")
            return default
        text = str(value).strip()
        if required and not text:
            self._missing(key, hint)
        if plain:
            self._plain(text, node.line, self._field(key))
        return text

    def _plain(self, text: str, line: int, field: str) -> None:
        """Plain text prints as typed: raw HTML in it would print as tags.

        Markdown fields get the same report, with its line, from the markup scan.
        """
        for tag in raw_html(text):
            self.problems.add(
                self.file,
                f"raw HTML is not allowed in a packet: '{' '.join(tag.split())[:60]}'",
                "this field is plain text: delete the tag and keep the words",
                line=line,
                field=field,
            )

    def markdown(self, key: str, *, required: bool = True, hint: str = "...") -> Markdown | None:
        node = self.node(key)
        text = self.text(key, required=required, hint=hint, plain=False)
        if node is None or not text:
            return None
        return Markdown(text, self.file, _text_line(node))

    def integer(self, key: str, *, low: int, high: int, required: bool = True) -> int:
        node = self.node(key)
        if node is None or node.value is None:
            if required and self._valid:
                self._missing(key, str(low))
            return low
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(
                key, node, f"a whole number from {low} to {high}", f"write e.g. '{key}: {low}'"
            )
            return low
        if not low <= value <= high:
            self.problems.add(
                self.file,
                f"'{key}' is {value}, outside {low} to {high}",
                f"use a whole number from {low} to {high}",
                line=node.line,
                field=self._field(key),
            )
        return value

    def date(self, key: str, *, required: bool = True) -> dt.date:
        node = self.node(key)
        fallback = dt.date(1970, 1, 1)
        if node is None or node.value is None:
            if required and self._valid:
                self._missing(key, "YYYY-MM-DD")
            return fallback
        value = node.value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            written = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value.strip())
            try:
                if written:
                    return dt.date(*map(int, written.groups()))
            except ValueError as error:  # written as a date, but no such day (month 13)
                self.problems.add(
                    self.file,
                    f"'{key}' is {value.strip()}, which is not a real date ({error})",
                    f"write a real date as YYYY-MM-DD, e.g. '{key}: 1962-10-27'",
                    line=node.line,
                    field=self._field(key),
                )
                return fallback
        self._wrong(key, node, "a date", f"write the date as YYYY-MM-DD, e.g. '{key}: 1962-10-27'")
        return fallback

    def choice(self, key: str, choices: Iterable[str], *, default: str | None = None) -> str:
        options = tuple(choices)
        node = self.node(key)
        text = self.text(key, required=default is None, hint=options[0])
        if not text:
            return default or options[0]
        normal = text.lower()
        if normal in options:
            return normal
        assert node is not None
        self.problems.add(
            self.file,
            f"'{key}' is '{text}', which is not one of: {', '.join(options)}",
            f"use one of: {', '.join(options)}{_did_you_mean(normal, options)}",
            line=node.line,
            field=self._field(key),
        )
        return default or options[0]

    def seq(self, key: str, *, required: bool = True, what: str = "items") -> list[Node]:
        node = self.node(key)
        if node is None or node.value is None:
            if required and self._valid:
                self._missing(key, f"then one '- ' line per {what}")
            return []
        if not isinstance(node.value, list):
            self._wrong(
                key, node, f"a list of {what}", "put each item on its own line starting with '- '"
            )
            return []
        return list(node.value)

    def texts(
        self, key: str, *, required: bool = True, what: str = "items", plain: bool = True
    ) -> tuple[str, ...]:
        out = []
        for i, item in enumerate(self.seq(key, required=required, what=what), start=1):
            if isinstance(item.value, dict | list) or item.value is None:
                self.problems.add(
                    self.file,
                    f"item {i} of '{key}' should be text, but it is {type_name(item.value)}",
                    "write each item as '- some text'",
                    line=item.line,
                    field=f"{self._field(key)}[{i}]",
                )
                continue
            out.append(str(item.value).strip())
            if plain:
                self._plain(out[-1], item.line, f"{self._field(key)}[{i}]")
        return tuple(out)

    def markdowns(
        self, key: str, *, required: bool = True, what: str = "items"
    ) -> tuple[Markdown, ...]:
        nodes = [n for n in self.seq(key, required=required, what=what)]
        texts = self.texts(key, required=False, plain=False)
        # texts() skipped bad items; pair the good ones back with their lines.
        good = [n for n in nodes if not (isinstance(n.value, dict | list) or n.value is None)]
        return tuple(
            Markdown(t, self.file, _text_line(n)) for t, n in zip(texts, good, strict=True)
        )

    def mapping(self, key: str, *, what: str = "") -> Fields:
        node = self.node(key)
        if node is None:
            if self._valid:
                self._missing(key, "(then indented 'key: value' lines)")
            return Fields(Node({}, self.line), self.file, Problems(), path=self._field(key))
        return Fields(node, self.file, self.problems, path=self._field(key), what=what)

    def finish(self, allowed_extra: Iterable[str] = ()) -> None:
        """Report keys nobody asked for: usually a typo of a real field."""
        known = self._seen | set(allowed_extra)
        for key, node in self.items.items():
            if key in known:
                continue
            self.problems.add(
                self.file,
                f"unknown field '{key}'",
                f"remove it, or check the spelling{_did_you_mean(key, sorted(known))}",
                line=node.line,
                field=self._field(key),
            )


def _text_line(node: Node) -> int:
    """The file line a text value's first non-blank line stands on."""
    raw = str(node.value)
    skipped = raw[: len(raw) - len(raw.lstrip())].count("\n")  # text() strips blank lines
    return (node.text_line or node.line) + skipped


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
