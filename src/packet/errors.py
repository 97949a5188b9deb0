"""The one error family: every failure a user can cause is a PacketError.

Errors subclass ``click.ClickException`` so the command line prints
``Error: …`` and exits with code 1, never a traceback; real bugs still show one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

MAX_SHOWN = 200  # a file gone wrong can hold a million mistakes; nobody reads past this


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what is wrong, how to fix it."""

    file: Path | str
    message: str
    fix: str = ""
    line: int | None = None
    field: str = ""

    def location(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class PacketError(click.ClickException):
    """A failure the user can fix; printed as ``Error: …`` with exit code 1."""

    exit_code = 1


class InvalidInput(PacketError):
    """One or more problems found in the input, all reported at once."""

    def __init__(self, problems: Iterable[Problem], *, what: str = "the packet") -> None:
        # In file order, so a reader can fix them top to bottom.
        self.problems = tuple(sorted(problems, key=lambda p: (str(p.file), p.line or 0)))
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in {what}:"]
        shown = self.problems[:MAX_SHOWN]
        lines += [f"  {problem}".replace("\n", "\n  ") for problem in shown]
        if count > MAX_SHOWN:
            lines.append(f"  … and {count - MAX_SHOWN} more; fix these and check again")
        super().__init__("\n".join(lines))


class Problems:
    """Collects problems during a pass so all of them are reported together."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(
        self,
        file: Path | str,
        message: str,
        fix: str = "",
        *,
        line: int | None = None,
        field: str = "",
    ) -> None:
        self._items.append(Problem(file, message, fix, line, field))

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._items)

    def raise_if_any(self, *, what: str = "the packet") -> None:
        if self._items:
            raise InvalidInput(self._items, what=what)
