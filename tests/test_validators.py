"""Two independent PDF/UA-1 validators from PyPI, on every tagged kind of PDF we write.

page-validation checks the PDF/UA-1 profile (104 rules); pdfua checks a subset of its
own. Both run on the student, teacher and large-print editions and on a class set.
Where pdfua is wrong, a test below shows why. An imposed booklet is not tagged yet and
does not claim to be PDF/UA (tests/test_accessibility.py): it is left out here.
"""

from __future__ import annotations

from pathlib import Path

import page  # page-validation, from the test extras
import pdfua
import pikepdf
import pytest
from click.testing import CliRunner

from conftest import SAMPLE, structure_elements
from packet.build import load_packet, render_edition
from packet.checks import verify
from packet.cli import main


@pytest.fixture(scope="module")
def tagged(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every tagged kind of PDF the tool writes, for the sample."""
    folder = tmp_path_factory.mktemp("tagged")
    large = folder / "large-print.pdf"
    large.write_bytes(render_edition(load_packet(SAMPLE), "large-print", "letter").pdf)
    result = CliRunner().invoke(
        main, ["class-set", str(SAMPLE), "--copies", "2", "-o", str(folder / "classes")]
    )
    assert result.exit_code == 0, result.output
    (classes,) = (folder / "classes").rglob("*.pdf")
    return {
        "student": built["student-letter"],
        "student-a4": built["student-a4"],
        "teacher": built["teacher-letter"],
        "large-print": large,
        "class-set": classes,
    }


KINDS = ["student", "student-a4", "teacher", "large-print", "class-set"]


@pytest.mark.parametrize("kind", KINDS)
def test_page_validation_finds_the_pdf_ua_1_profile_met(tagged: dict[str, Path], kind: str) -> None:
    report = page.validate_pdf(str(tagged[kind]), profile=page.ValidationProfile.PDF_UA_1)
    failures = [f"{f.rule_id}: {f.message}" for f in report.failures]
    assert report.rules.failed == 0 and report.is_compliant, failures[:10]
    assert report.rules.total >= 100  # the whole profile ran


# pdfua's mistakes, each shown by a test below.
PDFUA_WRONG = {"UA-15-003"}  # it ignores the data cells' /Headers
PDFUA_CRASHES = {"UA-14-001"}  # its heading rule cannot read a heading whose /K is an array


@pytest.mark.parametrize("kind", KINDS)
def test_pdfua_finds_no_error_and_no_warning_it_is_right_about(
    tagged: dict[str, Path], kind: str
) -> None:
    report = pdfua.validate(str(tagged[kind]))
    findings = [f for f in report.findings if f.rule_id not in PDFUA_WRONG]
    assert not findings, [f"{f.rule_id} {f.severity.name}: {f.message}" for f in findings]
    assert {o.rule_id for o in report.skipped} <= PDFUA_CRASHES


def test_pdfua_is_wrong_about_table_headers(tagged: dict[str, Path]) -> None:
    """UA-15-003 counts /Scope and /Headers on header cells only. PDF/UA-1 (Matterhorn
    15-003) accepts data cells that name their header cells by /Headers, which every
    data cell of our tables does, naming IDs that exist."""
    for kind in ("teacher", "class-set"):
        report = pdfua.validate(str(tagged[kind]))
        assert any(f.rule_id == "UA-15-003" for f in report.findings), kind
        with pikepdf.open(tagged[kind]) as pdf:
            cells = [e for e in structure_elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/TD"]
            assert cells
            named = [c for c in cells if "/Headers" in _attributes(c)]
            assert len(named) == len(cells), kind
        tables = verify.verify_file(tagged[kind], (verify.check_tables,)).findings
        assert not [f for f in tables if f.severity == "error"], kind


def test_pdfua_crashes_on_headings_it_could_read(tagged: dict[str, Path]) -> None:
    """UA-14-001 calls getattr(kids, "is_integer", False); on a pikepdf Array that raises
    ValueError instead of returning False, so no WeasyPrint heading can be checked.
    Our own heading check reads the same headings and finds them in order."""
    report = pdfua.validate(str(tagged["teacher"]))
    (crashed,) = [o for o in report.skipped if o.rule_id == "UA-14-001"]
    assert "ValueError" in (crashed.skipped_reason or "")
    with pikepdf.open(tagged["teacher"]) as pdf:
        headings = [
            e for e in structure_elements(pdf.Root.StructTreeRoot) if str(e.get("/S"))[1:3] == "H1"
        ]
        assert headings and isinstance(headings[0].K, pikepdf.Array)
    assert not verify.verify_file(tagged["teacher"], (verify.check_headings,)).findings


def _attributes(element: pikepdf.Dictionary) -> dict[str, object]:
    attributes = element.get("/A")
    if attributes is None:
        return {}
    items = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
    merged: dict[str, object] = {}
    for item in items:
        if isinstance(item, pikepdf.Dictionary):
            merged.update({str(k): v for k, v in item.items()})
    return merged
