"""Tests for reading class rosters as school systems export them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest

from packet.errors import InvalidInput
from packet.printing import rosterfile
from packet.printing.roster import (
    MAX_STUDENTS,
    Roster,
    Student,
    group_by_period,
    printable,
    read_roster,
)

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


def test_period_labels_a_roster_without_a_period_column() -> None:
    roster = read_roster(ROSTERS / "google_classroom.csv", period="1")
    assert [(s.first, s.period) for s in roster.students] == [
        ("Ava", "1"),
        ("Mateo", "1"),
        ("Chloé", "1"),
        ("Liam", "1"),
    ]


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


# Reading from pipes, devices and special files ------------------------------------------


READ_STDIN = (
    "import sys; from packet.printing.roster import read_roster\n"
    "from packet.printing.rosterfile import STDIN; from packet.errors import PacketError\n"
    "try:\n"
    "    print([s.display for s in read_roster(STDIN).students])\n"
    "except PacketError as error:\n"
    "    print(error.message); sys.exit(1)\n"
)


def test_roster_from_a_pipe() -> None:
    done = subprocess.run(
        [sys.executable, "-c", READ_STDIN],
        input="Name\nAna Lopez\nBen Ng\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "['Ana Lopez', 'Ben Ng']", done.stderr


def test_endless_pipe_stops_at_the_size_limit() -> None:
    endless = "import sys\nwhile True: sys.stdout.write('Ana,Lopez\\n' * 1000)"
    with subprocess.Popen(
        [sys.executable, "-c", endless], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as writer:
        done = subprocess.run(
            [sys.executable, "-c", READ_STDIN],
            stdin=writer.stdout,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        writer.kill()
    assert done.returncode == 1
    assert (
        "standard input (--roster -): the roster is more than 2 MB, too large for a class list"
        in done.stdout
    )


def test_fifo_is_read_when_a_program_writes_to_it(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    os.mkfifo(path)

    def write() -> None:
        with path.open("w", encoding="utf-8") as fifo:
            fifo.write("First Name,Last Name\nAna,Lopez\n")

    writer = threading.Thread(target=write)
    writer.start()
    roster = read_roster(path)
    writer.join()
    assert [s.display for s in roster.students] == ["Ana Lopez"]


def test_fifo_nobody_writes_to_gives_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rosterfile, "PIPE_WAIT_SECONDS", 0.2)
    path = tmp_path / "roster.csv"
    os.mkfifo(path)
    assert problems_of(path) == [
        f"{path}: this pipe sent nothing for 0.2 seconds, so packet stopped waiting "
        "for the roster\n"
        "    fix: start the program that writes the roster first, or save the roster as a "
        "file and give its name"
    ]


def test_fifo_that_stops_sending_gives_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rosterfile, "PIPE_WAIT_SECONDS", 0.2)
    path = tmp_path / "roster.csv"
    os.mkfifo(path)
    done = threading.Event()

    def write() -> None:
        with path.open("w", encoding="utf-8") as fifo:
            fifo.write("First Name,Last Name\nAna,Lo")
            fifo.flush()
            done.wait(timeout=30)  # holds the pipe open, sending nothing more

    writer = threading.Thread(target=write)
    writer.start()
    try:
        (message,) = problems_of(path)
    finally:
        done.set()
        writer.join()
    assert message.startswith(f"{path}: this pipe sent 27 bytes, then nothing for 0.2 seconds")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused(device: str) -> None:
    assert problems_of(Path(device)) == [
        f"{device}: this is a device, not a roster file\n"
        "    fix: give the path to the .csv file exported from your school system"
    ]


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        (message,) = problems_of(path)
    assert message.startswith(f"{path}: this is a socket, not a roster file")


# How many students ---------------------------------------------------------------------


def test_the_cap_is_the_same_as_for_copies(tmp_path: Path) -> None:
    path = tmp_path / "school.csv"
    rows = [f"Student {n},Family {n}" for n in range(MAX_STUDENTS)]
    path.write_text("First Name,Last Name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert len(read_roster(path).students) == MAX_STUDENTS == 2000
    path.write_text(path.read_text(encoding="utf-8") + "One,More\n", encoding="utf-8")
    assert problems_of(path) == [
        f"{path}:2002: 2,001 students to print, more than packet prints in one run (the "
        "limit is 2,000, as for --copies)\n"
        "    fix: check that this is the right file: export only your own classes"
    ]


def test_the_cap_counts_the_period_printed(tmp_path: Path) -> None:
    path = tmp_path / "school.csv"
    rows = [f"Student {n},Family {n},{n % 3 + 1}" for n in range(3000)]
    path.write_text("First Name,Last Name,Period\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert len(read_roster(path, period="2").students) == 1000
    (message,) = problems_of(path)
    assert message.startswith(f"{path}:2002: 3,000 students to print, more than packet")
    assert "fix: print one period at a time with --period, or check" in message


# Encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("Nombre\tApellido\nJosé\tNúñez\n王\t小明\n".encode(encoding))
    roster = read_roster(path)
    assert [s.display for s in roster.students] == ["José Núñez", "小明王"]
    assert roster.encoding == encoding


def test_damaged_utf16_without_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    lone_surrogate = b"\x00\xdc"
    path.write_bytes(
        "Name\nAna".encode("utf-16-le") + lone_surrogate + "Lopez\n".encode("utf-16-le")
    )
    (message,) = problems_of(path)
    assert "this looks like UTF-16-LE text without a byte-order mark" in message


# Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('"King, Martin Luther, Jr."', ("Martin Luther", "King", "Martin Luther King Jr.")),
        ('"Martin Luther King, Jr."', ("Martin Luther", "King", "Martin Luther King Jr.")),
        ("Martin Luther King Jr.", ("Martin Luther", "King", "Martin Luther King Jr.")),
        ('"Gates, William Henry, III"', ("William Henry", "Gates", "William Henry Gates III")),
        ('"Davis, Sammy, Jr"', ("Sammy", "Davis", "Sammy Davis Jr")),
        ('"Ford, Henry, II"', ("Henry", "Ford", "Henry Ford II")),
        ('"King Jr., Martin Luther"', ("Martin Luther", "King Jr.", "Martin Luther King Jr.")),
        ('"García Márquez, Gabriel"', ("Gabriel", "García Márquez", "Gabriel García Márquez")),
        ('"de la Cruz, Juan Pablo"', ("Juan Pablo", "de la Cruz", "Juan Pablo de la Cruz")),
        ("Maria V", ("Maria", "V", "Maria V")),  # an initial, not a fifth
        ("Jr.", ("Jr.", "", "Jr.")),
    ],
)
def test_suffixes_print_after_the_last_name(
    tmp_path: Path, written: str, expected: tuple[str, str, str]
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(f"Name\n{written}\n", encoding="utf-8")
    (student,) = read_roster(path).students
    assert (student.first, student.last, student.display) == expected


def test_suffix_does_not_change_the_sort(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text('Name\n"King, Martin Luther, Jr."\n"Jones, Ana"\n"Lee, Bo"\n')
    roster = read_roster(path, sort="last-name")
    assert [s.last for s in roster.students] == ["Jones", "King", "Lee"]


@pytest.mark.parametrize(
    ("name", "shown", "code"),
    [
        ("Ben\x1b[31m", "Ben<U+001B>[31m Ng", "U+001B"),
        ("Ben\x07", "Ben<U+0007> Ng", "U+0007"),
        ("Ben\x7f", "Ben<U+007F> Ng", "U+007F"),
        ("Ben\x9b", "Ben<U+009B> Ng", "U+009B"),  # CSI, which terminals also act on
    ],
)
def test_control_characters_are_shown_escaped_with_the_row(
    tmp_path: Path, name: str, shown: str, code: str
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(f"First Name,Last Name\nAna,Lopez\n{name},Ng\n", encoding="utf-8")
    (message,) = problems_of(path)
    assert message.startswith(
        f"{path}:3: the name '{shown}' contains the invisible control character {code}"
    )
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in message)


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
                                     "\u2067", "\u2068", "\u2069"])  # fmt: skip
def test_direction_controls_are_refused(tmp_path: Path, control: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(f"First Name,Last Name,Period\nسارة,{control}Haddad,3\n", encoding="utf-8")
    (message,) = problems_of(path)
    assert f"{path}:2: the name 'سارة <U+{ord(control):04X}>Haddad'" in message
    assert f"invisible direction control U+{ord(control):04X} {unicodedata.name(control)}" in (
        message
    )


def test_arabic_and_hebrew_names_need_no_controls(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("First Name,Last Name\nسارة,حداد\nנועה,כהן\n", encoding="utf-8")
    assert [s.display for s in read_roster(path).students] == ["سارة حداد", "נועה כהן"]


def test_a_control_character_in_the_period_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("Name,Period\nAna Lopez,3\nBen Ng,\x1b3\n", encoding="utf-8")
    (message,) = problems_of(path)
    assert message.startswith(
        f"{path}:3: the period '<U+001B>3' contains the invisible control character U+001B"
    )


def test_the_header_message_shows_control_characters_escaped(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("E\x1bmail,ID\na@example.org,1\n", encoding="utf-8")
    (message,) = problems_of(path)
    assert '(the first row has "E<U+001B>mail", "ID")' in message


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    assert printable("Ana\x1b[2J\u202eLopez\u2028") == "Ana<U+001B>[2J<U+202E>Lopez<U+2028>"
    assert printable("Zoë 王小明 محمد") == "Zoë 王小明 محمد"


# Gradebook exports ----------------------------------------------------------------------


def test_google_classroom_grades_export() -> None:
    roster = read_roster(ROSTERS / "google_classroom_grades.csv")
    assert names(roster) == [
        ("Ava", "Johnson", "Ava Johnson", None, 5),
        ("Mateo", "García", "Mateo García", None, 6),
        ("Chloé", "Dubois", "Chloé Dubois", None, 7),
    ]


def grades_export(*rows: str) -> str:
    header = "Last Name,First Name,Email Address,Essay,Quiz"
    students = ["Johnson,Ava,ava@example.org,9,18", "Dubois,Chloé,chloe@example.org,8,15"]
    return "\n".join([header, *rows, *students]) + "\n"


@pytest.mark.parametrize(
    "rows",
    [
        [",,,Nov 3,Nov 10", ",,,10,20", "Class Average,,,8.5,16.5"],  # as exported
        ["Class Average,,,8.5,16.5"],  # the first rows deleted by hand
        [",,,Nov 3,Nov 10", "Points,,,10,20", "Class Average,,,8.5,16.5"],  # a labelled row
        [",,,10,20", ",Class Average,,8.5,16.5"],  # the label in the first-name column
    ],
)
def test_gradebook_summary_rows_are_not_students(tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / "grades.csv"
    path.write_text(grades_export(*rows), encoding="utf-8")
    assert [s.display for s in read_roster(path).students] == ["Ava Johnson", "Chloé Dubois"]


def test_a_title_row_above_a_grades_export(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text("8-4 U.S. History\n" + grades_export(",,,10,20", "Class Average,,,8,16"))
    assert [s.row for s in read_roster(path).students] == [5, 6]


def test_rows_without_names_are_still_reported_without_a_class_average(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text(grades_export(",,,Nov 3,Nov 10", ",,,10,20"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_roster(path)
    assert [problem.line for problem in caught.value.problems] == [2, 3]
