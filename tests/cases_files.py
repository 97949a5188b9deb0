"""Bad-input cases: nothing lost, nothing overwritten (a section of docs/bad-input.md)."""

from __future__ import annotations

from badinput import Case

CASES: dict[str, Case] = {}
