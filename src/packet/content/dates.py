"""Dates as a historian writes them: a day, a month, a year, a decade, a range, c. any of them.

``parse_date`` reads what PyYAML gives for a ``date:`` field and returns the span of
days it can mean, with the form a historian would print (US style, en dash in ranges).
What it cannot read raises ``DateError`` with what is wrong and how to fix it; the
field reader turns that into a Problem at the field's line.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass, replace

from packet.content.yamlnodes import type_name

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS = {
    **{name.lower(): number for number, name in enumerate(MONTHS, start=1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTHS, start=1)},
    "sept": 9,
}
FIRST_YEAR = 1
LAST_YEAR = 9999
EN_DASH = "–"
MAX_LENGTH = 80  # 'c. September 30, 1962 – c. December 31, 1963' is 45

ACCEPTED = (
    "write a day as 1962-10-27 or October 27, 1962; a month as 1962-10 or October 1962; "
    "a year as 1962; a decade as 1850s; an approximate date as c. 1850; "
    "a range as 1861–1865 or 1962-10-16 – 1962-10-28"
)
_YEARS = f"write a year from {FIRST_YEAR} to {LAST_YEAR}"
_BCE_FIX = (
    "BCE dates are outside what packet can sort and print: give the date in the headnote "
    "or the citation instead"
)


@dataclass(frozen=True)
class HistoricalDate:
    """A date as a historian gives it: the span of days it can mean, and how it prints."""

    start: dt.date  # the earliest day it can mean
    end: dt.date  # the latest day
    text: str  # printed form, e.g. "October 16–28, 1962" or "c. 1850"
    # "c." dates keep the span of the date as written; the reader is told it is approximate.
    approximate: bool = False

    def sort_key(self) -> tuple[dt.date, dt.date]:
        """Order dates by their first day, then by their last (a day before its month)."""
        return (self.start, self.end)

    def __str__(self) -> str:
        return self.text


class DateError(ValueError):
    """A date packet cannot read: what is wrong, and how to fix it."""

    def __init__(self, why: str, fix: str) -> None:
        super().__init__(why, fix)
        self.why = why
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.why} (fix: {self.fix})"


@dataclass(frozen=True)
class _Part:
    """One side of a range (or a single date) as typed; a side may borrow from the other."""

    typed: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    decade: bool = False
    approximate: bool = False
    bare: bool = False  # nothing but digits, e.g. the '28' of '1962-10-16 – 28'
    month_named: bool = False  # 'October', not '10'

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "decade" if self.decade else "year"


def parse_date(value: object) -> HistoricalDate:
    """Read a date as PyYAML gives it (date, datetime, int or text); raise DateError if none."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _single(_Part(value.isoformat(), value.year, value.month, value.day))
    if isinstance(value, bool) or value is None or not isinstance(value, int | str):
        raise DateError(f"a date is needed, but this is {type_name(value)}", ACCEPTED)
    if isinstance(value, int) and abs(value) > 10**9:  # str() refuses past 4,300 digits
        raise DateError(f"the year is far outside {FIRST_YEAR} to {LAST_YEAR}", _YEARS)
    text = " ".join(str(value).split())  # any run of spaces (or no-break spaces) is one
    if not text:
        raise DateError("the date is empty", ACCEPTED)
    if len(text) > MAX_LENGTH:
        raise DateError(f"'{text[:40]}…' is too long to be a date", ACCEPTED)
    for other, dash in (("—", EN_DASH), ("‒", EN_DASH), ("−", "-"), ("‐", "-"), ("‑", "-")):
        text = text.replace(other, dash)
    _refuse_known_mistakes(text)
    parts = _split(text)
    if len(parts) == 1:
        return _single(_complete(_part(parts[0])))
    return _range(text, _part(parts[0]), _part(parts[1]))


def _refuse_known_mistakes(text: str) -> None:
    """Refuse, each with its own fix, forms people type that are no date packet reads."""
    if re.search(r"\b(?:bce?|b\.\s?c\.(?:\s?e\.)?)(?![a-z])", text, re.I) or re.fullmatch(
        r"-\s*\d+", text
    ):
        raise DateError(f"'{text}' is a date before the common era", _BCE_FIX)
    if found := re.search(r"\b(?:ad|a\.\s?d\.|ce|c\.\s?e\.)(?![a-z])", text, re.I):
        bare = " ".join(re.sub(re.escape(found.group()), "", text).split())
        raise DateError(
            f"'{text}' names its era ('{found.group()}')",
            f"dates are read as CE (AD) already: write '{bare}'",
        )
    if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", text):
        raise DateError(
            f"'{text}' reads as a different day in different countries (month or day first?)",
            "write it as year-month-day, e.g. 1962-10-27, or as October 27, 1962",
        )
    if re.fullmatch(r"\d{3,4}[/.]\d{1,2}[/.]\d{1,2}", text):
        raise DateError(
            f"'{text}' is written with '/' or '.' between its numbers",
            "write year, month and day with hyphens, e.g. 1962-10-27",
        )
    if found := re.search(r"(?<!\d)['’]\d0s\b", text):
        raise DateError(
            f"the decade {found.group()} does not say which century it is in",
            f"write the decade in full, e.g. 19{found.group()[1:]}",
        )


def _split(text: str) -> list[str]:
    """The one or two sides of a range: ' to ', '/', an en dash, or a spaced hyphen."""
    for separator in (r"\s+to\s+", r"\s*/\s*", rf"\s*{EN_DASH}\s*", r"\s+-\s+"):
        parts = re.split(separator, text, flags=re.I)
        if len(parts) > 1:
            break
    else:
        # A hyphen joins years ('1861-1865'); between digits it is a month ('1962-10').
        years = re.fullmatch(r"([^-]*\d(?:['’]?s)?)-(\d+['’]?s|\d{3,})", text)
        parts = list(years.groups()) if years else [text]
    if len(parts) > 2:
        raise DateError(
            f"'{text}' holds more than two dates",
            "write one date, or a range from its first to its last: 1861–1865",
        )
    if any(not part for part in parts):
        raise DateError(
            f"'{text}' is a range with a side missing",
            "give both its first and its last date: 1861–1865",
        )
    return parts


_APPROXIMATE = re.compile(r"(?:circa|ca\.?|c\.|c(?=\s))\s*", re.I)
_ORDINAL = r"(?:st|nd|rd|th)?"


def _part(typed: str) -> _Part:
    """Read one side as typed; its year (or month) may still be missing."""
    text = typed
    approximate = bool(prefix := _APPROXIMATE.match(text))
    if prefix:
        text = text[prefix.end() :]
    part = _Part(typed, approximate=approximate)
    if match := re.fullmatch(r"(\d+)['’]?s", text):
        return replace(part, year=_decade(typed, match.group(1)), decade=True)
    if match := re.fullmatch(r"(\d+)-(\d{1,2})(?:-(\d{1,2}))?", text):
        year, month, day = match.groups()
        return replace(
            part, year=int(year), month=int(month), day=int(day) if day is not None else None
        )
    if re.fullmatch(r"\d+", text):
        return replace(part, year=int(text), bare=True)
    if match := re.fullmatch(
        rf"([a-z]+)\.?\s*(\d{{1,2}}){_ORDINAL}(?:(?:,\s*|\s+)(\d+))?", text, re.I
    ):
        name, day, year = match.groups()
        return _written(part, name, year, day)
    if match := re.fullmatch(rf"(\d{{1,2}}){_ORDINAL}\s+([a-z]+)\.?(?:,?\s+(\d+))?", text, re.I):
        day, name, year = match.groups()
        return _written(part, name, year, day)
    if match := re.fullmatch(r"([a-z]+)\.?(?:,?\s+(\d+))?", text, re.I):
        name, year = match.groups()
        near = difflib.get_close_matches(name.capitalize(), MONTHS, n=1, cutoff=0.75)
        if name.lower() in _MONTH_NUMBERS or year is not None or near:
            return _written(part, name, year, None)
    if match := re.fullmatch(rf"(\d{{1,2}}){_ORDINAL}(?:,\s*|\s+)(\d+)", text):
        day, year = match.groups()  # the '28, 1962' of 'October 16–28, 1962'
        return replace(part, year=int(year), day=int(day))
    raise DateError(f"'{typed}' is not a date packet can read", ACCEPTED)


def _written(part: _Part, name: str, year: str | None, day: str | None) -> _Part:
    month = _MONTH_NUMBERS.get(name.lower())
    if month is None:
        close = difflib.get_close_matches(name.capitalize(), MONTHS, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        where = f" in '{part.typed}'" if name != part.typed else ""
        raise DateError(
            f"'{name}'{where} is not an English month name{hint}",
            "write the month in English, e.g. October 27, 1962, or in numbers: 1962-10-27",
        )
    return replace(
        part,
        month_named=True,
        year=int(year) if year is not None else None,
        month=month,
        day=int(day) if day is not None else None,
    )


def _decade(typed: str, digits: str) -> int:
    year = int(digits)
    if year % 10:
        raise DateError(
            f"'{typed}' is not a decade",
            f"name a decade by its first year, which ends in 0: {year - year % 10}s",
        )
    if year % 100 == 0 and year:
        raise DateError(
            f"'{typed}' can mean the decade {year}–{year + 9} or the century {year}–{year + 99}",
            f"write the years you mean: {year}–{year + 9} or {year}–{year + 99}",
        )
    return year


def _complete(part: _Part) -> _Part:
    """Check a side that has borrowed what it could: a real year, month and day."""
    if part.year is None:
        example = "October 27, 1962" if part.day is not None else "October 1962"
        raise DateError(f"'{part.typed}' has no year", f"add the year, e.g. {example}")
    if part.month is None and part.day is not None:
        raise DateError(f"'{part.typed}' has no month", ACCEPTED)
    if part.year < FIRST_YEAR:
        raise DateError(
            f"'{part.typed}' is before the year {FIRST_YEAR}",
            f"{_YEARS}; {_BCE_FIX}",
        )
    if part.year > LAST_YEAR or (part.decade and part.year + 9 > LAST_YEAR):
        raise DateError(
            f"'{part.typed}' is after the year {LAST_YEAR}",
            _YEARS,
        )
    if part.month is not None and not 1 <= part.month <= 12:
        fix = "write the month as a number from 01 to 12, e.g. 1962-10"
        full = part.year - part.year % 100 + part.month
        if part.day is None and part.bare is False and full > part.year:
            fix += f"; a range of years is written in full: {part.year}–{full}"
        raise DateError(f"'{part.typed}' is not a real date: there is no month {part.month}", fix)
    if part.day is not None:
        assert part.month is not None
        days = calendar.monthrange(part.year, part.month)[1]
        if not 1 <= part.day <= days:
            why = (
                "there is no day 0"
                if part.day == 0
                else f"{MONTHS[part.month - 1]} {part.year} has {days} days"
            )
            raise DateError(
                f"'{part.typed}' is not a real date: {why}", f"write a day from 1 to {days}"
            )
    return part


def _bounds(part: _Part) -> tuple[dt.date, dt.date]:
    assert part.year is not None
    if part.day is not None:
        assert part.month is not None
        day = dt.date(part.year, part.month, part.day)
        return day, day
    if part.month is not None:
        last = calendar.monthrange(part.year, part.month)[1]
        return dt.date(part.year, part.month, 1), dt.date(part.year, part.month, last)
    if part.decade:
        return dt.date(part.year, 1, 1), dt.date(part.year + 9, 12, 31)
    return dt.date(part.year, 1, 1), dt.date(part.year, 12, 31)


def _single(part: _Part) -> HistoricalDate:
    start, end = _bounds(part)
    text = _prefix(part.approximate) + _written_form(part)
    return HistoricalDate(start, end, text, part.approximate)


def _range(text: str, first: _Part, last: _Part) -> HistoricalDate:
    first, last, read_as = _borrow(first, last)
    first, last = _complete(first), _complete(last)
    (start, first_end), (last_start, end) = _bounds(first), _bounds(last)
    approximate = first.approximate or last.approximate
    if (start, first_end) == (last_start, end) and first.precision == last.precision:
        return _single(replace(first, approximate=approximate))  # '1962–1962' is 1962
    if end < start:
        if read_as:
            raise DateError(
                f"'{text}' ends before it starts (its end is read as {read_as})",
                "write both dates in full, the earlier first",
            )
        swapped = f"{_written_form(last)} {EN_DASH} {_written_form(first)}"
        raise DateError(
            f"'{text}' ends before it starts", f"write the earlier date first: {swapped}"
        )
    if last_start < start or end < first_end:
        raise DateError(
            f"'{text}' does not end after it starts: "
            f"{_written_form(last)} falls within {_written_form(first)}",
            "give the range from its first to its last day, month or year, or write one date",
        )
    return HistoricalDate(start, end, _range_text(first, last), approximate)


def _borrow(first: _Part, last: _Part) -> tuple[_Part, _Part, str]:
    """Fill in what a range leaves out on one side: 'October 16–28, 1962', '1962–63'.

    Returns both sides and, for an end given in short, how it was read.
    """
    read_as = ""
    if first.year is None and not last.bare:  # 'October 16 – November 20, 1962'
        first = replace(first, year=last.year)
    elif first.bare and len(first.typed) <= 2 and last.day is not None and last.month_named:
        first = replace(first, year=last.year, month=last.month, day=first.year, bare=False)
    if last.month is None and last.day is not None:  # the '28, 1962' of 'October 16–28, 1962'
        last = replace(last, month=first.month)
    elif last.bare and not last.approximate and len(last.typed) <= 2 and first.year is not None:
        number = last.year
        assert number is not None
        if first.day is not None:  # ISO 8601 shortens '1962-10-16/1962-10-28' to '…/28'
            last = replace(last, year=first.year, month=first.month, day=number, bare=False)
            read_as = f"day {number}"
        elif first.month is not None:
            last = replace(last, year=first.year, month=number, bare=False)
            read_as = f"month {number}"
        elif not first.decade and len(last.typed) == 2 and first.year >= 100:
            year = first.year - first.year % 100 + number
            last = replace(last, year=year, bare=False)
            read_as = f"the year {year}"
    return first, last, read_as


def _prefix(approximate: bool) -> str:
    return "c. " if approximate else ""


def _month(part: _Part) -> str:
    assert part.month is not None
    return MONTHS[part.month - 1]


def _written_form(part: _Part) -> str:
    """'October 27, 1962', 'October 1962', '1962' or '1850s'."""
    if part.precision == "day":
        return f"{_month(part)} {part.day}, {part.year}"
    if part.precision == "month":
        return f"{_month(part)} {part.year}"
    return f"{part.year}s" if part.decade else str(part.year)


def _range_text(first: _Part, last: _Part) -> str:
    """As a historian prints a range: what both sides share is said once."""
    if last.approximate:  # each side says how sure it is: nothing can be shared
        return (
            f"{_prefix(first.approximate)}{_written_form(first)} {EN_DASH} c. {_written_form(last)}"
        )
    same_year = first.year == last.year
    if first.precision == last.precision == "day" and same_year:
        if first.month == last.month:
            body = f"{_month(first)} {first.day}{EN_DASH}{last.day}, {last.year}"
        else:
            body = f"{_month(first)} {first.day} {EN_DASH} {_month(last)} {last.day}, {last.year}"
    elif first.precision == last.precision == "month" and same_year:
        body = f"{_month(first)}{EN_DASH}{_month(last)} {last.year}"
    else:
        left, right = _written_form(first), _written_form(last)
        dash = f" {EN_DASH} " if " " in left + right else EN_DASH
        body = f"{left}{dash}{right}"
    return _prefix(first.approximate) + body
