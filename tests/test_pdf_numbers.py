"""Numbers written into PDF content streams use the syntax viewers read."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import SAMPLE
from packet.cli import main
from packet.printing.impose import pdf_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-5.684341886080802e-14, "0"),
        (0.5, "0.5"),
        (595.2756, "595.2756"),
        (1e-5, "0"),
        (-3.0, "-3"),
    ],
)
def test_numbers_are_fixed_point(value: float, text: str) -> None:
    assert pdf_number(value) == text


def test_a4_booklet_sheets_have_no_exponents(tmp_path: Path) -> None:
    """A4 halves are placed with an offset that comes out as -5.68e-14; written as such,
    poppler refused the 'cm' operator and printed the sheet blank."""
    result = CliRunner().invoke(
        main,
        [
            "class-set",
            str(SAMPLE),
            "--copies",
            "1",
            "--booklet",
            "--paper",
            "a4",
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.rglob("*.pdf")
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                assert re.fullmatch(rb"[A-Za-z'\"*]+[0-9]?", bytes(operator)), operator
                if str(operator) == "cm":
                    assert len(operands) == 6
