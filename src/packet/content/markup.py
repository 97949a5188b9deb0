"""Packet Markdown: CommonMark plus the packet's own bracket syntax, rendered to safe HTML.

The packet syntax, all in double square brackets so a teacher can see it:

- ``[[rfk]] … [[/rfk]]``       a speaker's words (speaker ids come from source.md)
- ``[[#turkey]] … [[/#turkey]]`` an anchor, a passage that questions can cite
- ``[[lines #turkey]]``          prints the anchor's line numbers ("lines 14–19")
- ``[[lines B#offer]]``          lines in Document B ("Document B, lines 4–8")
- ``[[lines #turkey to #months]]`` from the first anchor's first line to the second's last
- ``[[document B]]``              prints "Document B"
- ``[...]`` or ``[…]``           an editors' omission, printed as a bracketed ellipsis

Raw HTML is not allowed (it is reported as a problem); everything a packet says is
escaped, never evaluated as a template.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from packet.content.figures import attach_options, figure_paragraphs, image_options, render_image
from packet.content.links import SCHEME, print_links, render_address, web_address
from packet.content.model import Markdown, Term
from packet.errors import Problems

# A mark is short and holds no "[": so bounded, a text full of "[[" cannot take minutes.
_TAG = re.compile(r"\[\[([^[]{0,200}?)\]\]")
_OPEN = re.compile(r"(#?)([a-z0-9][a-z0-9-]*)")
_CLOSE = re.compile(r"/(#?)([a-z0-9][a-z0-9-]*)")
_CITE = re.compile(
    r"lines\s+([A-Za-z0-9]{1,3})?#([a-z0-9][a-z0-9-]*)(?:\s+to\s+#([a-z0-9][a-z0-9-]*))?"
)
_WHOLE = re.compile(r"document\s+([A-Za-z0-9]{1,3})")
_OMISSION = re.compile(r"\[(?:\.\.\.|…|\. \. \.)\]")
# The parser stops reading (and drops the rest of a text) at its nesting limit, which
# ten lists inside one another reach; anything deeper than this is reported instead.
MAX_NESTING = 8
_CONTAINERS = ("bullet_list", "ordered_list", "blockquote")


def _packet_rule(state: StateInline, silent: bool) -> bool:
    """Recognise ``[[…]]`` and ``[...]`` before the link rule sees the bracket."""
    src, pos = state.src, state.pos
    if src[pos] != "[":
        return False
    omission = _OMISSION.match(src, pos)
    if omission:
        if not silent:
            token = state.push("packet", "", 0)
            token.meta = {"kind": "omission", "offset": pos}
        state.pos = omission.end()
        return True
    tag = _TAG.match(src, pos)
    if not tag:
        return False
    inner = " ".join(tag.group(1).split())
    if not silent:
        token = state.push("packet", "", 0)
        token.content = tag.group(0)
        token.meta = _classify(inner) | {"offset": pos}
    state.pos = tag.end()
    return True


@dataclass(frozen=True)
class Cite:
    """What a citation mark points at: a passage of a document, or the whole of it."""

    label: str  # the document's label; "" for "the document this text belongs to"
    first: str = ""  # the anchor; "" for the whole document
    last: str = ""  # the anchor a passage spanning paragraphs ends with

    def typed(self) -> str:
        if not self.first:
            return f"[[document {self.label}]]"
        end = f" to #{self.last}" if self.last != self.first else ""
        return f"[[lines {self.label}#{self.first}{end}]]"


def _classify(inner: str) -> dict[str, Any]:
    if m := _CITE.fullmatch(inner):
        cite = Cite(m.group(1) or "", m.group(2), m.group(3) or m.group(2))
        return {"kind": "cite", "name": m.group(2), "cite": cite}
    if m := _WHOLE.fullmatch(inner):
        return {"kind": "cite", "name": "", "cite": Cite(m.group(1))}
    if m := _CLOSE.fullmatch(inner):
        return {"kind": "close", "anchor": bool(m.group(1)), "name": m.group(2)}
    if m := _OPEN.fullmatch(inner):
        return {"kind": "open", "anchor": bool(m.group(1)), "name": m.group(2)}
    return {"kind": "bad", "name": inner}


def _parser(*, allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.disable(["reference"])  # "[x]: url" lines would silently vanish from a text
    md.inline.ruler.before("link", "packet", _packet_rule)
    return md


_SAFE = _parser(allow_html=False)
# Only for checking: it also parses raw HTML and links with any address (which the safe
# parser would quietly print as text), so that each can be reported where it stands.
_PROBE = _parser(allow_html=True)
_PROBE.validateLink = lambda url: True  # type: ignore[method-assign]


@dataclass(frozen=True)
class Found:
    """What one Markdown text uses: anchors it defines, anchors it cites, speakers."""

    anchors: dict[str, int] = field(default_factory=dict)  # name -> line
    cites: list[tuple[Cite, int]] = field(default_factory=list)  # (cite, line)
    speakers: list[tuple[str, int]] = field(default_factory=list)
    images: list[tuple[str, str, int]] = field(default_factory=list)  # (src, alt, line)
    words: str = ""  # the plain text, for vocabulary checks


def _inline_tokens(tokens: Sequence[Token], first_line: int) -> Iterator[tuple[Token, int]]:
    """Yield every inline child token with the file line it stands on."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = first_line + (block.map[0] if block.map else 0)
        for child in block.children:
            yield child, line
            if child.type in ("softbreak", "hardbreak"):
                line += 1


def scan(
    md: Markdown,
    problems: Problems,
    *,
    speakers: Sequence[str] = (),
    allow_spans: bool = False,
) -> Found:
    """Check one text's markup and report every problem with its line."""
    found = Found()
    where = md.file
    for token in _PROBE.parse(md.text):
        if token.type == "html_block":
            line = md.line + (token.map[0] if token.map else 0)
            _raw_html(problems, where, token.content, line)
    probed = _PROBE.parse(md.text)
    attach_options(probed)
    for token, line in _inline_tokens(probed, md.line):
        if token.type == "html_inline":
            _raw_html(problems, where, token.content, line)
        elif token.type == "image":
            found.images.append((str(token.attrs.get("src", "")), token.content, line))
            _, wrong = image_options(token.meta.get("options", ""))
            for why in wrong:
                problems.add(
                    where,
                    f"image '{token.attrs.get('src', '')}': {why}",
                    'write the options as {width=60%} or {width=full credit="Library of '
                    'Congress"}: width is 20% to 100% of the column, or full for a page',
                    line=line,
                )
        elif token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            if web_address(href):
                continue
            if SCHEME.match(href):
                problems.add(
                    where,
                    f"link to '{href[:60]}' is not allowed",
                    "links may go to http:, https: or mailto: addresses only",
                    line=line,
                )
            else:
                # The renderer would resolve it against the packet folder: a file: address
                # on this computer's disk, useless to a reader and different per machine.
                problems.add(
                    where,
                    f"link to '{href[:60]}' is not a web address: in a PDF it would point "
                    "at a file on this computer",
                    "write the words without the link, or link to a web address "
                    "(https://…); the PDF cannot carry the packet's files",
                    line=line,
                )

    stack: list[tuple[str, bool, int]] = []
    words: list[str] = []
    blocks = _SAFE.parse(md.text)
    _nesting(blocks, md, problems)
    for block in blocks:
        if block.type != "inline":
            continue
        # A passage may not run from one paragraph into the next.
        _unclosed(stack, where, problems)
        for token, line in _inline_tokens([block], md.line):
            _scan_token(token, line, found, stack, words, where, problems, speakers, allow_spans)
        words.append("\n")
    _unclosed(stack, where, problems)
    return Found(found.anchors, found.cites, found.speakers, found.images, "".join(words))


def _scan_token(
    token: Token,
    line: int,
    found: Found,
    stack: list[tuple[str, bool, int]],
    words: list[str],
    where: Any,
    problems: Problems,
    speakers: Sequence[str],
    allow_spans: bool,
) -> None:
    if token.type == "text" and "[[" in token.content:
        # A mark missing a bracket would otherwise print as typed on the student's page.
        start = token.content.index("[[")
        snippet = token.content[start : start + 40]
        snippet += "…" if len(token.content) > start + 40 else ""
        problems.add(
            where,
            f"'{snippet}' opens a mark with '[[' but never closes it",
            "finish the mark with ']]', e.g. [[rfk]]…[[/rfk]] or [[lines #offer]]",
            line=line,
        )
    if token.type in ("text", "code_inline"):
        words.append(token.content)
    elif token.type in ("softbreak", "hardbreak"):
        words.append(" ")
    if token.type != "packet":
        return
    kind, name = token.meta["kind"], token.meta.get("name", "")
    if kind == "cite":
        found.cites.append((token.meta["cite"], line))
    elif kind == "bad":
        problems.add(
            where,
            f"'{token.content}' is not packet markup",
            "use [[speaker]]…[[/speaker]], [[#anchor]]…[[/#anchor]], [[lines #anchor]], "
            "[[lines B#anchor]] or [[document B]]; anchor and speaker names use lowercase "
            "letters, digits and hyphens",
            line=line,
        )
    elif kind in ("open", "close") and not allow_spans:
        problems.add(
            where,
            f"'{token.content}' marks a passage, which only a document's text can do",
            "cite a passage with [[lines #anchor]] instead",
            line=line,
        )
    elif kind == "open":
        if token.meta["anchor"]:
            if name in found.anchors:
                problems.add(
                    where,
                    f"anchor '#{name}' is defined twice (first on line {found.anchors[name]})",
                    "give each anchor its own name",
                    line=line,
                )
            found.anchors.setdefault(name, line)
        else:
            if name not in speakers:
                known = ", ".join(speakers) or "none are declared"
                problems.add(
                    where,
                    f"unknown speaker '{name}' in '{token.content}'",
                    f"use a speaker id declared under 'speakers:' in source.md ({known})",
                    line=line,
                )
            found.speakers.append((name, line))
        stack.append((name, token.meta["anchor"], line))
    elif kind == "close":
        _close(stack, token, line, where, problems)


def _close(
    stack: list[tuple[str, bool, int]], token: Token, line: int, where: Any, problems: Problems
) -> None:
    name, anchor = token.meta["name"], token.meta["anchor"]
    label = f"#{name}" if anchor else name
    if not stack:
        problems.add(
            where,
            f"'{token.content}' closes a passage that was never opened",
            f"add [[{label}]] where the passage starts, or delete '{token.content}'",
            line=line,
        )
        return
    top_name, top_anchor, top_line = stack[-1]
    if (top_name, top_anchor) == (name, anchor):
        stack.pop()
        return
    top_label = f"#{top_name}" if top_anchor else top_name
    problems.add(
        where,
        f"'{token.content}' closes a passage, but [[{top_label}]] "
        f"from line {top_line} is still open",
        f"close [[{top_label}]] with [[/{top_label}]] first: passages must nest",
        line=line,
    )
    if any((n, a) == (name, anchor) for n, a, _ in stack):
        while stack and (stack[-1][0], stack[-1][1]) != (name, anchor):
            stack.pop()
        stack.pop()


def _nesting(blocks: Sequence[Token], md: Markdown, problems: Problems) -> None:
    depth = 0
    for block in blocks:
        if block.type.removesuffix("_open") in _CONTAINERS:
            depth += 1
            if depth > MAX_NESTING:
                problems.add(
                    md.file,
                    f"lists and quotes are nested more than {MAX_NESTING} levels deep",
                    "indent less: a list inside a list inside a list is plenty",
                    line=md.line + (block.map[0] if block.map else 0),
                )
                return
        elif block.type.removesuffix("_close") in _CONTAINERS:
            depth -= 1


def _unclosed(stack: list[tuple[str, bool, int]], where: Any, problems: Problems) -> None:
    for name, anchor, line in stack:
        label = f"#{name}" if anchor else name
        problems.add(
            where,
            f"[[{label}]] is never closed",
            f"add [[/{label}]] where the passage ends (in the same paragraph)",
            line=line,
        )
    stack.clear()


def raw_html(text: str) -> list[str]:
    """The raw HTML tags in a plain-text value, which would print as typed."""
    if "<" not in text:
        return []
    tags = []
    for block in _PROBE.parse(text):
        if block.type == "html_block":
            tags.append(block.content)
        for child in block.children or ():
            if child.type == "html_inline":
                tags.append(child.content)
    return tags


def _raw_html(problems: Problems, where: Any, content: str, line: int) -> None:
    snippet = " ".join(content.split())[:60]
    problems.add(
        where,
        f"raw HTML is not allowed in a packet: '{snippet}'",
        "write plain Markdown instead (*italic*, **bold**, lists);"
        " to show a '<' in text, write '&lt;'",
        line=line,
    )


# Rendering ------------------------------------------------------------------------------


@dataclass
class Context:
    """What rendering needs beyond the text: vocabulary, speakers, line citations."""

    cite: Callable[[Cite], str]
    terms: Sequence[Term] = ()
    mark_terms: bool = False
    glosses: bool = False  # put each term's definition beside its first occurrence
    # ... or, in large print, in a "Words to know" box right after its paragraph, so that
    # the text has the page's whole width and nothing stands beside it.
    glosses_after: bool = False
    text_kind: str = ""  # inside a document's text, the text's id: "A.original", "B.adapted"
    narrator: str = ""  # the speaker whose own account the text is
    marked: set[str] = field(default_factory=set)  # terms already marked in this text
    passages: int = 0  # speaker passages numbered so far, so the layout can follow each one
    gloss_offsets: Mapping[tuple[str, str], float] = field(default_factory=dict)
    # The widest a figure may print so that it is no taller than the page allows: CSS.
    figure_limit: Callable[[str, bool], str] | None = None


def term_pattern(term: Term) -> re.Pattern[str]:
    """Match the term and its regular inflections as whole words, any case."""
    forms = {term.term, *term.forms}
    for word in (term.term,):
        base = word
        forms |= {base + "s", base + "es", base + "ed", base + "d", base + "ing", base + "ly"}
        if base.endswith("y"):
            forms |= {base[:-1] + "ies", base[:-1] + "ied"}
        if base.endswith("e"):
            forms |= {base[:-1] + "ing", base[:-1] + "ed"}
    alternatives = sorted(forms, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, f.split())) for f in alternatives)
    return re.compile(rf"(?<![\w’'-])(?:{body})(?![\w-])", re.IGNORECASE)


def _split_terms(text: str, ctx: Context) -> list[Token]:
    """Turn one text token into text and term tokens for terms not yet marked."""
    out: list[Token] = []
    rest = text
    while rest:
        best: tuple[int, re.Match[str], Term] | None = None
        for term in ctx.terms:
            if term.term in ctx.marked:
                continue
            m = term_pattern(term).search(rest)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), m, term)
        if best is None:
            break
        _, m, term = best
        ctx.marked.add(term.term)
        if m.start():
            out.append(_text(rest[: m.start()]))
        tok = Token("packet_term", "", 0, content=m.group(0))
        tok.meta = {"term": term}
        out.append(tok)
        rest = rest[m.end() :]
    if rest:
        out.append(_text(rest))
    return out


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _mark_terms(tokens: list[Token], ctx: Context) -> None:
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for child in block.children:
            in_link += child.type == "link_open"
            in_link -= child.type == "link_close"
            if child.type == "text" and not in_link:
                children.extend(_split_terms(child.content, ctx))
            else:
                children.append(child)
        block.children = children


def _render_packet(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    ctx: Context = env["ctx"]
    meta = tokens[idx].meta
    kind = meta["kind"]
    if kind == "omission":
        return '<span class="omission">[…]</span>'
    if kind == "cite":
        return f'<span class="cite">{html.escape(ctx.cite(meta["cite"]))}</span>'
    if kind == "bad":
        return html.escape(tokens[idx].content)
    name = html.escape(meta["name"])
    if kind == "close":
        return "</span>"
    if meta["anchor"]:
        return f'<span class="anchor" data-anchor="{ctx.text_kind}:{name}">'
    ctx.passages += 1
    role = "speaker-narrator" if meta["name"] == ctx.narrator else "speaker-quoted"
    return (
        f'<span class="speaker {role} speaker-{name}" data-speaker="{name}"'
        f' data-passage="{ctx.text_kind}:{ctx.passages}">'
    )


def _render_term(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    ctx: Context = env["ctx"]
    term: Term = tokens[idx].meta["term"]
    word = html.escape(tokens[idx].content)
    mark = f'<strong class="term" data-term="{html.escape(term.term)}">{word}</strong>'
    if not ctx.glosses or ctx.glosses_after:
        return mark
    offset = ctx.gloss_offsets.get((ctx.text_kind, term.term), 0.0)
    style = f' style="margin-top: {offset:.2f}pt"' if offset else ""
    return mark + (
        f'<span class="gloss" data-term="{html.escape(term.term)}"'
        f' data-gloss="{ctx.text_kind}:{html.escape(term.term)}"{style}>'
        f'<strong class="gloss-term">{html.escape(term.term)}</strong> '
        f'<span class="gloss-pos">({html.escape(term.part_of_speech)})</span> '
        f"{html.escape(term.definition)}</span>"
    )


def _words_after_paragraphs(tokens: list[Token]) -> list[Token]:
    """After each block whose text marks terms, a token for their "Words to know" box."""
    out: list[Token] = []
    pending: list[Term] = []
    for token in tokens:
        out.append(token)
        if token.type == "inline":
            pending += [c.meta["term"] for c in token.children or () if c.type == "packet_term"]
        elif pending and token.nesting == -1:  # the paragraph (or heading) that held them
            box = Token("packet_words", "", 0)
            box.meta = {"terms": pending}
            out.append(box)
            pending = []
    return out


def _render_words(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    entries = "".join(
        f'<p class="word"><strong class="word-term">{html.escape(term.term)}</strong> '
        f'<span class="word-pos">({html.escape(term.part_of_speech)})</span> '
        f"{html.escape(term.definition)}</p>"
        for term in tokens[idx].meta["terms"]
    )
    return (
        '<div class="words-to-know" aria-label="Words to know">'
        f'<p class="words-title">Words to know</p>{entries}</div>\n'
    )


_SAFE.add_render_rule("packet", _render_packet)
_SAFE.add_render_rule("packet_term", _render_term)
_SAFE.add_render_rule("packet_words", _render_words)
_SAFE.add_render_rule("image", render_image)
_SAFE.add_render_rule("packet_address", render_address)


def to_html(md: Markdown | str | None, ctx: Context, *, inline: bool = False) -> str:
    """Render packet Markdown to HTML; text is escaped, never run as a template."""
    if md is None:
        return ""
    text = md.text if isinstance(md, Markdown) else md
    env = {"ctx": ctx}
    tokens = _SAFE.parseInline(text, env) if inline else _SAFE.parse(text, env)
    attach_options(tokens)
    if not inline:
        figure_paragraphs(tokens)
    print_links(tokens)
    if ctx.mark_terms:
        _mark_terms(tokens, ctx)
        if ctx.glosses and ctx.glosses_after:
            tokens = _words_after_paragraphs(tokens)
    return str(_SAFE.renderer.render(tokens, _SAFE.options, env))


def plain(md: Markdown | str) -> str:
    """The text a reader sees, one line per paragraph, without markup."""
    text = md.text if isinstance(md, Markdown) else md
    paragraphs = []
    for block in _SAFE.parse(text):
        if block.type != "inline" or not block.children:
            continue
        words: list[str] = []
        for token in block.children:
            if token.type in ("text", "code_inline"):
                words.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                words.append(" ")
            elif token.type == "packet" and token.meta["kind"] == "omission":
                words.append("[…]")
        paragraphs.append("".join(words))
    return "\n".join(paragraphs)
