"""Read a class roster (a CSV file exported by a school system) into students.

Schools export rosters from Google Classroom, PowerSchool, Infinite Campus,
Excel and Google Sheets; each names its columns differently, picks its own
delimiter and encoding, and some write names as "Last, First". This module
accepts all of those and reports every problem in the file at once.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from packet.content.model import MAX_COPIES
from packet.errors import Problems
from packet.printing.rosterfile import SAVE_AS_CSV, read_text, shown_as

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
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 10  # report titles some systems put above the header
MAX_STUDENTS = MAX_COPIES  # the same cap as --copies
CLASS_AVERAGE = "classaverage"  # after _column_key
# Other labels a gradebook export writes in its name columns above the students.
GRADEBOOK_LABELS = frozenset({"points", "pointspossible", "maxpoints", "duedate", "duedates"})
# Embeddings, overrides and isolates (UAX #9); the marks LRM and RLM do not reorder letters.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
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
    decoded = read_text(path, problems)
    problems.raise_if_any(what=WHAT)
    assert decoded is not None  # _read_text reports a problem whenever it returns None
    text, encoding = decoded

    where = shown_as(path)
    students = _parse(where, text, problems)
    problems.raise_if_any(what=WHAT)
    if period is not None and not any(student.period for student in students):
        # A one-class roster without a period column: the period only labels it.
        students = [replace(student, period=period) for student in students]
    elif period is not None:
        students = _only_period(where, students, period, problems)
        problems.raise_if_any(what=WHAT)
    if len(students) > MAX_STUDENTS:
        # The students this run would print, counted before any page is rendered or
        # any name is looked up in the fonts: that is where the time and memory went.
        periods = period is None and any(student.period for student in students)
        problems.add(
            where,
            f"{len(students):,} students to print, more than packet prints in one run "
            f"(the limit is {MAX_STUDENTS:,}, as for --copies)",
            ("print one period at a time with --period, or " if periods else "")
            + "check that this is the right file: export only your own classes",
            line=students[MAX_STUDENTS].row,
        )
        problems.raise_if_any(what=WHAT)
    if sort == "last-name":
        students = sorted(students, key=_last_name_key)
    return Roster(path=path, students=tuple(students), encoding=encoding)


def group_by_period(roster: Roster) -> dict[str | None, tuple[Student, ...]]:
    """Group the roster's students by period, periods in order of first appearance.

    Spellings of one class ("Period 3", "period 3", "03") are one group, under the
    spelling that comes first in the file.
    """
    from packet.printing.periods import period_key

    spelling: dict[str, str | None] = {}
    groups: dict[str | None, list[Student]] = {}
    for student in roster.students:
        key = period_key(student.period) if student.period else None
        first = spelling.setdefault(key, student.period) if key is not None else None
        groups.setdefault(first, []).append(student)
    return {key: tuple(members) for key, members in groups.items()}


def _parse(path: Path | str, text: str, problems: Problems) -> list[Student]:
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
        found = ", ".join(f'"{printable(field)}"' for field in first_fields if field)
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

    body = records[header_at + 1 :]
    students: list[Student] = []
    for line, fields in body[_gradebook_rows(body, columns) :]:
        student = _student(fields, columns, line)
        if student is None:
            problems.add(
                path,
                "this row has no student name",
                "fill in the name, or delete the row",
                line=line,
            )
        elif _column_key(student.display) == CLASS_AVERAGE:
            continue  # a gradebook's summary row, wherever it stands: never a student
        elif hidden := _hidden_character(student):
            problems.add(path, *hidden, line=line)
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


def _gradebook_rows(body: Sequence[tuple[int, list[str]]], columns: _Columns) -> int:
    """Return how many rows under the header are a gradebook export's summary rows.

    Google Classroom's grades download ("Download these grades as CSV") puts a row
    of due dates and a row of points, with no student name, then a "Class Average"
    row, between the header and the first student.
    """
    for index, (line, fields) in enumerate(body[:HEADER_SEARCH_ROWS]):
        student = _student(fields, columns, line)
        if student is None:
            continue
        key = _column_key(student.display)
        if key == CLASS_AVERAGE:
            return index + 1
        if key not in GRADEBOOK_LABELS:
            return 0
    return 0


def _hidden_character(student: Student) -> tuple[str, str] | None:
    """Return (message, fix) if the student's name or period holds an invisible control."""
    for what, text in (("name", student.display), ("period", student.period or "")):
        found = _HIDDEN.search(text)
        if found is None:
            continue
        char = found.group()
        code = f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()
        if char in BIDI_CONTROLS:
            # The cover (HTML) honours these and the stamped copies do not, so the
            # same name would print in two orders; no name needs them.
            return (
                f"the {what} '{printable(text)}' contains the invisible direction control "
                f"{code}, which changes the order its letters print in",
                f"delete it: retype the {what} in the roster (names in Arabic or Hebrew "
                "need no direction controls)",
            )
        return (
            f"the {what} '{printable(text)}' contains the invisible control character {code}",
            f"delete it: retype the {what} in the roster",
        )
    return None


# Control characters (category Cc: C0, DEL and C1) and the direction controls. Tabs and
# line breaks inside a field are already spaces (_clean).
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Return text with control and invisible characters written as <U+001B>."""
    return "".join(
        f"<U+{ord(char):04X}>" if unicodedata.category(char) in _UNPRINTABLE else char
        for char in text
    )


_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


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

    suffix = ""
    if columns.first is not None or columns.last is not None:
        first = get(columns.preferred) or get(columns.first)
        last = get(columns.last)
        if not first and not last:
            # A file may carry both layouts; use the full-name column as a fallback.
            first, last, suffix = _split_full_name(get(columns.full))
    else:
        first, last, suffix = _split_full_name(get(columns.full))
    if not first and not last:
        return None
    return Student(
        first=first,
        last=last,
        display=" ".join(part for part in (_display_name(first, last), suffix) if part),
        period=get(columns.period) or None,
        row=line,
    )


def _split_full_name(name: str) -> tuple[str, str, str]:
    """Return (first, last, suffix) from "Last, First[, Suffix]" or "First Last[, Suffix]"."""
    parts = [part.strip() for part in name.split(",")]
    suffix = ""
    if len(parts) > 1 and _SUFFIX.fullmatch(parts[-1]):
        # "King, Martin Luther, Jr." and "Martin Luther King, Jr." both end in the suffix.
        suffix = parts.pop()
    if len(parts) > 1:
        return ", ".join(parts[1:]), parts[0], suffix
    name = parts[0]
    if _is_east_asian(name) or " " not in name:
        # Written family name first with no separator: keep it whole.
        return name, "", suffix
    first, _, last = name.rpartition(" ")
    if not suffix and first.count(" ") >= 1 and _SUFFIX_WORD.fullmatch(last):
        # "Martin Luther King Jr.": the family name is the word before the suffix.
        suffix = last
        first, _, last = first.rpartition(" ")
    return first, last, suffix


# Generational suffixes, written after a comma ("King, Martin Luther, Jr.") or, without
# one, as the last of three or more words; a lone "V" could be an initial, so it needs
# the comma.
_SUFFIX = re.compile(r"(?i)(jr|jnr|sr|snr|ii|iii|iv|v|vi|vii|viii|2nd|3rd|4th)\.?")
_SUFFIX_WORD = re.compile(r"(?i)(jr|jnr|sr|snr|ii|iii|iv|vi|vii|viii|2nd|3rd|4th)\.?")


def _display_name(first: str, last: str) -> str:
    """Return the name as printed: "First Last", or family name first for CJK names."""
    if _is_east_asian(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _is_east_asian(text: str) -> bool:
    """Return whether text is written in Han, kana or Hangul only (ignoring spaces)."""
    return _EAST_ASIAN_ONLY.fullmatch(_SPACE.sub("", text)) is not None


_EAST_ASIAN = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f\u30fb\u00b7]"
)
_EAST_ASIAN_ONLY = re.compile(_EAST_ASIAN.pattern + "+")


def _only_period(
    path: Path | str, students: Sequence[Student], period: str, problems: Problems
) -> list[Student]:
    """Return the students in period, adding a problem listing the periods if none are."""
    wanted = _period_key(period)
    chosen = [student for student in students if _period_key(student.period) == wanted]
    if chosen:
        return chosen
    available = [p for p in dict.fromkeys(student.period for student in students) if p]
    problems.add(
        path,
        f'no students in period "{printable(period)}"',
        "choose one of the roster's periods: " + ", ".join(f'"{printable(p)}"' for p in available),
    )
    return []


def _period_key(period: str | None) -> str:
    """Return what identifies a period, so that "--period 3" picks "Period 03" too."""
    from packet.printing.periods import period_key

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
