"""`packet check` on packets with planted mistakes: every one reported, with file and line."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from packet.cli import main
from packet.content.load import FILES


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_sample_packet_is_valid() -> None:
    code, output = run("check", "sources/dobrynin-kennedy-1962")
    assert code == 0, output
    assert "OK" in output


def test_every_planted_mistake_is_reported_at_once(packet_copy: Path) -> None:
    meta = packet_copy / "packet.yaml"
    edit(meta, "language: en-US", "language: english please")
    edit(meta, "paper: letter", "paper: legal")
    edit(meta, "license:", "licence:")
    vocabulary = packet_copy / "vocabulary.yaml"
    edit(vocabulary, "- term: reconnaissance", "- term: reconnaisance")
    questions = packet_copy / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    first = text.index("- kind:")
    second = text.index("- kind:", first + 1)
    questions.write_text(text + "\n" + text[first:second], encoding="utf-8")  # a duplicate
    edit(questions, "lines: ", "lines: many ")
    source = packet_copy / "source.md"
    edit(source, "[[/#plane]]", "")
    edit(source, "[[rfk]]“Because", "[[rfc]]“Because")
    edit(packet_copy / "essay.md", "\n\n", "\n\n<script>alert(1)</script>\n\n")
    teacher = packet_copy / "teacher.yaml"
    teacher.write_text(teacher.read_text(encoding="utf-8") + "overview: again\n", encoding="utf-8")

    code, output = run("check", str(packet_copy))
    assert code == 1
    expected = [
        (meta, "language: english please", "not a valid language tag"),
        (meta, "paper: legal", "'paper' is 'legal'"),
        (meta, "licence:", "unknown field 'licence'"),
        (meta, None, "required field 'license' is missing"),
        (vocabulary, "- term: reconnaisance", "'reconnaisance' does not occur in the source text"),
        (questions, None, "repeats question 1"),
        (questions, "lines: many", "'lines' should be a whole number"),
        (source, "[[#plane]]", "[[#plane]] is never closed"),
        (source, "[[rfc]]", "unknown speaker 'rfc'"),
        (packet_copy / "essay.md", "<script>", "raw HTML is not allowed"),
        (teacher, "overview: again", "'overview' is given twice"),
    ]
    for path, needle, message in expected:
        pattern = re.escape(str(path))
        if needle is not None:
            pattern += f":{line_of(path, needle)}"
        found = [
            line for line in output.splitlines() if re.search(pattern, line) and message in line
        ]
        assert found, f"not reported: {path.name} {message}\n{output}"
    assert "fix:" in output
    assert "did you mean 'license'" in output


def test_build_refuses_an_invalid_packet(packet_copy: Path, tmp_path: Path) -> None:
    edit(packet_copy / "packet.yaml", "paper: letter", "paper: legal")
    code, output = run("build", str(packet_copy), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "'paper' is 'legal'" in output
    assert not (tmp_path / "out").exists()


def test_missing_files_and_folder(tmp_path: Path) -> None:
    code, output = run("check", str(tmp_path / "nowhere"))
    assert code == 1 and "packet folder not found" in output
    (tmp_path / "empty").mkdir()
    code, output = run("check", str(tmp_path / "empty"))
    assert code == 1
    for name in FILES:
        assert f"{name}: file is missing" in output


def test_malformed_yaml_reports_its_line(packet_copy: Path) -> None:
    meta = packet_copy / "packet.yaml"
    edit(meta, "course: U.S. History", "course: [U.S. History")
    code, output = run("check", str(packet_copy))
    assert code == 1
    assert re.search(rf"{re.escape(str(meta))}:\d+: not valid YAML", output), output


def test_unknown_anchor_is_an_error(packet_copy: Path) -> None:
    questions = packet_copy / "questions.yaml"
    edit(questions, "[[lines #", "[[lines #nowhere]] [[lines #")
    code, output = run("check", str(packet_copy))
    assert code == 1
    assert "[[lines #nowhere]] cites an anchor that does not exist" in output


def test_characters_no_bundled_font_has_are_found_by_check(packet_copy: Path) -> None:
    essay = packet_copy / "essay.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA rocket 🚀 and Привет.\n", "utf-8")
    code, output = run("check", str(packet_copy))
    assert code == 1
    line = line_of(essay, "🚀")
    assert f"{essay}:{line}: no bundled font can print '🚀' (U+1F680 ROCKET)" in output
    assert "Привет" not in output  # Cyrillic is covered
