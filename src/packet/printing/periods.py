"""Class periods: when two spellings name one class, and what its file is called.

Rosters spell one class many ways ("Period 3", "period 3", "3", "03", "Période 1"
and "Periode 1"); choosing a period with ``--period`` and splitting a roster into
one file per period must agree on which spellings are the same class.
"""

from __future__ import annotations

import unicodedata

# A leading word that says "this is a period" rather than which one it is.
PERIOD_WORDS = frozenset(
    {
        "period", "per", "section", "sec", "class", "block", "hour",
        "periode", "periodo", "classe", "klasse", "grupo",
    }
)  # fmt: skip
MAX_FILE_PART = 80  # bytes of UTF-8: room for the packet's name and a few suffixes in 255
FALLBACK_FILE_PART = "period"
# Accents are dropped only from letters of alphabets where they are accents; in Indic
# scripts, for one, the combining marks are vowels, and dropping them would merge classes.
_ACCENTED_SCRIPTS_END = 0x0530  # Latin, Greek and Cyrillic


def period_key(period: str | None) -> str:
    """Return what identifies a period: "Period 3", "period 03" and "3" all give "3".

    Case, accents, spaces and punctuation do not count, numbers count by value, and
    a leading "Period", "Section", "Class", "Block" or "Hour" is dropped.
    """
    text = _fold(period or "")
    tokens: list[str] = []
    previous = ""
    for char in text:
        kind = _kind(char)
        if kind and kind == previous and kind != "symbol":
            tokens[-1] += char
        elif kind:
            tokens.append(char)
        previous = kind
    if not tokens:
        return text.strip()  # only punctuation: keep it, so "—" and "?" stay apart
    tokens = [str(int(t)) if _kind(t[0]) == "digit" else t for t in tokens]
    if len(tokens) > 1 and tokens[0] in PERIOD_WORDS:
        tokens = tokens[1:]
    return " ".join(tokens)


def names_itself(period: str) -> bool:
    """Whether a period says what it is ("Block A", "Période 1", "一班"), not only which one."""
    words = _fold(period).split(maxsplit=1)
    if words and "".join(c for c in words[0] if _kind(c)) in PERIOD_WORDS:
        return True
    # Chinese, Japanese and Korean class names carry their own word for class (班, 組, 반).
    return any(unicodedata.east_asian_width(c) in "WF" and c.isalpha() for c in period)


def period_file_part(period: str) -> str:
    """Return the part of a file name that names a period: its letters, in any script."""
    text = unicodedata.normalize("NFKC", period).lower()
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" else "-" for c in text)
    part = "-".join(p for p in kept.split("-") if p)
    while len(part.encode("utf-8")) > MAX_FILE_PART:
        part = part[:-1].rstrip("-")
    return part or FALLBACK_FILE_PART


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    for char in folded:
        if unicodedata.combining(char) and kept and ord(kept[-1]) < _ACCENTED_SCRIPTS_END:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _kind(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Nd":
        return "digit"
    if category[0] in "LM":
        return "letter"
    if category[0] == "S":
        return "symbol"
    return ""
