"""What the built PDFs already satisfy of PDF/UA-1, checked with packet verify's own rules.

Each test names the checks that pass today on every kind of PDF; issue 10 adds the
rest (joined words, stale structure entries, booklets) as they are fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE
from packet.checks import verify
from packet.cli import main

PASSING = (
    verify.check_language,
    verify.check_title,
    verify.check_figures,
    verify.check_headings,
    verify.check_role_map,
    verify.check_lists,
    verify.check_fonts,
    verify.check_tables,  # the class set's cover: its cells' /Headers name IDs that exist
)


@pytest.fixture(scope="module")
def class_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("classes")
    result = CliRunner().invoke(main, ["class-set", str(SAMPLE), "--copies", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (path,) = out.rglob("*.pdf")
    return path


@pytest.mark.parametrize("kind", ["student-letter", "teacher-letter", "student-a4", "teacher-a4"])
def test_editions_pass_the_checks_that_pass_today(built: dict[str, Path], kind: str) -> None:
    report = verify.verify_file(built[kind], PASSING)
    assert report.errors == 0, "\n".join(report.lines())


def test_a_class_set_passes_the_checks_that_pass_today(class_set: Path) -> None:
    report = verify.verify_file(class_set, PASSING)
    assert report.errors == 0, "\n".join(report.lines())


def test_no_font_maps_a_code_to_nothing(built: dict[str, Path], class_set: Path) -> None:
    """The names and marks drawn with reportlab mapped code 0 to U+0000 (PDF/UA-1 7.21.7)."""
    for path in (built["student-letter"], class_set):
        findings = verify.verify_file(path, (verify.check_fonts,)).findings
        assert not [f for f in findings if "U+0000" in f.message], path


def test_an_untagged_booklet_does_not_claim_to_be_pdf_ua(tmp_path: Path) -> None:
    """Imposed booklet sheets are not tagged (yet): the file must not say it is PDF/UA-1."""
    import pikepdf

    result = CliRunner().invoke(
        main, ["class-set", str(SAMPLE), "--copies", "1", "--booklet", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.rglob("*.pdf")
    with pikepdf.open(path) as pdf:
        assert not pdf.Root.get("/MarkInfo", {}).get("/Marked", False)
        with pdf.open_metadata() as xmp:
            assert "pdfuaid:part" not in xmp
            assert xmp.get("dc:title")  # the rest of the metadata is kept
    findings = verify.verify_file(path, (verify.check_tagged,)).findings
    assert not [f for f in findings if "claims PDF/UA" in f.message]


def test_no_structure_entry_points_at_an_element_no_one_can_reach(
    built: dict[str, Path], class_set: Path
) -> None:
    """Running heads become artifacts; their ParentTree entries must go with them."""
    for path in (built["student-letter"], built["teacher-letter"], class_set):
        findings = verify.verify_file(path, (verify.check_parent_tree,)).findings
        assert not findings, "\n".join(str(f) for f in findings[:5])
