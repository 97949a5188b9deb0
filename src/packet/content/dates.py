"""PLACEHOLDER until the dates branch lands: exact dates only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class HistoricalDate:
    start: dt.date
    end: dt.date
    text: str
    approximate: bool = False


class DateError(ValueError):
    def __init__(self, why: str, fix: str) -> None:
        super().__init__(why, fix)
        self.why, self.fix = why, fix


def parse_date(value: object) -> HistoricalDate:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise DateError(f"'{value}' is not a date", "write YYYY-MM-DD") from None
    if not isinstance(value, dt.date):
        raise DateError("not a date", "write YYYY-MM-DD")
    return HistoricalDate(value, value, f"{value:%B} {value.day}, {value.year}")
