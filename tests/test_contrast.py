"""Every text colour the templates set is readable on every background they set (WCAG 2.1).

Text needs a contrast of 4.5:1 against what is behind it, 3:1 when large (18 pt, or
14 pt bold). The test reads the stylesheet and the templates: a colour added anywhere
is checked without anyone listing it here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from packet.resources import templates_dir

NORMAL_TEXT = 4.5
PAGE = "#ffffff"
_DECLARATION = re.compile(r"(?<![\w-])(color|background(?:-color)?)\s*:\s*([^;}\"]+)")
_VARIABLE = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_NAMED = {"black": "#000000", "white": "#ffffff"}


def luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour, as WCAG 2.1 defines it."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def template_text() -> str:
    folder = templates_dir()
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file())


def colours() -> tuple[set[str], set[str]]:
    """(text colours, background colours) the templates set, custom properties resolved."""
    text = template_text()
    variables = {name: value.strip() for name, value in _VARIABLE.findall(text)}
    fore: set[str] = set()
    back: set[str] = {PAGE}
    for prop, value in _DECLARATION.findall(text):
        value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables.get(m.group(1), ""), value)
        found = _HEX.findall(value) + [_NAMED[w] for w in re.findall(r"\w+", value) if w in _NAMED]
        if prop == "color":
            assert found or value.strip() in ("inherit", "currentcolor"), value
            fore.update(found)
        elif "gradient" not in value:  # the ruled writing lines are a gradient: no text on it
            back.update(found)
    return fore, back


def test_the_stylesheet_sets_the_colours_it_is_checked_for() -> None:
    fore, back = colours()
    assert "#000" in fore or "#000000" in fore  # the ink
    assert len(back) >= 2  # the page, and the shading behind a speaker's words


def test_every_text_colour_is_readable_on_every_background() -> None:
    fore, back = colours()
    for text in fore:
        for behind in back:
            assert contrast(text, behind) >= NORMAL_TEXT, (text, behind)


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#777777", "#ffffff", 4.48), ("#808080", "#ededed", 3.37)],
)
def test_the_contrast_formula_matches_wcag(a: str, b: str, ratio: float) -> None:
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)


def test_a_grey_that_fails_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check reads what the templates say: a light grey for text fails it."""
    for name in ("packet.css", "base.html"):
        (tmp_path / name).write_text(
            (templates_dir() / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    css = tmp_path / "packet.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x { color: #999; }\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.templates_dir", lambda: tmp_path)
    assert "#999" in colours()[0]
    with pytest.raises(AssertionError):
        test_every_text_colour_is_readable_on_every_background()
