"""Find the templates and bundled fonts, in a source checkout or an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries them inside the package; a checkout keeps them at the top.
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(p) for p in (_PACKAGE / name, _PACKAGE.parent.parent / name))
    raise FileNotFoundError(
        f"packet's {name} folder is missing (searched {searched}); reinstall packet"
    )


@cache
def templates_dir() -> Path:
    return _find("templates")


@cache
def fonts_dir() -> Path:
    return _find("fonts")
