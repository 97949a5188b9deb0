"""Read a class roster (a CSV file exported by a school system) into students.

Schools export rosters from Google Classroom, PowerSchool, Infinite Campus,
Excel and Google Sheets; each names its columns differently, picks its own
delimiter and encoding, and some write names as "Last, First". This module
accepts all of those and reports every problem in the file at once.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packet.errors import Problems

WHAT = "the roster"

# Header names after _column_key (case, spaces, underscores and punctuation
# dropped), most specific first: when a file has two period-like columns,
# "Period" wins over "Section". Excel in Europe and Latin America writes
# headers in the local language, hence the French, German, Spanish, Italian
# and Portuguese ones.
FIRST_NAME = (
    "firstname", "first", "givenname", "givennames", "forename", "fname",
    "studentfirstname", "studentfirst", "legalfirstname", "studentgivenname",
    "prénom", "prenom", "vorname", "nombre", "nombres", "nome",
)  # fmt: skip
PREFERRED_NAME = (
    "preferredname", "preferredfirstname", "studentpreferredname", "nickname", "goesby",
)  # fmt: skip
LAST_NAME = (
    "lastname", "last", "surname", "familyname", "lname", "studentlastname", "studentlast",
    "legallastname", "studentsurname", "studentfamilyname",
    "nom", "nachname", "familienname", "apellido", "apellidos", "cognome", "sobrenome",
)  # fmt: skip
FULL_NAME = (
    "studentname", "name", "student", "fullname", "studentfullname", "lastfirst",
    "firstlast", "displayname", "pupil", "pupilname",
)  # fmt: skip
PERIOD = (
    "period", "classperiod", "per", "hour", "block", "expression", "coursesection", "section",
    "sectionnumber", "classsection", "class", "classname",
    "periodo", "período", "classe", "klasse", "grupo",
)  # fmt: skip

ACCEPTED_HEADERS = (
    '"First Name" and "Last Name" (also "First", "Given Name", "Student First Name", '
    '"Surname", "Family Name", "Student Last Name"), or one "Student Name", "Name" or '
    '"Student" column holding "First Last" or "Last, First"; optionally "Period", '
    '"Section", "Class", "Course Section" or "Hour"'
)
SAVE_AS_CSV = 'in Excel use File > Save As > "CSV UTF-8"; in Google Sheets File > Download > CSV'
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 10  # report titles some systems put above the header
MAX_ROSTER_BYTES = 2_000_000  # a whole school's roster is a few hundred kilobytes
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Student:
    """One student on a roster, with the name as it will be printed."""

    first: str
    last: str
    display: str
    period: str | None
    row: int


@dataclass(frozen=True)
class Roster:
    """The students read from one roster file, in file order unless sorted."""

    path: Path
    students: tuple[Student, ...]
    # Which text encoding the file was read with, so the CLI can warn when a
    # file was not UTF-8 and names with accents might have been guessed wrong.
    encoding: str = "utf-8"

    @property
    def periods(self) -> tuple[str | None, ...]:
        """Return the periods in order of first appearance."""
        return tuple(dict.fromkeys(student.period for student in self.students))


@dataclass(frozen=True)
class _Columns:
    """Where the name and period fields are in each row of one file."""

    first: int | None
    last: int | None
    preferred: int | None
    full: int | None
    period: int | None


def read_roster(
    path: Path,
    *,
    period: str | None = None,
    sort: Literal["roster", "last-name"] = "roster",
) -> Roster:
    """Read the students of a roster CSV file, optionally one period, optionally sorted."""
    problems = Problems()
    decoded = _read_text(path, problems)
    problems.raise_if_any(what=WHAT)
    assert decoded is not None  # _read_text reports a problem whenever it returns None
    text, encoding = decoded

    students = _parse(path, text, problems)
    problems.raise_if_any(what=WHAT)
    if period is not None:
        students = _only_period(path, students, period, problems)
        problems.raise_if_any(what=WHAT)
    if sort == "last-name":
        students = sorted(students, key=_last_name_key)
    return Roster(path=path, students=tuple(students), encoding=encoding)


def group_by_period(roster: Roster) -> dict[str | None, tuple[Student, ...]]:
    """Group the roster's students by period, periods in order of first appearance.

    Spellings of one class ("Period 3", "period 3", "03") are one group, under the
    spelling that comes first in the file.
    """
    from packet.periods import period_key

    spelling: dict[str, str | None] = {}
    groups: dict[str | None, list[Student]] = {}
    for student in roster.students:
        key = period_key(student.period) if student.period else None
        first = spelling.setdefault(key, student.period) if key is not None else None
        groups.setdefault(first, []).append(student)
    return {key: tuple(members) for key, members in groups.items()}


def _read_text(path: Path, problems: Problems) -> tuple[str, str] | None:
    """Return the file's text and the encoding it was read with, or None after a problem."""
    try:
        size = path.stat().st_size
        if size > MAX_ROSTER_BYTES:
            problems.add(
                path,
                f"the roster file is {size / 1e6:.1f} MB, too large for a class list "
                f"(the limit is {MAX_ROSTER_BYTES / 1e6:.0f} MB)",
                "check that this is the right file: export only your own classes",
            )
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        problems.add(path, "roster file not found", "check the file name and folder")
        return None
    except IsADirectoryError:
        problems.add(path, "this is a folder, not a roster file", "give the path to a .csv file")
        return None
    except OSError as error:
        problems.add(
            path,
            f"cannot read the roster file: {error.strerror or error}",
            "check that the file exists and that you may read it",
        )
        return None

    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        problems.add(path, "this is an Excel workbook, not a CSV file", SAVE_AS_CSV)
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a BOM, tab-separated.
        return _checked(path, data.decode("utf-16", errors="replace"), "utf-16", problems)
    if b"\x00" in data:
        problems.add(path, "this is not a text file (it contains binary data)", SAVE_AS_CSV)
        return None
    try:
        return _checked(path, data.decode("utf-8-sig"), "utf-8", problems)
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV (Comma delimited)" in the ANSI code page.
        return _checked(path, data.decode("cp1252"), "cp1252", problems)
    except UnicodeDecodeError:
        problems.add(
            path,
            "the file is neither UTF-8 nor Windows-1252 text, so names cannot be read",
            SAVE_AS_CSV,
        )
        return None


def _checked(path: Path, text: str, encoding: str, problems: Problems) -> tuple[str, str] | None:
    """Return text and encoding unless the text is full of control characters."""
    controls = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\r\n"
    )
    if "\ufffd" in text or controls > max(2, len(text) // 100):
        problems.add(path, "this is not a text file (it contains binary data)", SAVE_AS_CSV)
        return None
    return text, encoding


def _parse(path: Path, text: str, problems: Problems) -> list[Student]:
    """Return the students in text, adding a problem for each row that cannot be read."""
    try:
        delimiter = _delimiter(text)
        records = list(_records(text, delimiter))
    except csv.Error as error:  # e.g. a quote left open, swallowing the rest of the file
        problems.add(
            path,
            f"the file cannot be read as CSV: {error}",
            'check for a stray double quote (") in a name; ' + SAVE_AS_CSV,
        )
        return []
    header_at = next(
        (
            index
            for index, (_, fields) in enumerate(records[:HEADER_SEARCH_ROWS])
            if _columns(fields) is not None
        ),
        None,
    )
    if not records:
        problems.add(
            path,
            "the roster file is empty",
            "export the roster again: a header row, then one row per student",
        )
        return []
    if header_at is None:
        first_line, first_fields = records[0]
        found = ", ".join(f'"{field}"' for field in first_fields if field)
        problems.add(
            path,
            f"no header row naming a student name column (the first row has {found})",
            f"put a header row first, naming the columns: {ACCEPTED_HEADERS}",
            line=first_line,
        )
        return []
    header_line, header = records[header_at]
    columns = _columns(header)
    assert columns is not None

    students: list[Student] = []
    for line, fields in records[header_at + 1 :]:
        student = _student(fields, columns, line)
        if student is None:
            problems.add(
                path,
                "this row has no student name",
                "fill in the name, or delete the row",
                line=line,
            )
        else:
            students.append(student)
    if not students and not problems:
        problems.add(
            path,
            "the roster has no students (only a header row)",
            "add one row per student under the header",
            line=header_line,
        )
    return students


def _delimiter(text: str) -> str:
    """Return the delimiter that best splits the file's header row into known columns."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]

    def score(delimiter: str) -> tuple[int, int]:
        best = (0, 0)
        for line in lines:
            fields = next(csv.reader([line], delimiter=delimiter))
            known = sum(1 for field in fields if _column_key(field) in _ALL_HEADERS)
            best = max(best, (known, len(fields)))
        return best

    return max(DELIMITERS, key=score)


def _records(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    """Yield (first line number, trimmed fields) for every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next_line = 1
    for fields in reader:
        line = next_line
        next_line = reader.line_num + 1
        cleaned = [_clean(field) for field in fields]
        if any(cleaned):
            yield line, cleaned


def _clean(field: str) -> str:
    """Return field NFC-normalised, trimmed, with runs of spaces made one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", field.replace("\ufeff", ""))).strip()


def _column_key(header: str) -> str:
    """Return the header name without case, spaces, underscores or punctuation."""
    return _NOT_WORD.sub("", _clean(header).casefold())


_ALL_HEADERS = frozenset(FIRST_NAME + PREFERRED_NAME + LAST_NAME + FULL_NAME + PERIOD)


def _columns(header: Sequence[str]) -> _Columns | None:
    """Return the name and period columns of a header row, or None if it has no name column."""
    keys = [_column_key(field) for field in header]

    def find(names: tuple[str, ...]) -> int | None:
        found = [(names.index(key), index) for index, key in enumerate(keys) if key in names]
        return min(found)[1] if found else None

    columns = _Columns(
        first=find(FIRST_NAME),
        last=find(LAST_NAME),
        preferred=find(PREFERRED_NAME),
        full=find(FULL_NAME),
        period=find(PERIOD),
    )
    if columns.first is None and columns.last is None and columns.full is None:
        return None
    return columns


def _student(fields: Sequence[str], columns: _Columns, line: int) -> Student | None:
    """Return the student in one row, or None if the row has no name."""

    def get(index: int | None) -> str:
        return fields[index] if index is not None and index < len(fields) else ""

    if columns.first is not None or columns.last is not None:
        first = get(columns.preferred) or get(columns.first)
        last = get(columns.last)
        if not first and not last:
            # A file may carry both layouts; use the full-name column as a fallback.
            first, last = _split_full_name(get(columns.full))
    else:
        first, last = _split_full_name(get(columns.full))
    if not first and not last:
        return None
    return Student(
        first=first,
        last=last,
        display=_display_name(first, last),
        period=get(columns.period) or None,
        row=line,
    )


def _split_full_name(name: str) -> tuple[str, str]:
    """Return (first, last) from "Last, First" or "First Last"."""
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    if _is_east_asian(name) or " " not in name:
        # Written family name first with no separator: keep it whole.
        return name, ""
    first, _, last = name.rpartition(" ")
    return first, last


def _display_name(first: str, last: str) -> str:
    """Return the name as printed: "First Last", or family name first for CJK names."""
    if _is_east_asian(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _is_east_asian(text: str) -> bool:
    """Return whether text is written in Han, kana or Hangul only (ignoring spaces)."""
    letters = [char for char in text if not char.isspace()]
    return bool(letters) and all(_EAST_ASIAN.match(char) for char in letters)


_EAST_ASIAN = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f\u30fb\u00b7]"
)


def _only_period(
    path: Path, students: Sequence[Student], period: str, problems: Problems
) -> list[Student]:
    """Return the students in period, adding a problem listing the periods if none are."""
    wanted = _period_key(period)
    chosen = [student for student in students if _period_key(student.period) == wanted]
    if chosen:
        return chosen
    available = [p for p in dict.fromkeys(student.period for student in students) if p]
    if not available:
        problems.add(
            path,
            f'no students in period "{period}": the roster has no period column',
            'add a "Period" column, or print the whole roster without choosing a period',
        )
    else:
        problems.add(
            path,
            f'no students in period "{period}"',
            "choose one of the roster's periods: " + ", ".join(f'"{p}"' for p in available),
        )
    return []


def _period_key(period: str | None) -> str:
    """Return what identifies a period, so that "--period 3" picks "Period 03" too."""
    from packet.periods import period_key

    return period_key(period)


def _last_name_key(student: Student) -> tuple[str, str, str, str, int]:
    """Return a locale-independent sort key: last name, then first, accents second."""
    last = student.last or student.display
    return (
        _base_letters(last),
        _base_letters(student.first),
        last.casefold(),
        student.first.casefold(),
        student.row,
    )


def _base_letters(text: str) -> str:
    """Return text casefolded with accents removed, so "Ávila" sorts among the A's."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
