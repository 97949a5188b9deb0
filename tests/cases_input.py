"""Bad-input cases: every input gets a clear answer (a section of docs/bad-input.md)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pikepdf

from badinput import Case, Run, build, class_set, edit, essay_with, lesson
from packet.resources import fonts_dir

# Runs packet with extra environment variables, set before anything reads them.
ENV_WRAPPER = """
import json, os, sys
os.environ.update(json.loads(sys.argv[1]))
from packet.cli import main
main(sys.argv[2:], prog_name="packet")
"""


def with_env(env: dict[str, str], argv: list[str]) -> list[str]:
    """Python arguments that run argv (which starts '-m packet') with env set."""
    assert argv[:2] == ["-m", "packet"]
    return ["-c", ENV_WRAPPER, json.dumps(env), *argv[2:]]


def source_date_epoch(value: str, *, classes: bool = False) -> Callable[[Path], Run]:
    def make(tmp: Path) -> Run:
        argv = class_set(tmp, "--copies", "2") if classes else build(tmp, lesson(tmp))
        return Run(with_env({"SOURCE_DATE_EPOCH": value}, argv))

    return make


def font_config_planted(tmp: Path) -> Run:
    """Another local user got to the font configuration's old and new folders first."""
    shared = tmp / "shared-tmp"
    shared.mkdir()
    tag = hashlib.sha256(str(fonts_dir()).encode()).hexdigest()[:12]
    # The old predictable names in the shared temporary folder: a folder where the
    # file was expected, a file where the font cache folder was.
    (shared / f"packet-{os.getuid()}-{tag}.fonts.conf").mkdir()
    (shared / f"packet-{os.getuid()}-{tag}.fontcache").write_text("not a cache\n")
    # A cache folder anyone may write to, holding a configuration that adds system fonts.
    cache = tmp / "cache" / "packet"
    cache.mkdir(parents=True)
    (cache / f"fonts-{tag}.conf").write_text(
        "<fontconfig><dir>/usr/share/fonts</dir></fontconfig>\n", encoding="utf-8"
    )
    cache.chmod(0o777)
    env = {"TMPDIR": str(shared), "XDG_CACHE_HOME": str(tmp / "cache")}
    return Run(with_env(env, build(tmp, lesson(tmp), "--edition", "student")))


def only_bundled_fonts(tmp: Path, printed: str) -> None:
    with pikepdf.open(tmp / "out" / "lesson" / "lesson-student.pdf") as pdf:
        fonts = {
            str(font.get("/BaseFont", ""))
            for page in pdf.pages
            for font in page.Resources.get("/Font", {}).values()
        }
    # The bundled faces, under the family names fonts.css gives them; no system font.
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+Packet-(Sans|Serif)[-\w]*", f) for f in fonts)


def source_md(old: str, new: str, *, below: int = 0) -> Callable[[Path], Run]:
    """Edit source.md's front matter and run packet check; {line} is old's line + below."""

    def make(tmp: Path) -> Run:
        line = edit(lesson(tmp) / "source.md", old, new) + below
        return Run(["-m", "packet", "check", str(lesson(tmp))], {"line": line})

    return make


def plain_field_html(tmp: Path) -> Run:
    line = edit(lesson(tmp) / "packet.yaml", "title: A Secret", "title: A <i>Secret</i>")
    return Run(["-m", "packet", "check", str(lesson(tmp))], {"line": line})


def yaml_binary_tag(tmp: Path) -> Run:
    line = edit(lesson(tmp) / "packet.yaml", "license: ", "license: !!binary Q0MgQlk= ")
    return Run(["-m", "packet", "check", str(lesson(tmp))], {"line": line})


SDE_FIX = "Unset it (unset SOURCE_DATE_EPOCH) to use the packet's date, or give seconds since 1970"
NO_MAP = "image 'map.png' does not exist in the packet folder"

CASES: dict[str, Case] = {
    "source-date-epoch-word": Case(
        source_date_epoch("yesterday"),
        (
            "Error: the environment variable SOURCE_DATE_EPOCH is 'yesterday', which is not a "
            "time: it must be a whole number of seconds since 1970-01-01 UTC",
            SDE_FIX,
        ),
    ),
    "source-date-epoch-class-set": Case(
        source_date_epoch("-1", classes=True),
        ("Error: the environment variable SOURCE_DATE_EPOCH is '-1', which is not a", SDE_FIX),
    ),
    "font-config-planted": Case(
        font_config_planted,
        ("wrote {tmp}/out/lesson/lesson-student.pdf",),
        code=0,
        writes=("lesson/lesson-student.pdf",),
        check=only_bundled_fonts,
    ),
    "link-to-packet-file": Case(
        essay_with("The [teacher's notes](teacher.yaml) say more."),
        (
            "{packet}/essay.md:{line}: link to 'teacher.yaml' is not a web address: in a PDF "
            "it would point at a file on this computer",
            "fix: write the words without the link, or link to a web address (https://…)",
        ),
    ),
    "translation-image": Case(
        source_md("translation: >-\n  ", "translation: >-\n  ![A map of Cuba](map.png) ", below=1),
        ("{packet}/source.md:{line}: " + NO_MAP,),
    ),
    "translation-raw-html": Case(
        source_md("translation: >-\n  ", "translation: >-\n  <b>Note:</b> ", below=1),
        ("{packet}/source.md:{line}: raw HTML is not allowed in a packet: '<b>'",),
    ),
    "plain-field-raw-html": Case(
        plain_field_html,
        (
            "{packet}/packet.yaml:{line}: title: raw HTML is not allowed in a packet: '<i>'",
            "fix: this field is plain text: delete the tag and keep the words",
        ),
    ),
    "block-text-line": Case(
        source_md("headnote: |\n  ", "headnote: |\n  ![A map of Cuba](map.png) ", below=1),
        ("{packet}/source.md:{line}: " + NO_MAP,),
    ),
    "yaml-binary-tag": Case(
        yaml_binary_tag,
        (
            "{packet}/packet.yaml:{line}: license: '!!binary' is a YAML tag that packet "
            "cannot read",
            "fix: delete the tag (the word starting with '!') and keep the value",
        ),
    ),
}
