"""Bad-input cases: the answer guard (a section of docs/bad-input.md)."""

from __future__ import annotations

from badinput import Case

CASES: dict[str, Case] = {}
