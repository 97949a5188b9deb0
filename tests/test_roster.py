"""Tests for reading class rosters as school systems export them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from packet.errors import InvalidInput
from packet.roster import Roster, Student, group_by_period, read_roster

ROSTERS = Path(__file__).parent / "rosters"


def names(roster: Roster) -> list[tuple[str, str, str, str | None, int]]:
    """Return each student as (first, last, display, period, row)."""
    return [(s.first, s.last, s.display, s.period, s.row) for s in roster.students]


def problems_of(path: Path, **kwargs: object) -> list[str]:
    """Return the problems reading path reports, as the user sees them."""
    with pytest.raises(InvalidInput) as caught:
        read_roster(path, **kwargs)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def test_google_classroom_export() -> None:
    roster = read_roster(ROSTERS / "google_classroom.csv")
    assert names(roster) == [
        ("Ava", "Johnson", "Ava Johnson", None, 2),
        ("Mateo", "García", "Mateo García", None, 3),
        ("Chloé", "Dubois", "Chloé Dubois", None, 4),
        ("Liam", "O'Connor", "Liam O'Connor", None, 5),
    ]
    assert roster.path == ROSTERS / "google_classroom.csv"
    assert roster.encoding == "utf-8"


def test_powerschool_last_comma_first_and_period_over_section() -> None:
    roster = read_roster(ROSTERS / "powerschool.csv")
    assert names(roster) == [
        ("Thi Minh Anh", "Nguyen", "Thi Minh Anh Nguyen", "3", 2),
        ("Chidi", "Okafor", "Chidi Okafor", "3", 3),
        ("Mary Kate", "Smith-Jones", "Mary Kate Smith-Jones", "5", 4),
        ("Juan Pablo", "de la Cruz", "Juan Pablo de la Cruz", "5", 5),
    ]


def test_infinite_campus_course_section_is_the_period() -> None:
    roster = read_roster(ROSTERS / "infinite_campus.csv")
    assert [(s.display, s.period) for s in roster.students] == [
        ("Yasmin Haddad", "Biology 10-02"),
        ("Piotr Kowalski", "Biology 10-02"),
        ("Hana Tanaka", "Biology 10-04"),
        ("Anastasia Ivanova", "Biology 10-04"),
        ("Dawit Abebe", "Biology 10-02"),
    ]


def test_excel_csv_with_bom_and_crlf() -> None:
    roster = read_roster(ROSTERS / "excel_bom_crlf.csv")
    assert names(roster) == [
        ("José", "Hernández", "José Hernández", "1", 2),
        ("Zoë", "Müller", "Zoë Müller", "1", 3),
        ("Ana María", "Núñez", "Ana María Núñez", "2", 4),
    ]


def test_google_sheets_quoted_commas_blank_lines_and_spaces() -> None:
    roster = read_roster(ROSTERS / "google_sheets.csv")
    assert names(roster) == [
        ("Siobhán", "O'Brien", "Siobhán O'Brien", "2", 3),
        ("Ji-woo", "Kim", "Ji-woo Kim", "2", 4),
        ("Daniel", "Lee", "Daniel Lee", "4", 6),
        ("Priya", "Patel", "Priya Patel", "4", 7),
    ]


def test_names_in_any_script_pass_through_nfc() -> None:
    roster = read_roster(ROSTERS / "international.csv")
    assert [s.display for s in roster.students] == [
        "Minh Khai Nguyễn",
        "Дмитрий Иванов",
        "王小明",  # family name first, no space, as Chinese names are written
        "محمد علي",
        "Ngọc Ánh Trần",
    ]
    for student in roster.students:
        assert unicodedata.is_normalized("NFC", student.display)


def test_decomposed_accents_are_composed(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_text("Name\nNgo\u0323c A\u0301nh Tra\u0302\u0300n\n", encoding="utf-8")
    (student,) = read_roster(path).students
    assert student.display == "Ngọc Ánh Trần"
    assert student.first == "Ngọc Ánh"
    assert student.last == "Trần"


def test_european_excel_semicolons_in_windows_1252() -> None:
    roster = read_roster(ROSTERS / "european_excel_semicolon.csv")
    assert names(roster) == [
        ("Jürgen", "Müller", "Jürgen Müller", "7b", 2),
        ("Anaïs", "Größer", "Anaïs Größer", "7b", 3),
        ("Åse", "Øster", "Åse Øster", "7a", 4),
    ]
    assert roster.encoding == "cp1252"


def test_excel_unicode_text_is_utf16_tab_separated() -> None:
    roster = read_roster(ROSTERS / "excel_unicode_text.csv")
    assert names(roster) == [
        ("Elif", "Çelik", "Elif Çelik", "6", 2),
        ("Zofia", "Wiśniewska", "Zofia Wiśniewska", "6", 3),
    ]
    assert roster.encoding == "utf-16"


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        ("first_name,LAST_NAME", "Ana,Silva", ("Ana", "Silva", "Ana Silva")),
        ("Given Name,Family Name", "Ana,Silva", ("Ana", "Silva", "Ana Silva")),
        ("Student First Name,Student Last Name", "Ana,Silva", ("Ana", "Silva", "Ana Silva")),
        ("Surname,Forename", "Silva,Ana", ("Ana", "Silva", "Ana Silva")),
        ("Name", "Ana Silva", ("Ana", "Silva", "Ana Silva")),
        ("Name", '"Silva, Ana"', ("Ana", "Silva", "Ana Silva")),
        ("Student", "Ana Maria Silva", ("Ana Maria", "Silva", "Ana Maria Silva")),
        ("LastFirst", '"Silva, Ana"', ("Ana", "Silva", "Ana Silva")),
        ("Name", "Cher", ("Cher", "", "Cher")),
        (
            "First Name,Last Name,Preferred Name",
            "Alexander,Ng,Xander",
            ("Xander", "Ng", "Xander Ng"),
        ),
        (
            "First Name,Last Name,Preferred Name",
            "Alexander,Ng,",
            ("Alexander", "Ng", "Alexander Ng"),
        ),
        ("Student Name", '"김, 민준"', ("민준", "김", "김민준")),
    ],
)
def test_header_variants(tmp_path: Path, header: str, row: str, expected: tuple[str, ...]) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    (student,) = read_roster(path).students
    assert (student.first, student.last, student.display) == expected


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("Class Roster Report\nPrinted 9/3\nLast Name,First Name\nSilva,Ana\n")
    assert names(read_roster(path)) == [("Ana", "Silva", "Ana Silva", None, 4)]


def test_period_filter_matches_loosely() -> None:
    roster = read_roster(ROSTERS / "powerschool.csv", period="05")
    assert [s.display for s in roster.students] == [
        "Mary Kate Smith-Jones",
        "Juan Pablo de la Cruz",
    ]
    roster = read_roster(ROSTERS / "infinite_campus.csv", period="biology 10-04")
    assert [s.first for s in roster.students] == ["Hana", "Anastasia"]


def test_period_filter_lists_the_periods_when_none_match() -> None:
    assert problems_of(ROSTERS / "powerschool.csv", period="7") == [
        f'{ROSTERS / "powerschool.csv"}: no students in period "7"\n'
        '    fix: choose one of the roster\'s periods: "3", "5"'
    ]


def test_period_filter_without_a_period_column() -> None:
    (message,) = problems_of(ROSTERS / "google_classroom.csv", period="1")
    assert 'no students in period "1": the roster has no period column' in message


def test_group_by_period_keeps_first_appearance_order() -> None:
    groups = group_by_period(read_roster(ROSTERS / "infinite_campus.csv"))
    assert list(groups) == ["Biology 10-02", "Biology 10-04"]
    assert [s.first for s in groups["Biology 10-02"]] == ["Yasmin", "Piotr", "Dawit"]
    assert [s.first for s in groups["Biology 10-04"]] == ["Hana", "Anastasia"]
    assert list(group_by_period(read_roster(ROSTERS / "google_classroom.csv"))) == [None]


def test_sort_by_last_name_ignores_case_and_accents(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "First Name,Last Name\nZoe,zimmer\nAna,Ávila\nBen,avila\nCarl,Baker\nAmy,Ávila\n",
        encoding="utf-8",
    )
    roster = read_roster(path, sort="last-name")
    assert [s.display for s in roster.students] == [
        "Amy Ávila",
        "Ana Ávila",
        "Ben avila",
        "Carl Baker",
        "Zoe zimmer",
    ]
    assert [s.row for s in read_roster(path).students] == [2, 3, 4, 5, 6]


def test_missing_file() -> None:
    path = ROSTERS / "no-such-roster.csv"
    assert problems_of(path) == [
        f"{path}: roster file not found\n    fix: check the file name and folder"
    ]


def test_folder_instead_of_file() -> None:
    (message,) = problems_of(ROSTERS)
    assert "this is a folder, not a roster file" in message


def test_binary_garbage() -> None:
    (message,) = problems_of(ROSTERS / "binary_garbage.csv")
    assert "this is not a text file (it contains binary data)" in message
    assert 'Save As > "CSV UTF-8"' in message


def test_excel_workbook_renamed_to_csv(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
    (message,) = problems_of(path)
    assert "this is an Excel workbook, not a CSV file" in message


def test_empty_file() -> None:
    (message,) = problems_of(ROSTERS / "empty.csv")
    assert "the roster file is empty" in message


def test_header_only_is_an_empty_roster() -> None:
    path = ROSTERS / "header_only.csv"
    assert problems_of(path) == [
        f"{path}:1: the roster has no students (only a header row)\n"
        "    fix: add one row per student under the header"
    ]


def test_no_name_column_says_which_columns_are_accepted() -> None:
    path = ROSTERS / "no_name_column.csv"
    (message,) = problems_of(path)
    assert message.startswith(
        f'{path}:1: no header row naming a student name column (the first row has "Student '
        'Number", "Grade", "Email Address")'
    )
    assert '"First Name" and "Last Name"' in message
    assert '"Last, First"' in message


def test_every_row_without_a_name_is_reported_with_its_line() -> None:
    path = ROSTERS / "empty_name_rows.csv"
    with pytest.raises(InvalidInput) as caught:
        read_roster(path)
    assert [problem.line for problem in caught.value.problems] == [3, 5]
    assert str(caught.value) == (
        "2 problems in the roster:\n"
        f"  {path}:3: this row has no student name\n"
        "      fix: fill in the name, or delete the row\n"
        f"  {path}:5: this row has no student name\n"
        "      fix: fill in the name, or delete the row"
    )


def test_student_is_frozen() -> None:
    student = Student("Ana", "Silva", "Ana Silva", None, 2)
    with pytest.raises(AttributeError):
        student.first = "Bea"  # type: ignore[misc]
