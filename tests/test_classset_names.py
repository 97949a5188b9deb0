"""The class set's check that every stamped name and period can be printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from packet.classset import Copy, _check_names
from packet.errors import InvalidInput
from packet.roster import STDIN


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
