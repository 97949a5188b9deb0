"""Pictures in packet Markdown: an image alone in its paragraph prints as a figure.

``![A portrait](rfk.jpg "Caption"){width=40% credit="…"}``: the title is the caption,
and the options after the image give its width (a part of the column, or ``full`` for
a page) and a credit. Image documents take the same width (``parse_width``).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

if TYPE_CHECKING:
    from packet.content.markup import Context


# Options written right after an image: ![A portrait](rfk.jpg "Caption"){width=40%}
_OPTIONS = re.compile(r"\{([^{}\n]{0,300})\}")
_OPTION = re.compile(r'\s*([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|([^\s"]+))\s*')
MIN_FIGURE_WIDTH = 0.2


def attach_options(tokens: Sequence[Token]) -> None:
    """Move '{…}' written right after an image into the image token's meta."""
    for block in tokens:
        children = block.children or []
        for image, after in itertools.pairwise(children):
            found = _OPTIONS.match(after.content) if after.type == "text" else None
            if image.type == "image" and found:
                image.meta = {**(image.meta or {}), "options": found.group(1)}
                after.content = after.content[found.end() :]


def image_options(raw: str) -> tuple[dict[str, Any], list[str]]:
    """An image's options: width (a fraction of the column, or None for a page) and credit."""
    options: dict[str, Any] = {"width": 1.0, "credit": ""}
    wrong = []
    position = 0
    while position < len(raw.strip()) and (m := _OPTION.match(raw, position)):
        position = m.end()
        key, value = m.group(1).lower(), m.group(2) if m.group(2) is not None else m.group(3)
        if key == "credit":
            options["credit"] = value
        elif key == "width":
            width = parse_width(value)
            if width is False:
                wrong.append(f"width '{value}' is not 20% to 100% of the column, or full")
            else:
                options["width"] = width
        else:
            wrong.append(f"'{key}' is not an image option (there are width and credit)")
    if raw.strip() and position < len(raw.rstrip()):
        wrong.append(f"'{{{raw[:60]}}}' cannot be read as image options")
    return options, wrong


def parse_width(value: object) -> float | bool | None:
    """'40%', '0.4' or 0.4 -> 0.4; 'full' -> None (a page of its own); False if neither."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("full", "page", "full page"):
            return None
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            return False
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return float(value) if MIN_FIGURE_WIDTH <= value <= 1 else False


def figure_paragraphs(tokens: list[Token]) -> None:
    """An image alone in its paragraph prints as a figure, with its caption under it."""
    for i in range(1, len(tokens) - 1):
        inline = tokens[i]
        if tokens[i - 1].type != "paragraph_open" or inline.type != "inline":
            continue
        shown = [
            c for c in inline.children or () if not (c.type == "text" and not c.content.strip())
        ]
        if len(shown) == 1 and shown[0].type == "image":
            shown[0].meta = {**(shown[0].meta or {}), "block": True}
            inline.children = shown
            tokens[i - 1].hidden = tokens[i + 1].hidden = True


def render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    raw_src = str(token.attrs.get("src", ""))
    src = html.escape(raw_src)
    alt = html.escape(token.content)
    meta = token.meta or {}
    chosen, _ = image_options(meta.get("options", ""))
    ctx: Context = env["ctx"]
    if not meta.get("block"):
        return f'<img src="{src}" alt="{alt}">'
    width = chosen["width"]
    limit = ctx.figure_limit(raw_src, width is None) if ctx.figure_limit else "none"
    style = f"width: {(width or 1) * 100:g}%; max-width: {limit}"
    caption = html.escape(str(token.attrs.get("title", "") or ""))
    credit = html.escape(chosen["credit"])
    under = ""
    if caption or credit:
        parts = [f'<span class="caption">{caption}</span>' if caption else ""]
        parts.append(f'<span class="credit">{credit}</span>' if credit else "")
        under = f"<figcaption>{' '.join(p for p in parts if p)}</figcaption>"
    full = " figure-full" if width is None else ""
    return (
        f'<figure class="text-figure{full}" style="{style}">'
        f'<img src="{src}" alt="{alt}">{under}</figure>'
    )
