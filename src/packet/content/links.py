"""Links in packet Markdown: only web addresses, printed with their address on paper."""

from __future__ import annotations

import html
import re
from typing import Any

from markdown_it.token import Token

_SAFE_SCHEMES = ("http:", "https:", "mailto:")
SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def web_address(href: str) -> bool:
    """Whether a link goes to an address a reader can follow from the printed PDF.

    Anything else (a file name, '#part', '//host/x', an empty link) would be resolved
    against the packet folder and become a file: address on the build machine.
    """
    scheme = SCHEME.match(href)
    return scheme is not None and f"{scheme.group(1).lower()}:" in _SAFE_SCHEMES


def print_links(tokens: list[Token]) -> None:
    """Give each web link its address in print; print other links as their words alone.

    On paper a link is only underlined words, so its address follows in parentheses
    (the PDF keeps it clickable). Check refuses links that are not web addresses;
    dropping them here keeps a file: address out of the PDF even for unchecked text.
    """
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link: Token | None = None  # links do not nest: the next link_close is this one's
        words: list[str] = []
        for child in block.children:
            if child.type == "link_open":
                link, words = child, []
                if not web_address(str(child.attrs.get("href", ""))):
                    continue
            elif child.type == "link_close" and link is not None:
                href = str(link.attrs.get("href", ""))
                opened, link = link, None
                if not web_address(href):
                    continue
                children.append(child)
                shown = href.removeprefix("mailto:")
                if "".join(words).strip() not in (href, shown):
                    address = Token("packet_address", "", 0, content=shown)
                    address.attrs = dict(opened.attrs)
                    children.append(address)
                continue
            elif link is not None and child.type in ("text", "code_inline"):
                words.append(child.content)
            children.append(child)
        block.children = children


def render_address(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    # Break opportunities after each '/' of the path, so a long address wraps instead of
    # running into the margin.
    head, sep, path = tokens[idx].content.partition("://")
    head, path = (head + sep, path) if sep else ("", head)
    shown = html.escape(head) + "/<wbr>".join(html.escape(part) for part in path.split("/"))
    href = html.escape(str(tokens[idx].attrs.get("href", "")))
    return f' <span class="link-address">(<a href="{href}">{shown}</a>)</span>'
