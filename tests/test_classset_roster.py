"""How a class set takes its copies from a roster: one read, printable names, one order."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, words
from packet.cli import main
from packet.errors import InvalidInput
from packet.printing.classset import Copy, _check_names
from packet.printing.rosterfile import STDIN


def test_names_the_bundled_fonts_cannot_print_are_refused_with_their_rows() -> None:
    groups = {
        "3": [Copy(1, "Ana Lopez", "3", row=2), Copy(2, "अनन्या Sharma", "3", row=3)],
        "ৎ": [Copy(1, "Ben Ng", "ৎ", row=4), Copy(2, "Ravi ক", "ৎ", row=5)],
    }
    with pytest.raises(InvalidInput) as caught:
        _check_names(groups, Path("period3.csv"))
    assert [(str(p.file), p.line, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("period3.csv", 3, "the name 'अनन्या Sharma' has characters the bundled fonts cannot print"),
        ("period3.csv", 4, "the period 'ৎ' has characters the bundled fonts cannot print"),
        ("period3.csv", 5, "the name 'Ravi ক' has characters the bundled fonts cannot print"),
    ]  # fmt: skip


def test_standard_input_is_named_as_such() -> None:
    with pytest.raises(InvalidInput) as caught:
        _check_names({"": [Copy(1, "अ", row=2)]}, STDIN)
    assert str(caught.value.problems[0]).startswith("standard input (--roster -):2: the name")


def test_printable_names_pass() -> None:
    _check_names({"3": [Copy(1, "Zoë Ávila", "3", row=2), Copy(2, "王小明", "3", row=3)]}, None)


def test_a_name_in_two_scripts_prints_in_the_same_order_on_cover_and_copy(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text('Student Name\n"Haddad, سارة"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["class-set", str(SAMPLE), "--roster", str(roster), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    (path,) = out.rglob("*.pdf")
    arabic = re.compile("[\u0600-\u06ff]")
    orders = {}
    for page in (0, 2):  # the cover sheet, then the first page of the copy
        found = [w for w in words(path) if w["page"] == page]
        latin = min(w["x0"] for w in found if w["text"] == "Haddad")
        script = min(w["x0"] for w in found if arabic.search(w["text"]))
        orders[page] = latin < script
    # First letter Arabic, so the name runs right to left: "Haddad" stands on the left.
    assert orders == {0: True, 2: True}


GROUPS_FROM_STDIN = (
    "from packet.printing.classset import _groups; from packet.printing.rosterfile import STDIN\n"
    "groups = _groups(STDIN, None, '3', 'roster')\n"
    "print({key: [(c.name, c.period, c.row) for c in copies] for key, copies in groups.items()})"
)


def test_a_piped_roster_is_read_once_even_for_one_period() -> None:
    done = subprocess.run(
        [sys.executable, "-c", GROUPS_FROM_STDIN],
        input="Name,Period\nAna Lopez,3\nBen Ng,5\nCy Ode,3\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "{'3': [('Ana Lopez', '3', 2), ('Cy Ode', '3', 4)]}", done.stderr
