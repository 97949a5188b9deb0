"""Bad-input cases: nothing lost, nothing overwritten (a section of docs/bad-input.md)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from badinput import DEFAULT_WRITES, Case, Run, build, class_set, lesson
from conftest import pdf_text
from packet import output

STUB = b"%PDF-1.7 a PDF built earlier\n"


def periods_roster(*rows: tuple[str, str], period: str = "") -> Callable[[Path], Run]:
    """A roster of (name, period) rows, printed whole or one period of it."""

    def make(tmp: Path) -> Run:
        path = tmp / "periods.csv"
        lines = ["Name,Period", *(f"{name},{period}" for name, period in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        chosen = ("--period", period) if period else ()
        return Run(class_set(tmp, "--roster", str(path), *chosen))

    return make


def holds(files: dict[str, list[str]]) -> Callable[[Path, str], None]:
    """Check that each written class set holds exactly the named students' copies."""

    def check(tmp: Path, printed: str) -> None:
        everyone = {name for names in files.values() for name in names}
        for name, students in files.items():
            text = pdf_text(tmp / "out" / "lesson" / name)
            for student in everyone:
                assert (student in text) == (student in students), (name, student)

    return check


def second_class(tmp: Path) -> Run:
    """Two Google Classroom exports, one per class, with no period column: print both."""
    rosters = {"period3.csv": "Ana Lopez", "period5.csv": "Ben Ng"}
    for name, student in rosters.items():
        first, last = student.split()
        (tmp / name).write_text(f"First Name,Last Name\n{first},{last}\n", encoding="utf-8")
    first = subprocess.run(
        [sys.executable, *class_set(tmp, "--roster", str(tmp / "period3.csv"))],
        capture_output=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    return Run(class_set(tmp, "--roster", str(tmp / "period5.csv")))


def earlier_build(*names: str, then: Callable[[Path], list[str]]) -> Callable[[Path], Run]:
    """Put PDFs from an earlier build in the output folder, then run the command."""

    def make(tmp: Path) -> Run:
        folder = tmp / "out" / "lesson"
        folder.mkdir(parents=True)
        for name in names:
            (folder / name).write_bytes(STUB)
        return Run(then(tmp))

    return make


def untouched(*names: str) -> Callable[[Path, str], None]:
    def check(tmp: Path, printed: str) -> None:
        for name in names:
            assert (tmp / "out" / "lesson" / name).read_bytes() == STUB, f"{name} overwritten"

    return check


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path

import packet.output

def killed(source, target):
    os.kill(os.getpid(), signal.SIGKILL)  # after the PDF is on disk, before its rename

packet.output.os.replace = killed
packet.output.write_files(Path(sys.argv[1]), {"lesson-student.pdf": b"%PDF" + bytes(300_000)})
"""


def killed_build(tmp: Path) -> Run:
    """A build killed with SIGKILL left its full-size temporary file; build again."""
    folder = tmp / "out" / "lesson"
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(folder)], check=False)
    assert done.returncode == -signal.SIGKILL
    left = [p.name for p in folder.iterdir()]
    assert len(left) == 1 and left[0].endswith(output.TEMP_SUFFIX), left
    return Run(build(tmp, lesson(tmp)))


def read_only_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The output folder is on a disk that refuses every write (a locked USB stick)."""

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(output, "tempfile", types.SimpleNamespace(mkstemp=mkstemp))


def in_process_build(tmp: Path) -> Run:
    return Run(build(tmp, lesson(tmp))[2:])


CASES: dict[str, Case] = {
    "period-chinese": Case(
        periods_roster(("王小明", "一班"), ("李华", "二班"), ("张伟", "三班")),
        ("wrote {tmp}/out/lesson/lesson-class-set-一班.pdf",),
        code=0,
        writes=tuple(f"lesson/lesson-class-set-{p}.pdf" for p in ("一班", "二班", "三班")),
        check=holds(
            {
                "lesson-class-set-一班.pdf": ["王小明"],
                "lesson-class-set-二班.pdf": ["李华"],
                "lesson-class-set-三班.pdf": ["张伟"],
            }
        ),
    ),
    "period-spellings": Case(
        periods_roster(
            ("Ana Lopez", "Period 3"),
            ("Ben Ng", "period 3"),
            ("Cy Diaz", "03"),
            ("Dee Roy", "3A"),
            ("Eve Kim", "3a"),
            ("Flo Marin", "Période 1"),
            ("Gus Petit", "Periode 1"),
        ),
        ("wrote {tmp}/out/lesson/lesson-class-set-period-3.pdf",),
        code=0,
        writes=(
            "lesson/lesson-class-set-period-3.pdf",
            "lesson/lesson-class-set-3a.pdf",
            "lesson/lesson-class-set-période-1.pdf",
        ),
        check=holds(
            {
                "lesson-class-set-period-3.pdf": ["Ana Lopez", "Ben Ng", "Cy Diaz"],
                "lesson-class-set-3a.pdf": ["Dee Roy", "Eve Kim"],
                "lesson-class-set-période-1.pdf": ["Flo Marin", "Gus Petit"],
            }
        ),
    ),
    "period-chosen-spellings": Case(
        periods_roster(
            ("Ana Lopez", "3"),
            ("Ben Ng", "03"),
            ("Cy Diaz", "Period 3"),
            ("Dee Roy", "5"),
            period="3",
        ),
        ("wrote {tmp}/out/lesson/lesson-class-set-3.pdf",),
        code=0,
        writes=("lesson/lesson-class-set-3.pdf",),
        check=holds({"lesson-class-set-3.pdf": ["Ana Lopez", "Ben Ng", "Cy Diaz"]}),
    ),
    "period-file-collision": Case(
        periods_roster(("Ana Lopez", "Math 1"), ("Ben Ng", "Math 1+")),
        (
            "Error: 1 problem in the roster:",
            '{tmp}/periods.csv:3: periods "Math 1" and "Math 1+" are different classes but '
            'would be printed to one file, "…-class-set-math-1.pdf"',
            "fix: rename one of them in the roster so that they differ in a letter or digit",
        ),
    ),
    "period-column-missing": Case(
        second_class,
        ("wrote {tmp}/out/lesson/lesson-class-set-period5.pdf",),
        code=0,
        writes=("lesson/lesson-class-set-period3.pdf", "lesson/lesson-class-set-period5.pdf"),
        check=holds(
            {
                "lesson-class-set-period3.pdf": ["Ana Lopez"],
                "lesson-class-set-period5.pdf": ["Ben Ng"],
            }
        ),
    ),
    "variant-adapted-a4": Case(
        earlier_build(
            "lesson-student.pdf",
            "lesson-teacher.pdf",
            then=lambda tmp: build(tmp, lesson(tmp), "--source-version=adapted", "--paper=a4"),
        ),
        (
            "wrote {tmp}/out/lesson/lesson-student-adapted-a4.pdf",
            "wrote {tmp}/out/lesson/lesson-teacher-adapted-a4.pdf",
        ),
        code=0,
        writes=(
            *DEFAULT_WRITES,
            "lesson/lesson-student-adapted-a4.pdf",
            "lesson/lesson-teacher-adapted-a4.pdf",
        ),
        check=untouched("lesson-student.pdf", "lesson-teacher.pdf"),
    ),
    "variant-booklet": Case(
        earlier_build(
            "lesson-class-set.pdf",
            then=lambda tmp: class_set(tmp, "--copies", "2", "--booklet", "--with-key"),
        ),
        ("wrote {tmp}/out/lesson/lesson-class-set-booklet-with-key.pdf",),
        code=0,
        writes=("lesson/lesson-class-set.pdf", "lesson/lesson-class-set-booklet-with-key.pdf"),
        check=untouched("lesson-class-set.pdf"),
    ),
    "killed-build-leftover": Case(
        killed_build,
        ("wrote {tmp}/out/lesson/lesson-student.pdf",),
        code=0,
    ),
    "output-read-only-disk": Case(
        in_process_build,
        (
            "Error: cannot write to {tmp}/out/lesson: the disk is read-only (a USB stick with "
            "its lock switch on, a read-only network share, or a disk mounted read-only)",
            "choose another output folder with -o DIR",
        ),
        patch=read_only_disk,
    ),
}
