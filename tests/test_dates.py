"""Dates as a historian writes them: what is read, how it prints, and what is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from packet.content.dates import ACCEPTED, DateError, HistoricalDate, parse_date
from packet.content.yamlnodes import parse
from packet.errors import Problems

D = dt.date

READ = {
    # exact days
    "date object": (D(1962, 10, 27), "October 27, 1962", D(1962, 10, 27), D(1962, 10, 27)),
    "datetime object": (
        dt.datetime(1962, 10, 27, 21, 30),
        "October 27, 1962",
        D(1962, 10, 27),
        D(1962, 10, 27),
    ),
    "ISO day": ("1962-10-27", "October 27, 1962", D(1962, 10, 27), D(1962, 10, 27)),
    "ISO day, one digit": ("1962-1-5", "January 5, 1962", D(1962, 1, 5), D(1962, 1, 5)),
    "leap day": ("1964-02-29", "February 29, 1964", D(1964, 2, 29), D(1964, 2, 29)),
    "US written": ("October 27, 1962", "October 27, 1962", D(1962, 10, 27), D(1962, 10, 27)),
    "written day first": ("27 October 1962", "October 27, 1962", D(1962, 10, 27), None),
    "abbreviated, any case": ("oct 27, 1962", "October 27, 1962", D(1962, 10, 27), None),
    "abbreviation with a period": ("OCT. 27 1962", "October 27, 1962", D(1962, 10, 27), None),
    "ordinal": ("October 27th, 1962", "October 27, 1962", D(1962, 10, 27), None),
    "no-break spaces": ("October\u00a027,\u00a01962", "October 27, 1962", D(1962, 10, 27), None),
    "year before 1000": ("0500-03-15", "March 15, 500", D(500, 3, 15), D(500, 3, 15)),
    # months
    "ISO month": ("1962-10", "October 1962", D(1962, 10, 1), D(1962, 10, 31)),
    "written month": ("October 1962", "October 1962", D(1962, 10, 1), D(1962, 10, 31)),
    "Sept.": ("Sept. 1962", "September 1962", D(1962, 9, 1), D(1962, 9, 30)),
    "May": ("may 1962", "May 1962", D(1962, 5, 1), D(1962, 5, 31)),
    "February of a leap year": ("1964-02", "February 1964", D(1964, 2, 1), D(1964, 2, 29)),
    # years and decades
    "year as a number": (1962, "1962", D(1962, 1, 1), D(1962, 12, 31)),
    "year as text": ("1962", "1962", D(1962, 1, 1), D(1962, 12, 31)),
    "year 1": (1, "1", D(1, 1, 1), D(1, 12, 31)),
    "year 9999": ("9999", "9999", D(9999, 1, 1), D(9999, 12, 31)),
    "decade": ("1850s", "1850s", D(1850, 1, 1), D(1859, 12, 31)),
    "decade with an apostrophe": ("1850's", "1850s", D(1850, 1, 1), D(1859, 12, 31)),
    "last decade": ("9990s", "9990s", D(9990, 1, 1), D(9999, 12, 31)),
    # approximate
    "c.": ("c. 1850", "c. 1850", D(1850, 1, 1), D(1850, 12, 31)),
    "ca.": ("ca. 1850", "c. 1850", D(1850, 1, 1), D(1850, 12, 31)),
    "circa": ("circa 1850", "c. 1850", D(1850, 1, 1), D(1850, 12, 31)),
    "c. without a space": ("c.1850", "c. 1850", D(1850, 1, 1), D(1850, 12, 31)),
    "C. in capitals": ("C. 1850", "c. 1850", D(1850, 1, 1), D(1850, 12, 31)),
    "approximate decade": ("c. 1850s", "c. 1850s", D(1850, 1, 1), D(1859, 12, 31)),
    "approximate month": ("c. 1962-10", "c. October 1962", D(1962, 10, 1), D(1962, 10, 31)),
    # ranges of years
    "years, en dash": ("1861–1865", "1861–1865", D(1861, 1, 1), D(1865, 12, 31)),
    "years, hyphen": ("1861-1865", "1861–1865", D(1861, 1, 1), D(1865, 12, 31)),
    "years, spaced en dash": ("1861 – 1865", "1861–1865", D(1861, 1, 1), D(1865, 12, 31)),
    "years, em dash": ("1861—1865", "1861–1865", D(1861, 1, 1), D(1865, 12, 31)),
    "years, to": ("1861 to 1865", "1861–1865", D(1861, 1, 1), D(1865, 12, 31)),
    "years, ISO slash": ("1861/1865", "1861–1865", D(1861, 1, 1), D(1865, 12, 31)),
    "end year in short": ("1914–18", "1914–1918", D(1914, 1, 1), D(1918, 12, 31)),
    "decades": ("1850s–1860s", "1850s–1860s", D(1850, 1, 1), D(1869, 12, 31)),
    "decades, hyphen": ("1850s-1860s", "1850s–1860s", D(1850, 1, 1), D(1869, 12, 31)),
    "early years": ("5–10", "5–10", D(5, 1, 1), D(10, 12, 31)),
    # ranges of days
    "days, same month": (
        "1962-10-16 – 1962-10-28",
        "October 16–28, 1962",
        D(1962, 10, 16),
        D(1962, 10, 28),
    ),
    "days, ISO slash": ("1962-10-16/1962-10-28", "October 16–28, 1962", D(1962, 10, 16), None),
    "days, ISO slash in short": ("1962-10-16/28", "October 16–28, 1962", None, D(1962, 10, 28)),
    "days, spaced hyphen": ("1962-10-16 - 1962-10-28", "October 16–28, 1962", None, None),
    "days, to": ("1962-10-16 to 1962-10-28", "October 16–28, 1962", None, None),
    "days, same year": (
        "1962-10-16 – 1962-11-20",
        "October 16 – November 20, 1962",
        D(1962, 10, 16),
        D(1962, 11, 20),
    ),
    "days, across years": (
        "1961-12-01 – 1962-01-05",
        "December 1, 1961 – January 5, 1962",
        D(1961, 12, 1),
        D(1962, 1, 5),
    ),
    "days, printed form": ("October 16–28, 1962", "October 16–28, 1962", D(1962, 10, 16), None),
    "days, printed form across months": (
        "October 16 – November 20, 1962",
        "October 16 – November 20, 1962",
        D(1962, 10, 16),
        D(1962, 11, 20),
    ),
    "days, British": ("16–28 October 1962", "October 16–28, 1962", D(1962, 10, 16), None),
    "days, British across months": (
        "16 October – 20 November 1962",
        "October 16 – November 20, 1962",
        None,
        D(1962, 11, 20),
    ),
    "days, written in full": (
        "October 16, 1962 to October 28, 1962",
        "October 16–28, 1962",
        None,
        None,
    ),
    # ranges of months
    "months, across years": (
        "1962-10 – 1963-04",
        "October 1962 – April 1963",
        D(1962, 10, 1),
        D(1963, 4, 30),
    ),
    "months, same year": ("1962-10 – 1962-12", "October–December 1962", None, D(1962, 12, 31)),
    "months, printed form": ("October–December 1962", "October–December 1962", None, None),
    "months, ISO slash in short": ("1962-10/12", "October–December 1962", None, None),
    # mixed, approximate and degenerate ranges
    "day to month": (
        "1962-10-16 – 1962-11",
        "October 16, 1962 – November 1962",
        D(1962, 10, 16),
        D(1962, 11, 30),
    ),
    "year to decade": ("1845–1850s", "1845–1850s", D(1845, 1, 1), D(1859, 12, 31)),
    "approximate range": ("c. 1850–1860", "c. 1850–1860", D(1850, 1, 1), D(1860, 12, 31)),
    "approximate range, hyphen": ("c. 1850-1860", "c. 1850–1860", None, None),
    "approximate end": ("1850 – c. 1860", "1850 – c. 1860", None, None),
    "both approximate": ("c. 1850 – circa 1860", "c. 1850 – c. 1860", None, None),
    "approximate days": ("c. 1962-10-16 – 1962-10-28", "c. October 16–28, 1962", None, None),
    "a range of one year": ("1962–1962", "1962", D(1962, 1, 1), D(1962, 12, 31)),
}


@pytest.mark.parametrize(
    ("value", "text", "start", "end"), list(READ.values()), ids=list(READ.keys())
)
def test_a_date_is_read_and_printed_as_a_historian_would(
    value: object, text: str, start: dt.date | None, end: dt.date | None
) -> None:
    date = parse_date(value)
    assert date.text == text
    assert str(date) == text
    assert date.start <= date.end
    if start is not None:
        assert date.start == start
    if end is not None:
        assert date.end == end
    assert date.approximate == ("c. " in text)
    assert parse_date(date.text) == date  # the printed form reads back as the same date


MONTH_FIX = "write the month as a number from 01 to 12, e.g. 1962-10"
BCE_FIX = (
    "BCE dates are outside what packet can sort and print: give the date in the headnote "
    "or the citation instead"
)
REFUSED = {
    "no 30th of February": (
        "1962-02-30",
        "'1962-02-30' is not a real date: February 1962 has 28 days",
        "write a day from 1 to 28",
    ),
    "not a leap year": (
        "1900-02-29",
        "'1900-02-29' is not a real date: February 1900 has 28 days",
        "write a day from 1 to 28",
    ),
    "written impossible day": (
        "September 31, 1962",
        "'September 31, 1962' is not a real date: September 1962 has 30 days",
        "write a day from 1 to 30",
    ),
    "day 0": (
        "1962-10-00",
        "'1962-10-00' is not a real date: there is no day 0",
        "write a day from 1 to 31",
    ),
    "month 13": ("1962-13", "'1962-13' is not a real date: there is no month 13", MONTH_FIX),
    "month 13 of a day": (
        "1962-13-01",
        "'1962-13-01' is not a real date: there is no month 13",
        MONTH_FIX,
    ),
    "month 0": ("1962-00", "'1962-00' is not a real date: there is no month 0", MONTH_FIX),
    "years in short with a hyphen": (
        "1914-18",
        "'1914-18' is not a real date: there is no month 18",
        MONTH_FIX + "; a range of years is written in full: 1914–1918",
    ),
    "range backwards": (
        "1865–1861",
        "'1865–1861' ends before it starts",
        "write the earlier date first: 1861 – 1865",
    ),
    "days backwards": (
        "1962-10-28 – 1962-10-16",
        "'1962-10-28 – 1962-10-16' ends before it starts",
        "write the earlier date first: October 16, 1962 – October 28, 1962",
    ),
    "printed days backwards": (
        "October 28 – 16, 1962",
        "'October 28 – 16, 1962' ends before it starts",
        "write the earlier date first: October 16, 1962 – October 28, 1962",
    ),
    "end in short read as an earlier year": (
        "1962–10",
        "'1962–10' ends before it starts (its end is read as the year 1910)",
        "write both dates in full, the earlier first",
    ),
    "end day in short before the start": (
        "1962-10-16/5",
        "'1962-10-16/5' ends before it starts (its end is read as day 5)",
        "write both dates in full, the earlier first",
    ),
    "range inside itself": (
        "1962 – 1962-10",
        "'1962 – 1962-10' does not end after it starts: October 1962 falls within 1962",
        "give the range from its first to its last day, month or year, or write one date",
    ),
    "not a date": ("last Tuesday", "'last Tuesday' is not a date packet can read", ACCEPTED),
    "a word": ("yesterday", "'yesterday' is not a date packet can read", ACCEPTED),
    "a time": ("1962-10-27T10:00", "'1962-10-27T10:00' is not a date packet can read", ACCEPTED),
    "three dates": (
        "1861–1865–1870",
        "'1861–1865–1870' holds more than two dates",
        "write one date, or a range from its first to its last: 1861–1865",
    ),
    "range with no end": (
        "1962 –",
        "'1962 –' is a range with a side missing",
        "give both its first and its last date: 1861–1865",
    ),
    "empty": ("  ", "the date is empty", ACCEPTED),
    "nothing": (None, "a date is needed, but this is nothing", ACCEPTED),
    "yes": (True, "a date is needed, but this is yes/no", ACCEPTED),
    "a decimal number": (1962.10, "a date is needed, but this is a number", ACCEPTED),
    "a list": (
        ["1962"],
        "a date is needed, but this is a list (lines starting with '- ')",
        ACCEPTED,
    ),
    "year 0": (
        0,
        "'0' is before the year 1",
        "write a year from 1 to 9999; " + BCE_FIX,
    ),
    "year 0 as text": ("0000-01-01", "'0000-01-01' is before the year 1", None),
    "after 9999": ("10000", "'10000' is after the year 9999", "write a year from 1 to 9999"),
    "day after 9999": ("10000-01-01", "'10000-01-01' is after the year 9999", None),
    "too long": ("1" * 5000, "'" + "1" * 40 + "…' is too long to be a date", ACCEPTED),
    "a number of thousands of digits": (
        10**5000,
        "the year is far outside 1 to 9999",
        "write a year from 1 to 9999",
    ),
    "BC": ("500 BC", "'500 BC' is a date before the common era", BCE_FIX),
    "BCE": ("c. 500 BCE", "'c. 500 BCE' is a date before the common era", BCE_FIX),
    "B.C.": ("44 B.C.", "'44 B.C.' is a date before the common era", BCE_FIX),
    "negative year": (-500, "'-500' is a date before the common era", BCE_FIX),
    "minus sign": ("−500", "'-500' is a date before the common era", BCE_FIX),
    "AD": (
        "AD 79",
        "'AD 79' names its era ('AD')",
        "dates are read as CE (AD) already: write '79'",
    ),
    "CE": (
        "1066 CE",
        "'1066 CE' names its era ('CE')",
        "dates are read as CE (AD) already: write '1066'",
    ),
    "US numbers": (
        "10/27/1962",
        "'10/27/1962' reads as a different day in different countries (month or day first?)",
        "write it as year-month-day, e.g. 1962-10-27, or as October 27, 1962",
    ),
    "European numbers": (
        "27.10.1962",
        None,
        "write it as year-month-day, e.g. 1962-10-27, or as October 27, 1962",
    ),
    "slashes, year first": (
        "1962/10/27",
        "'1962/10/27' is written with '/' or '.' between its numbers",
        "write year, month and day with hyphens, e.g. 1962-10-27",
    ),
    "decade without a century": (
        "the '60s",
        "the decade '60s does not say which century it is in",
        "write the decade in full, e.g. 1960s",
    ),
    "decade or century": (
        "1800s",
        "'1800s' can mean the decade 1800–1809 or the century 1800–1899",
        "write the years you mean: 1800–1809 or 1800–1899",
    ),
    "not a decade": (
        "1855s",
        "'1855s' is not a decade",
        "name a decade by its first year, which ends in 0: 1850s",
    ),
    "French month": (
        "27 Octobre 1962",
        "'Octobre' in '27 Octobre 1962' is not an English month name (did you mean 'October'?)",
        "write the month in English, e.g. October 27, 1962, or in numbers: 1962-10-27",
    ),
    "misspelt month alone": (
        "Febuary",
        "'Febuary' is not an English month name (did you mean 'February'?)",
        None,
    ),
    "not a month": (
        "Tuesday 1962",
        "'Tuesday' in 'Tuesday 1962' is not an English month name",
        None,
    ),
    "month without a year": ("October", "'October' has no year", "add the year, e.g. October 1962"),
    "day without a year": (
        "October 27",
        "'October 27' has no year",
        "add the year, e.g. October 27, 1962",
    ),
    "range without a year": ("October 16–28", "'October 16' has no year", None),
}


@pytest.mark.parametrize(("value", "why", "fix"), list(REFUSED.values()), ids=list(REFUSED.keys()))
def test_a_date_that_cannot_be_read_says_what_is_wrong_and_how_to_fix_it(
    value: object, why: str | None, fix: str | None
) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(value)
    error = caught.value
    if why is not None:
        assert error.why == why
    if fix is not None:
        assert error.fix == fix
    assert error.args == (error.why, error.fix)
    assert error.fix in str(error)
    assert isinstance(error, ValueError)


def test_the_accepted_forms_are_all_accepted() -> None:
    """The fix shown for a text that is no date lists only forms that work."""
    for form in ("1962-10-27", "October 27, 1962", "1962-10", "October 1962", "1962", "1850s"):
        assert form in ACCEPTED
        parse_date(form)
    for form in ("c. 1850", "1861–1865", "1962-10-16 – 1962-10-28"):
        assert form in ACCEPTED
        parse_date(form)


def test_a_date_in_the_future_is_allowed() -> None:
    """A map made for the lesson may be dated this year, or next."""
    next_year = dt.date.today().year + 1
    assert parse_date(str(next_year)).start == dt.date(next_year, 1, 1)


def test_dates_sort_by_their_first_then_their_last_day() -> None:
    typed = ["1963", "1962-10-27", "1962", "1962-10", "1850s", "c. 1850", "1962-10-16 – 1962-10-28"]
    dates = sorted((parse_date(t) for t in typed), key=HistoricalDate.sort_key)
    assert [d.text for d in dates] == [
        "c. 1850",
        "1850s",
        "1962",
        "October 1962",
        "October 16–28, 1962",
        "October 27, 1962",
        "1963",
    ]


YAML_FIELDS = {
    "date: 1962-10-27": "October 27, 1962",  # PyYAML makes a date
    "date: 1962": "1962",  # an int
    "date: 1962-10": "October 1962",  # text
    "date: 1861-1865": "1861–1865",
    "date: 1962-10-16 – 1962-10-28": "October 16–28, 1962",
    "date: c. 1850": "c. 1850",
    "date: October 27, 1962": "October 27, 1962",
    "date: '1962'": "1962",
    "date: 1962-10-27 21:30:00": "October 27, 1962",  # a datetime
}


@pytest.mark.parametrize(("line", "text"), YAML_FIELDS.items())
def test_a_date_reads_as_the_yaml_loader_gives_it(line: str, text: str) -> None:
    problems = Problems()
    node = parse(line + "\n", Path("source.md"), problems)
    assert node is not None and not problems
    assert parse_date(node.value["date"].value).text == text


def test_an_impossible_yaml_date_reaches_the_check_as_text() -> None:
    problems = Problems()
    node = parse("date: 1962-02-30\n", Path("source.md"), problems)
    assert node is not None
    with pytest.raises(DateError, match="February 1962 has 28 days"):
        parse_date(node.value["date"].value)


@given(st.dates())
def test_any_day_round_trips_through_iso(day: dt.date) -> None:
    date = parse_date(day.isoformat())
    assert date.start == date.end == day
    assert parse_date(day) == date
    assert not date.approximate


def _typed(day: dt.date, precision: str) -> str:
    if precision == "day":
        return day.isoformat()
    if precision == "month":
        return f"{day.year}-{day.month:02}"
    if precision == "decade":
        return f"{day.year - day.year % 10}s"
    return str(day.year)


def _unit(day: dt.date, precision: str) -> tuple[int, ...]:
    return {
        "day": (day.year, day.month, day.day),
        "month": (day.year, day.month),
        "year": (day.year,),
        "decade": (day.year // 10,),
    }[precision]


# Below the year 100 'October 50' cannot tell a month of year 50 from a day of October.
_DAYS = st.dates(min_value=dt.date(100, 1, 1))
_SEPARATORS = st.sampled_from(["–", " – ", " to ", "/", " - "])


@given(
    first=_DAYS,
    last=_DAYS,
    precision=st.sampled_from(["day", "month", "year", "decade"]),
    ranged=st.booleans(),
    separator=_SEPARATORS,
    circa=st.tuples(st.booleans(), st.booleans()),
)
def test_the_printed_form_reads_back_as_the_same_date(
    first: dt.date,
    last: dt.date,
    precision: str,
    ranged: bool,
    separator: str,
    circa: tuple[bool, bool],
) -> None:
    first, last = min(first, last), max(first, last)
    if precision == "decade":
        assume(first.year // 10 % 10 and last.year // 10 % 10)  # '1800s' is refused
    prefix = ("c. " if circa[0] else "", "c. " if circa[1] else "")
    typed = prefix[0] + _typed(first, precision)
    if ranged:
        assume(_unit(first, precision) < _unit(last, precision))
        typed += separator + prefix[1] + _typed(last, precision)
    date = parse_date(typed)
    assert date.start <= first and (last if ranged else first) <= date.end
    assert date.approximate == (circa[0] or (ranged and circa[1]))
    assert parse_date(date.text) == date


_TOKENS = st.sampled_from(
    ["1962", "10", "27", "-", "–", " ", "/", "c.", "s", "October", "oct", ",", "to", "0", "'", "BC"]
)


@given(st.one_of(st.text(), st.lists(_TOKENS, max_size=12).map("".join)))
def test_any_text_is_a_date_or_a_date_error(text: str) -> None:
    try:
        date = parse_date(text)
    except DateError as error:
        assert error.why and error.fix
    else:
        assert date.start <= date.end
        if date.start.year >= 100:  # see _DAYS
            assert parse_date(date.text).sort_key() == date.sort_key()
