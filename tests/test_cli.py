"""The command line: help, version, examples, and start-up cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from packet import __version__
from packet.cli import main


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["class-set"]])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "packet " in result.output.split("Example:")[1]


def test_help_does_not_import_weasyprint() -> None:
    code = (
        "import sys\nfrom packet.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('weasyprint', 'pikepdf', 'reportlab', 'pypdf') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_build_writes_both_editions(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", "sources/dobrynin-kennedy-1962", "-o", str(tmp_path), "--paper", "a4"]
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "dobrynin-kennedy-1962"
    names = sorted(p.name for p in folder.iterdir())
    # Letter is the sample's own paper, so A4 is a variant and says so in its names.
    assert names == [
        "dobrynin-kennedy-1962-student-a4.pdf",
        "dobrynin-kennedy-1962-teacher-a4.pdf",
    ]


def test_unknown_edition_and_paper_are_clear_errors(tmp_path: Path) -> None:
    for option, value in (("--edition", "parent"), ("--paper", "legal")):
        result = CliRunner().invoke(
            main, ["build", "sources/dobrynin-kennedy-1962", option, value, "-o", str(tmp_path)]
        )
        assert result.exit_code == 1
        assert f"Invalid value for '{option}'" in result.output
        assert not any(tmp_path.iterdir())
