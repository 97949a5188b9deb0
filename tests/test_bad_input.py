"""Every kind of bad input gets a clear answer: the catalogue in docs/bad-input.md, row by row.

Each case plants one mistake in a copy of the sample packet (or in a roster, or on the
command line), runs ``packet`` as a user would, in its own process, and checks what
the user sees: the exit code, no traceback, a message that names the file (or the
option) and says how to fix it, and nothing left in the output folder. The first
section's cases are here; later sections' cases live in the ``cases_*.py`` modules.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import subprocess
import sys
import time
import types
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cases_documents
import cases_files
import cases_guard
import cases_input
import cases_layout
import cases_roster
from badinput import (
    Case,
    Run,
    append,
    build,
    class_set,
    edit,
    essay_with,
    lesson,
    png,
    roster,
)
from conftest import ROOT
from packet import output
from packet.cli import main
from packet.content.load import FILES
from packet.resources import fonts_dir, templates_dir

CATALOGUE = ROOT / "docs" / "bad-input.md"
TIMEOUT = 120  # seconds: a hang fails the test instead of the whole run
FAST = 20  # seconds: what "fails fast" means for inputs built to be slow


# Building bad inputs -------------------------------------------------------------------


def missing(name: str) -> Callable[[Path], Run]:
    def make(tmp: Path) -> Run:
        (lesson(tmp) / name).unlink()
        return Run(build(tmp, lesson(tmp)))

    return make


def missing_folder(tmp: Path) -> Run:
    return Run(build(tmp, tmp / "nowhere"))


def file_not_folder(tmp: Path) -> Run:
    return Run(build(tmp, lesson(tmp) / "packet.yaml"))


def empty_file(tmp: Path) -> Run:
    (lesson(tmp) / "essay.md").write_text("\n   \n\n", encoding="utf-8")
    return Run(build(tmp, lesson(tmp)))


def latin_1(tmp: Path) -> Run:
    essay = lesson(tmp) / "essay.md"
    text = "A café in Havana, 1962.\n\n" + essay.read_text(encoding="utf-8")
    essay.write_bytes(text.encode("cp1252"))
    return Run(build(tmp, lesson(tmp)))


def utf_16(tmp: Path) -> Run:
    essay = lesson(tmp) / "essay.md"
    essay.write_bytes(essay.read_text(encoding="utf-8").encode("utf-16"))
    return Run(build(tmp, lesson(tmp)))


def utf_8_bom(tmp: Path) -> Run:
    for path in lesson(tmp).iterdir():
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-8-sig"))
    return Run(build(tmp, lesson(tmp)))


def yaml_tabs(tmp: Path) -> Run:
    line = edit(lesson(tmp) / "questions.yaml", "\n  lines:", "\n\tlines:") + 1
    return Run(build(tmp, lesson(tmp)), {"line": line})


def yaml_duplicate_key(tmp: Path) -> Run:
    line = append(lesson(tmp) / "packet.yaml", "title: Another title\n")
    return Run(build(tmp, lesson(tmp)), {"line": line})


def front_matter_duplicate_key(tmp: Path) -> Run:
    path = lesson(tmp) / "source.md"
    first = edit(path, "\ntitle: ", "\ntitle: Another title\ntitle: ") + 1
    return Run(build(tmp, lesson(tmp)), {"first": first, "line": first + 1})


def yaml_wrong_type(tmp: Path) -> Run:
    (lesson(tmp) / "questions.yaml").write_text("kind: sourcing\nprompt: Who?\n", encoding="utf-8")
    return Run(build(tmp, lesson(tmp)))


def yaml_invalid_date(tmp: Path) -> Run:
    path = lesson(tmp) / "packet.yaml"
    old = next(line for line in path.read_text(encoding="utf-8").splitlines() if "date:" in line)
    line = edit(path, old, "date: 2026-13-45")
    return Run(build(tmp, lesson(tmp)), {"line": line})


def yaml_tag(tmp: Path) -> Run:
    path = lesson(tmp) / "packet.yaml"
    line = edit(path, "license: ", "license: !!python/object:os.system ")
    return Run(build(tmp, lesson(tmp)), {"line": line})


def yaml_alias(tmp: Path) -> Run:
    # Nine levels of nine: a few hundred bytes that stand for 387 million values.
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    line = append(lesson(tmp) / "teacher.yaml", "\n".join(lines) + "\n") + 1
    return Run(build(tmp, lesson(tmp)), {"line": line})


def yaml_nested(tmp: Path) -> Run:
    (lesson(tmp) / "questions.yaml").write_text("[" * 10_000 + "]" * 10_000 + "\n")
    return Run(build(tmp, lesson(tmp)))


def yaml_control_character(tmp: Path) -> Run:
    line = edit(lesson(tmp) / "packet.yaml", "title: ", "title: \x01")
    return Run(build(tmp, lesson(tmp)), {"line": line})


def huge_text(tmp: Path) -> Run:
    path = lesson(tmp) / "source.md"
    with path.open("ab") as handle:
        for _ in range(50):
            handle.write(b"Late tonight R. Kennedy invited me to come see him. " * 20_000)
    return Run(build(tmp, lesson(tmp)), {"mb": f"{path.stat().st_size / 1e6:.1f}"})


def binary_random(tmp: Path) -> Run:
    (lesson(tmp) / "essay.md").write_bytes(random.Random(5).randbytes(4096))
    return Run(build(tmp, lesson(tmp)))


def binary_png(tmp: Path) -> Run:
    (lesson(tmp) / "essay.md").write_bytes(png(640, 480))
    return Run(build(tmp, lesson(tmp)))


def markdown_nested(tmp: Path) -> Run:
    deep = "".join("  " * depth + f"- level {depth}\n" for depth in range(500))
    line = append(lesson(tmp) / "essay.md", deep)
    return Run(build(tmp, lesson(tmp)), {"line": line + 8})  # the ninth list is too deep


FONT_WRAPPER = """
import sys
from pathlib import Path

import packet.resources

install = Path(sys.argv[1])
# Both lookups are functools.cache'd: replace them before packet.cli imports them.
# The templates come along because fonts.css finds the fonts beside them (../fonts).
packet.resources.fonts_dir = lambda: install / "fonts"
packet.resources.templates_dir = lambda: install / "templates"

from packet.cli import main

main(sys.argv[2:])
"""


def broken_install(font: str, damage: Callable[[Path], None]) -> Callable[[Path], Run]:
    """Run packet from a copy of its fonts and templates, with one font damaged."""

    def make(tmp: Path) -> Run:
        install = tmp / "install"
        shutil.copytree(fonts_dir(), install / "fonts")
        shutil.copytree(templates_dir(), install / "templates")
        damage(install / "fonts" / font)
        argv = build(tmp, lesson(tmp))[2:]  # without "-m packet"
        return Run(["-c", FONT_WRAPPER, str(install), *argv])

    return make


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def not_a_font(path: Path) -> None:
    path.write_text("this is not a font\n" * 1000)


def output_under_file(tmp: Path) -> Run:
    (tmp / "notes.txt").write_text("not a folder\n")
    return Run(["-m", "packet", "build", str(lesson(tmp)), "-o", str(tmp / "notes.txt" / "out")])


def output_read_only(tmp: Path) -> Run:
    (tmp / "out").mkdir()
    (tmp / "out").chmod(0o500)
    return Run(build(tmp, lesson(tmp)))


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write of a finished PDF fails as on a full disk."""

    class Full:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Full:
        return Full(os.fdopen(fd, *args, **kwargs))

    monkeypatch.setattr(output, "os", types.SimpleNamespace(**{**vars(os), "fdopen": fdopen}))


def in_process_build(tmp: Path) -> Run:
    return Run(build(tmp, lesson(tmp))[2:])


def roster_missing(tmp: Path) -> Run:
    return Run(class_set(tmp, "--roster", str(tmp / "period3.csv")))


def roster_huge(tmp: Path) -> Run:
    path = tmp / "school.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("First Name,Last Name,Period\n")
        for i in range(1_500_000):
            handle.write(f"Student{i},Family{i},{i % 7 + 1}\n")
    return Run(class_set(tmp, "--roster", str(path)), {"mb": f"{path.stat().st_size / 1e6:.1f}"})


# The catalogue -------------------------------------------------------------------------

FONT_BUG = (
    "a damaged bundled font is not yet reported as such; the fix belongs in overlay.py "
    "(_register) and pdf.py (see docs/bad-input.md)"
)
SAVE_UTF8 = "fix: open it in your editor and save it again as 'UTF-8'"
NOT_IN_PACKET = "is not a file in the packet (addresses and absolute paths are not allowed)"
NAME_IT = "fix: put the image file in the packet folder and give its name"
SAVE_IMAGE = "fix: open the image in an image editor and save it again as PNG or JPEG"

CORE: dict[str, Case] = {
    "missing-folder": Case(
        missing_folder,
        ("{tmp}/nowhere: packet folder not found", "fix: check the path"),
    ),
    "file-not-folder": Case(
        file_not_folder,
        (
            "{packet}/packet.yaml: is a file, not a packet folder",
            "fix: give the folder that holds packet.yaml",
        ),
    ),
    **{
        f"missing-{name}": Case(
            missing(name),
            (f"{{packet}}/{name}: file is missing", f"fix: create {name} in the packet folder"),
        )
        for name in FILES
    },
    "empty-file": Case(
        empty_file, ("{packet}/essay.md: file is empty", "fix: fill in essay.md (see the README)")
    ),
    "latin-1": Case(
        latin_1,
        (
            "{packet}/essay.md:1: is not UTF-8 text (byte 0xe9 on line 1; probably saved as "
            "Latin-1 or Windows-1252)",
            SAVE_UTF8,
        ),
    ),
    "utf-16": Case(utf_16, ("{packet}/essay.md: is saved as UTF-16, not UTF-8", SAVE_UTF8)),
    "utf-8-bom": Case(
        utf_8_bom,
        ("wrote {tmp}/out/lesson/lesson-student.pdf", "wrote {tmp}/out/lesson/lesson-teacher.pdf"),
        code=0,
    ),
    "yaml-tabs": Case(
        yaml_tabs,
        (
            "{packet}/questions.yaml:{line}: not valid YAML",
            "found character '\\t' that cannot start any token",
            "fix: indent with spaces, not tabs",
        ),
    ),
    "yaml-duplicate-key": Case(
        yaml_duplicate_key,
        (
            "{packet}/packet.yaml:{line}: title: 'title' is given twice (first on line 1)",
            "fix: keep one of them and delete the other",
        ),
    ),
    "front-matter-duplicate-key": Case(
        front_matter_duplicate_key,
        (
            "{packet}/source.md:{line}: title: 'title' is given twice (first on line {first})",
            "fix: keep one of them and delete the other",
        ),
    ),
    "yaml-wrong-type": Case(
        yaml_wrong_type,
        (
            "{packet}/questions.yaml:1: should be a list of questions, each starting with "
            "'- kind:'",
            "fix: see the questions.yaml example in the README",
        ),
    ),
    "yaml-impossible-date": Case(
        yaml_invalid_date,
        (
            "{packet}/packet.yaml:{line}: date: 'date' is 2026-13-45, which is not a real date "
            "(month must be in 1..12)",
            "fix: write a real date as YYYY-MM-DD, e.g. 'date: 1962-10-27'",
        ),
    ),
    "yaml-tag": Case(
        yaml_tag,
        (
            "{packet}/packet.yaml:{line}: license: '!!python/object:os.system' is a YAML tag "
            "that packet cannot read",
            "fix: delete the tag (the word starting with '!') and keep the value",
        ),
    ),
    "yaml-alias-bomb": Case(
        yaml_alias,
        (
            "{packet}/teacher.yaml:{line}: '*a' is a YAML alias, which packet files may not use",
            "fix: write the value out in full instead of '*a'",
        ),
        fast=True,
    ),
    "yaml-nested": Case(
        yaml_nested,
        (
            "{packet}/questions.yaml:1: lists and mappings are nested more than 50 levels deep",
            "fix: packet files need only a few levels",
        ),
        fast=True,
    ),
    "yaml-control-character": Case(
        yaml_control_character,
        (
            "{packet}/packet.yaml:{line}: contains the invisible control character U+0001",
            "fix: delete it: retype the text around it",
        ),
    ),
    "markdown-control-character": Case(
        essay_with("Pasted from a PDF: Kennedy\x08s brother\x0c met Dobrynin.\n"),
        (
            "{packet}/essay.md:{line}: contains the invisible control character U+0008 "
            "(1 more after it)",
            "fix: delete it: retype the text around it",
        ),
    ),
    "huge-text": Case(
        huge_text,
        (
            "{packet}/source.md: file is {mb} MB, too large for a lesson text (the limit is 2 MB)",
            "fix: shorten it, or check that the right file was saved under this name",
        ),
        fast=True,
    ),
    "binary-random": Case(
        binary_random,
        (
            "{packet}/essay.md: is a binary file, not text",
            "fix: essay.md must be plain text (YAML or Markdown) saved as UTF-8",
        ),
    ),
    "binary-png": Case(
        binary_png,
        (
            "{packet}/essay.md: is a binary file, not text",
            "fix: essay.md must be plain text (YAML or Markdown) saved as UTF-8",
        ),
    ),
    "markdown-nested": Case(
        markdown_nested,
        (
            "{packet}/essay.md:{line}: lists and quotes are nested more than 8 levels deep",
            "fix: indent less",
        ),
        fast=True,
    ),
    "mark-unclosed": Case(
        essay_with("Reread [[lines #offer] and explain it.\n"),
        (
            "{packet}/essay.md:{line}: '[[lines #offer] and explain it.' opens a mark with '[[' "
            "but never closes it",
            "fix: finish the mark with ']]'",
        ),
    ),
    "bracket-flood": Case(
        essay_with("[[" * 50_000 + "\n"),
        ("{packet}/essay.md:{line}: '[[[[", "opens a mark with '[[' but never closes it"),
        fast=True,
    ),
    "image-missing": Case(
        essay_with("![A map of Cuba](map.png)\n"),
        ("{packet}/essay.md:{line}: image 'map.png' does not exist in the packet folder", NAME_IT),
    ),
    "image-accented-name": Case(
        essay_with("![Carte de Cuba](carte-é.png)\n", {"carte-é.png": png()}),
        ("wrote {tmp}/out/lesson/lesson-student.pdf",),
        code=0,
    ),
    "image-not-an-image": Case(
        essay_with("![A map of Cuba](map.png)\n", {"map.png": b"Cuba is 90 miles away.\n"}),
        (
            "{packet}/essay.md:{line}: image 'map.png' is not a PNG, JPEG, GIF or SVG image",
            SAVE_IMAGE,
        ),
    ),
    "image-damaged": Case(
        essay_with("![A map of Cuba](map.png)\n", {"map.png": png()[:8] + b"garbage" * 50}),
        (
            "{packet}/essay.md:{line}: image 'map.png' is a damaged PNG file (its picture size "
            "cannot be read)",
            SAVE_IMAGE,
        ),
    ),
    "image-too-many-pixels": Case(
        essay_with("![A map of Cuba](map.png)\n", {"map.png": png(30_000, 30_000)}),
        (
            "{packet}/essay.md:{line}: image 'map.png' is 30000 × 30000 pixels, too large to "
            "print (the limit is 40 megapixels)",
            "fix: scale the image down",
        ),
    ),
    "image-no-alt-text": Case(
        essay_with("![](map.png)\n", {"map.png": png()}),
        (
            "{packet}/essay.md:{line}: image 'map.png' has no alt text",
            "fix: describe the image between the brackets",
        ),
    ),
    "image-parent-folder": Case(
        essay_with("![A map of Cuba](../x.png)\n"),
        ("{packet}/essay.md:{line}: image '../x.png' points outside the packet folder", NAME_IT),
    ),
    "image-absolute-path": Case(
        essay_with("![A map of Cuba]({tmp}/x.png)\n"),
        ("{packet}/essay.md:{line}: image '{tmp}/x.png' " + NOT_IN_PACKET, NAME_IT),
    ),
    "image-file-url": Case(
        essay_with("![A map of Cuba](file:///etc/passwd)\n"),
        ("{packet}/essay.md:{line}: image 'file:///etc/passwd' " + NOT_IN_PACKET, NAME_IT),
    ),
    "image-https": Case(
        essay_with("![A map of Cuba](https://example.com/map.png)\n"),
        ("{packet}/essay.md:{line}: image 'https://example.com/map.png' " + NOT_IN_PACKET, NAME_IT),
    ),
    "image-undecodable": Case(
        essay_with(
            "![A map of Cuba](map.png)\n",
            {"map.png": png(4, 4).replace(zlib.compress(b"\x00" + b"\x80" * 4), b"\x00" * 12)},
        ),
        (
            "{packet}/essay.md:{line}: image 'map.png' is a damaged PNG file (its picture data "
            "cannot be read)",
            SAVE_IMAGE,
        ),
    ),
    "character-no-font": Case(
        essay_with("A rocket 🚀 lifts off.\n"),
        (
            "{packet}/essay.md:{line}: no bundled font can print '🚀' (U+1F680 ROCKET)",
            "write it out in words",
        ),
    ),
    "font-truncated": Case(
        broken_install("NotoSans-Regular.ttf", truncate),
        ("NotoSans-Regular.ttf", "reinstall packet"),
    ),
    "font-not-a-font": Case(
        broken_install("NotoSerif-Regular.ttf", not_a_font),
        ("NotoSerif-Regular.ttf", "reinstall packet"),
    ),
    "font-missing": Case(
        broken_install("NotoSerif-Regular.ttf", Path.unlink),
        ("NotoSerif-Regular.ttf", "reinstall packet"),
    ),
    "unknown-edition": Case(
        lambda tmp: Run(build(tmp, lesson(tmp), "--edition", "parent")),
        (
            "Error: Invalid value for '--edition': 'parent' is not one of 'student', 'teacher', "
            "'large-print', 'all'.",
            "Try 'python -m packet build --help' for help.",
        ),
    ),
    "unknown-paper": Case(
        lambda tmp: Run(build(tmp, lesson(tmp), "--paper", "legal")),
        ("Error: Invalid value for '--paper': 'legal' is not one of 'letter', 'a4'.",),
    ),
    "output-under-a-file": Case(
        output_under_file,
        (
            "cannot write to {tmp}/notes.txt/out/lesson: a file is in the way of the output folder",
            "Choose another output folder with -o DIR",
        ),
    ),
    "output-read-only": Case(
        output_read_only,
        ("cannot write to {tmp}/out/lesson: permission denied", "Choose another output folder"),
    ),
    "disk-full": Case(
        in_process_build,
        ("the disk is full. Free some space and build again.",),
        patch=disk_full,
    ),
    "roster-missing": Case(
        roster_missing,
        ("{tmp}/period3.csv: roster file not found", "fix: check the file name and folder"),
    ),
    "roster-empty": Case(
        roster("period3.csv", ""),
        (
            "{tmp}/period3.csv: the roster file is empty",
            "fix: export the roster again: a header row, then one row per student",
        ),
    ),
    "roster-excel-workbook": Case(
        roster("period3.csv", b"PK\x03\x04" + bytes(200)),
        (
            "{tmp}/period3.csv: this is an Excel workbook, not a CSV file",
            'fix: in Excel use File > Save As > "CSV UTF-8"',
        ),
    ),
    "roster-binary": Case(
        roster("period3.csv", png(64, 64)),
        (
            "{tmp}/period3.csv: this is not a text file (it contains binary data)",
            'fix: in Excel use File > Save As > "CSV UTF-8"',
        ),
    ),
    "roster-no-name-column": Case(
        roster("period3.csv", "Email,Student ID\nana@example.org,1001\n"),
        (
            "{tmp}/period3.csv:1: no header row naming a student name column (the first row has "
            '"Email", "Student ID")',
            'fix: put a header row first, naming the columns: "First Name" and "Last Name"',
        ),
    ),
    "roster-open-quote": Case(
        roster("period3.csv", 'Name\n"Ana Lopez\n' + "Ben Ng\n" * 20_000),
        (
            "{tmp}/period3.csv: the file cannot be read as CSV: field larger than field limit",
            'fix: check for a stray double quote (") in a name',
        ),
    ),
    "roster-huge": Case(
        roster_huge,
        (
            "{tmp}/school.csv: the roster file is {mb} MB, too large for a class list (the "
            "limit is 2 MB)",
            "fix: check that this is the right file",
        ),
        fast=True,
    ),
    "roster-and-copies": Case(
        lambda tmp: Run(class_set(tmp, "--roster", "period3.csv", "--copies", "30")),
        ("Error: give either --roster ROSTER.csv or --copies N (not both)",),
    ),
}

# The catalogue's sections, in its order.
CASES: dict[str, Case] = {
    **CORE,
    **cases_guard.CASES,
    **cases_files.CASES,
    **cases_layout.CASES,
    **cases_roster.CASES,
    **cases_input.CASES,
    **cases_documents.CASES,
}

MARKS = {
    "output-read-only": pytest.mark.skipif(
        os.geteuid() == 0, reason="root may write anywhere; output-under-a-file covers it"
    ),
}


@dataclass(frozen=True)
class Seen:
    """What running a case showed: exit code, everything printed, time taken."""

    code: int
    printed: str
    seconds: float
    facts: dict[str, object]


def run(case: Case, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Seen:
    """Run the case as a user would."""
    plan = case.make(tmp)
    start = time.monotonic()
    if case.patch is None:
        done = subprocess.run(
            [sys.executable, *plan.argv],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=tmp,
            check=False,
        )
        printed, code = done.stdout + done.stderr, done.returncode
    else:
        case.patch(monkeypatch)
        result = CliRunner().invoke(main, plan.argv)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # what would have been a traceback
        printed, code = result.output, result.exit_code
    return Seen(code, printed, time.monotonic() - start, plan.facts)


@pytest.mark.parametrize(
    "name", [pytest.param(name, id=name, marks=MARKS.get(name, ())) for name in CASES]
)
def test_bad_input_gets_a_clear_answer(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    seen = run(case, tmp_path, monkeypatch)
    assert "Traceback" not in seen.printed, seen.printed
    for phrase in case.sees:
        expected = phrase.format(tmp=tmp_path, packet=tmp_path / "lesson", **seen.facts)
        assert expected in seen.printed, f"missing: {expected}\nprinted:\n{seen.printed}"
    assert seen.code == case.code, seen.printed
    if case.fast:
        assert seen.seconds < FAST, f"took {seen.seconds:.1f} s"
    out = tmp_path / "out"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    if case.code:
        assert seen.printed.startswith(("Error: ", "Usage: ")), seen.printed
        assert written == [], f"left in the output folder: {written}"
    else:
        assert written == sorted(case.writes), written
    if case.check is not None:
        case.check(tmp_path, seen.printed)


def catalogue_rows() -> list[tuple[str, int]]:
    """(id, exit code) of each row of the table in docs/bad-input.md."""
    rows = []
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        found = re.match(r"\| `([a-z0-9.-]+)` .*\| (\d) \|$", line)
        if found:
            rows.append((found.group(1), int(found.group(2))))
    return rows


def test_the_catalogue_lists_every_case_in_order() -> None:
    assert catalogue_rows() == [(name, case.code) for name, case in CASES.items()]
