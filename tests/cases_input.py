"""Bad-input cases: every input gets a clear answer (a section of docs/bad-input.md)."""

from __future__ import annotations

from badinput import Case

CASES: dict[str, Case] = {}
