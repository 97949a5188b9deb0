"""Which spellings name one class period, and what its class set's file is called."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packet.printing.classset import period_label
from packet.printing.periods import MAX_FILE_PART, period_file_part, period_key
from packet.printing.roster import group_by_period, read_roster


@pytest.mark.parametrize(
    "spellings",
    [
        ("Period 3", "period 3", "PERIOD 03", "3", "03", "Per. 3", "Hour 3", "３", "٣"),
        ("3A", "3a", "3-A", "3 a", "Period 3A"),
        ("Période 1", "Periode 1", "periode 1", "1"),
        ("Biology 10-02", "biology 10-2", "Biology 10–02"),
        ("一班",),
    ],
)
def test_spellings_of_one_class_are_one_period(spellings: tuple[str, ...]) -> None:
    assert len({period_key(s) for s in spellings}) == 1, [period_key(s) for s in spellings]


@pytest.mark.parametrize(
    "different",
    [
        ("一班", "二班", "三班"),
        ("3", "31", "3.1", "13"),
        ("Math 1", "Math 1+"),
        ("3A", "3B", "A3"),
        ("—", "?"),
        ("कि", "क"),  # Devanagari vowel signs are letters, not accents
    ],
)
def test_different_classes_stay_apart(different: tuple[str, ...]) -> None:
    assert len({period_key(s) for s in different}) == len(different)


def test_file_names_keep_the_letters_of_every_script() -> None:
    assert period_file_part("一班") == "一班"
    assert period_file_part("Période 1") == "période-1"
    assert period_file_part("Period 3") == "period-3"
    assert period_file_part("3(A)") == "3-a"
    assert period_file_part('a/b\\c:d*e?f"g<h>i|j') == "a-b-c-d-e-f-g-h-i-j"
    assert period_file_part("..") == "period"


@given(st.text(max_size=300))
def test_a_file_name_part_is_safe_and_short(period: str) -> None:
    part = period_file_part(period)
    assert part and len(part.encode("utf-8")) <= MAX_FILE_PART
    assert not set(part) & set('/\\:*?"<>|\0.') and not part.startswith("-")


def test_labels_name_the_period_once() -> None:
    assert period_label("3") == "Period 3"
    assert period_label("Block A") == "Block A"
    assert period_label("Période 1") == "Période 1"
    assert period_label("per. 4") == "per. 4"
    assert period_label("一班") == "一班"
    assert period_label("3반") == "3반"


def test_group_by_period_merges_spellings_under_the_first(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("Name,Period\nAna,03\nBen,Period 3\nCy,5\nDee,3\nEve,\n", encoding="utf-8")
    groups = group_by_period(read_roster(path))
    assert {k: [s.display for s in v] for k, v in groups.items()} == {
        "03": ["Ana", "Ben", "Dee"],
        "5": ["Cy"],
        None: ["Eve"],
    }
    chosen = read_roster(path, period="period 3")
    assert [s.display for s in chosen.students] == ["Ana", "Ben", "Dee"]
