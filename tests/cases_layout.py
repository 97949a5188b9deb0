"""Bad-input cases: nothing drawn where it does not belong (a section of docs/bad-input.md)."""

from __future__ import annotations

from badinput import Case

CASES: dict[str, Case] = {}
