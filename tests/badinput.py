"""Scaffolding for the bad-input catalogue (docs/bad-input.md): cases and how to plant them.

A case plants one mistake in a copy of the sample packet (or in a roster, or on the
command line) and says what the user must see. ``test_bad_input.py`` runs every case;
the cases themselves live there and in the ``cases_*.py`` modules, one per theme, in
the order of the catalogue's sections.
"""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import SAMPLE

DEFAULT_WRITES = ("lesson/lesson-student.pdf", "lesson/lesson-teacher.pdf")


@dataclass(frozen=True)
class Run:
    """How to run packet for one case, and values the expected messages refer to."""

    argv: list[str]
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One row of the catalogue."""

    make: Callable[[Path], Run]  # plants the bad input under a temporary folder
    sees: tuple[str, ...]  # exact phrases; {packet}, {tmp} and make's facts filled in
    code: int = 1
    fast: bool = False  # must finish within FAST seconds
    patch: Callable[[pytest.MonkeyPatch], None] | None = None  # run in-process, patched
    # For an accepted input (code 0): the files written under the output folder.
    writes: tuple[str, ...] = DEFAULT_WRITES
    # Further checks on what was written (tmp folder, everything printed).
    check: Callable[[Path, str], None] | None = None


# Building bad inputs -------------------------------------------------------------------


def lesson(tmp: Path) -> Path:
    """This case's copy of the sample packet, named 'lesson'."""
    target = tmp / "lesson"
    if not target.exists():
        shutil.copytree(SAMPLE, target)
    return target


def build(tmp: Path, source: Path | str, *options: str) -> list[str]:
    return ["-m", "packet", "build", str(source), "-o", str(tmp / "out"), *options]


def class_set(tmp: Path, *options: str) -> list[str]:
    return ["-m", "packet", "class-set", str(lesson(tmp)), "-o", str(tmp / "out"), *options]


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first old with new; return the line the change is on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def append(path: Path, text: str) -> int:
    """Append text as a paragraph of its own; return the line it starts on."""
    before = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 1, height: int = 1) -> bytes:
    """A grey PNG that claims width × height pixels; its pixel data is one row at most."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = zlib.compress(b"\x00" + b"\x80" * min(width, 64))
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", row) + _chunk(b"IEND", b"")
    )


def essay_with(markdown: str, files: dict[str, bytes] | None = None) -> Callable[[Path], Run]:
    """Add files to the packet, put x.png beside it, and end essay.md with markdown."""

    def make(tmp: Path) -> Run:
        packet = lesson(tmp)
        for name, data in (files or {}).items():
            (packet / name).write_bytes(data)
        (tmp / "x.png").write_bytes(png())
        line = append(packet / "essay.md", markdown.format(tmp=tmp))
        return Run(build(tmp, packet), {"line": line})

    return make


def roster(name: str, data: bytes | str) -> Callable[[Path], Run]:
    def make(tmp: Path) -> Run:
        path = tmp / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return Run(class_set(tmp, "--roster", str(path)))

    return make
