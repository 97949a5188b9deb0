"""An image a packet may print: a PNG, JPEG, GIF or SVG file inside the packet folder.

``image_problem`` says what is wrong with an image and how to fix it; ``image_size``
gives its intrinsic size, so the layout can reserve room for it. An SVG is read with
the standard library's XML parser, and only once it is known to be safe: no document
type declaration (entities can make a few bytes expand without end), nothing run,
nothing fetched from elsewhere, a bounded number of elements drawn.
"""

from __future__ import annotations

import math
import os
import re
import struct
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
# The file formats, for messages ("is not a PNG, JPEG, GIF or SVG image"); not to be
# confused with the kinds of document that are pictures (photograph, map…).
IMAGE_FORMATS = "PNG, JPEG, GIF or SVG"
MAX_IMAGE_BYTES = 20_000_000
# A page at 300 dpi is under 9 megapixels; a few kilobytes can claim billions of
# pixels, which would exhaust memory when decoded.
MAX_IMAGE_PIXELS = 40_000_000
# WeasyPrint draws about 2,000 SVG elements a second: this many take well over a minute.
MAX_SVG_ELEMENTS = 200_000
# WeasyPrint draws nested elements by recursion, and gives up somewhere past 500 levels.
MAX_SVG_DEPTH = 100
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# CSS px per unit; a number without a unit is in px.
SVG_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}

_NAME_IT = "put the image file in the packet folder and give its name, e.g. ![…](map.png)"
_SAVE_IT = "open the image in an image editor and save it again as PNG or JPEG"
_SELF_CONTAINED = (
    "an SVG in a packet must carry everything it draws: copy what it points to into the "
    "SVG, or convert the SVG to PNG"
)
# Not "embed it": an embedded (data:) picture is refused too, as packet cannot check it.
_PICTURE_INSIDE = (
    "an SVG in a packet must carry everything it draws, and packet cannot check a picture "
    "inside one: convert the SVG to PNG, or put the picture in the packet as its own image"
)
_SIMPLIFY = "simplify the drawing in a drawing program, or convert the SVG to PNG"
_UTF8_ENCODINGS = ("utf-8", "utf8", "us-ascii", "ascii")


def image_problem(root: Path, src: str) -> tuple[str, str]:
    """What is wrong with an image, and how to fix it; ("", "") if nothing."""
    if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "\\")):
        return (
            "is not a file in the packet (addresses and absolute paths are not allowed)",
            _NAME_IT,
        )
    # The parser writes 'carte-é.png' as 'carte-%C3%A9.png', as the renderer reads it.
    typed = root.resolve() / urllib.parse.unquote(src)
    # '..' that climbs out is named as such, whether or not something is there.
    if not Path(os.path.normpath(typed)).is_relative_to(root.resolve()):
        return "points outside the packet folder", _NAME_IT
    try:
        path = typed.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return "does not exist in the packet folder", _NAME_IT
    if not path.is_relative_to(root.resolve()):
        return "points outside the packet folder", _NAME_IT
    if not path.is_file():
        return "is not a file", _NAME_IT
    if path.stat().st_size > MAX_IMAGE_BYTES:
        return f"is larger than {MAX_IMAGE_BYTES // 1_000_000} MB", _SAVE_IT
    with path.open("rb") as handle:
        head = handle.read(8)
        signature = next((s for s in IMAGE_SIGNATURES if head.startswith(s)), b"")
        kind = IMAGE_SIGNATURES.get(signature, "")
        handle.seek(len(signature))
        size = _pixels(handle, kind) if kind else None
    if not kind:
        data = path.read_bytes()
        if _is_svg(data, path.suffix):
            return _svg(data).problem
        return f"is not a {IMAGE_FORMATS} image", _SAVE_IT
    if size is None or not all(size):
        return f"is a damaged {kind} file (its picture size cannot be read)", _SAVE_IT
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        return (
            f"is {width} × {height} pixels, too large to print (the limit is "
            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels)",
            "scale the image down to at most 3000 pixels on its longer side and save it again",
        )
    # A good header can front damaged picture data, which the renderer trips on late.
    from PIL import Image  # WeasyPrint decodes images with Pillow too

    try:
        with Image.open(path) as picture:
            picture.load()
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError… on damaged data
        return f"is a damaged {kind} file (its picture data cannot be read)", _SAVE_IT
    return "", ""


def image_kind(path: Path) -> str:
    """'PNG', 'JPEG', 'GIF' or 'SVG' as the file's content says, or '' for none of them."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            kind = next((k for s, k in IMAGE_SIGNATURES.items() if head.startswith(s)), "")
            if kind or path.stat().st_size > MAX_IMAGE_BYTES:
                return kind
            handle.seek(0)
            return "SVG" if _is_svg(handle.read(), path.suffix) else ""
    except OSError:
        return ""


def image_size(path: Path) -> tuple[float, float] | None:
    """The image's width and height: pixels for a PNG, JPEG or GIF, CSS px for an SVG.

    A photograph its camera marked as turned is measured as it prints, upright. An SVG
    measures as WeasyPrint draws it: its width and height; with only one of them (or
    neither), the viewBox gives the shape, and its numbers stand in for px. None if the
    file is no image, its header is damaged, or it is an SVG packet refuses; the rest of
    the checks (the picture data, the pixel limit) are image_problem's.
    """
    try:
        kind = image_kind(path)
        if kind == "SVG":
            return _svg(path.read_bytes()).size
        if not kind:
            return None
        with path.open("rb") as handle:
            handle.seek(len(next(s for s, k in IMAGE_SIGNATURES.items() if k == kind)))
            pixels = _pixels(handle, kind)
    except OSError:
        return None
    if pixels is None or not all(pixels):
        return None
    width, height = pixels
    if kind == "JPEG" and _turned(path):
        width, height = height, width
    return float(width), float(height)


def _turned(path: Path) -> bool:
    """Whether a photograph's EXIF orientation turns it a quarter (WeasyPrint obeys it)."""
    from PIL import Image

    try:
        with Image.open(path) as picture:
            return picture.getexif().get(0x0112) in (5, 6, 7, 8)
    except Exception:  # no readable EXIF: the picture prints as stored
        return False


def _pixels(handle: BinaryIO, kind: str) -> tuple[int, int] | None:
    """Width and height from an image's header, or None if the header is damaged."""
    if kind == "GIF":  # the logical screen, just after the signature
        data = handle.read(4)
        return struct.unpack("<HH", data) if len(data) == 4 else None
    if kind == "PNG":  # the first chunk must be IHDR: length, type, width, height
        data = handle.read(16)
        if len(data) < 16 or data[4:8] != b"IHDR":
            return None
        return struct.unpack(">II", data[8:16])
    handle.seek(2)  # JPEG: walk the segments to the frame header (SOF0 to SOF15)
    while True:
        marker = handle.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        length = handle.read(2)
        if len(length) < 2:
            return None
        if 0xC0 <= marker[1] <= 0xCF and marker[1] not in (0xC4, 0xC8, 0xCC):
            data = handle.read(5)
            if len(data) < 5:
                return None
            height, width = struct.unpack(">HH", data[1:5])
            return width, height
        handle.seek(struct.unpack(">H", length)[0] - 2, 1)


# --- SVG ------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _is_svg(data: bytes, suffix: str) -> bool:
    """An SVG by its content (after any declaration and comments, '<svg'), or by its
    name when the content is XML."""
    if data.startswith(_UTF16_BOMS):
        return suffix.lower() == ".svg"  # refused for its encoding, by name
    text = data.removeprefix(_BOM)
    at = len(text) - len(text.lstrip())
    if suffix.lower() == ".svg" and text[at : at + 1] == b"<":
        return True
    while True:
        at = len(text) - len(text[at:].lstrip())
        if text.startswith(b"<?", at):
            end = _after(text, b"?>", at)
        elif text.startswith(b"<!--", at):
            end = _after(text, b"-->", at)
        elif text.startswith(b"<!DOCTYPE", at):  # refused later, but an SVG all the same
            bracket, close = text.find(b"[", at), text.find(b">", at)
            # An internal subset ([ … ]>) may hold '>' of its own.
            end = _after(text, b"]>", bracket) if -1 < bracket < close else _after(text, b">", at)
        else:
            return re.match(rb"<(?:[\w.-]+:)?svg[\s/>]", text[at : at + 64]) is not None
        if end < 0:
            return False
        at = end


def _after(text: bytes, end: bytes, start: int) -> int:
    """Where the first 'end' after 'start' finishes, or -1 if there is none."""
    found = text.find(end, start)
    return found + len(end) if found >= 0 else -1


@dataclass(frozen=True)
class _Svg:
    """What reading an SVG found: the first problem (why, fix), or else its size in CSS px."""

    problem: tuple[str, str] = ("", "")
    size: tuple[float, float] | None = None


def _refuse(why: str, fix: str) -> _Svg:
    return _Svg((f"is an SVG file {why}", fix))


def _svg(data: bytes) -> _Svg:
    """Read an SVG safely: refuse what is unsafe or not self-contained before measuring it."""
    if data.startswith(_UTF16_BOMS):
        return _refuse("in UTF-16", "save it again as UTF-8, or convert the SVG to PNG")
    declared = re.match(
        rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""", data.removeprefix(_BOM)
    )
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8_ENCODINGS:
        encoding = declared.group(1).decode("ascii")
        return _refuse(f"in {encoding}", "save it again as UTF-8, or convert the SVG to PNG")
    try:
        # Scanned as the parser will read it: an entity cannot hide in another encoding.
        text = data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return _Svg(
            (
                f"is not a well-formed SVG file (line {line}: it is not UTF-8 text)",
                "save it again as UTF-8, or convert the SVG to PNG",
            )
        )
    if found := re.search(r"<!(?:DOCTYPE|ENTITY)\b", text, re.IGNORECASE):
        return _refuse(
            f"with a document type declaration ('{_declaration(text, found.start())}')",
            "delete the <!DOCTYPE …> declaration at the top of the file (with any <!ENTITY …> "
            "in it, and the &name; references to them): an SVG needs none",
        )
    if found := re.search(r"<\?xml-stylesheet\b", text, re.IGNORECASE):
        return _refuse(
            f"that loads a style sheet ('{_declaration(text, found.start())}')", _SELF_CONTAINED
        )
    parsed = _parse(data)
    if isinstance(parsed, _Svg):
        return parsed
    svg = parsed
    name = _local(svg.tag)
    if name != "svg":
        return _Svg(
            (
                f"is not an SVG file (its first element is <{name}>, not <svg>)",
                "save the drawing as SVG (or PNG) from the program that made it",
            )
        )
    if svg.tag != f"{{{SVG_NAMESPACE}}}svg":
        return _refuse(
            "without the SVG namespace",
            f'add xmlns="{SVG_NAMESPACE}" to the <svg> element at the top of the file',
        )
    problem = _unsafe(svg) or _drawn_too_often(svg)
    if problem:
        return problem
    return _measure(svg)


def _parse(data: bytes) -> ET.Element | _Svg:
    """The root element, or what stopped the parser: bad XML, too many elements or levels."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    count = depth = 0
    chunk = 1 << 16  # fed a piece at a time, so a huge file is refused before it is all read
    try:
        for at in range(0, len(data), chunk):
            parser.feed(data[at : at + chunk])
            for event in parser.read_events():
                if event[0] == "end":
                    depth -= 1
                    continue
                element = event[-1]  # the events asked for are (kind, element)
                assert isinstance(element, ET.Element)
                root = element if root is None else root
                count += 1
                depth += 1
                if count > MAX_SVG_ELEMENTS:
                    return _refuse(f"with more than {MAX_SVG_ELEMENTS:,} elements", _SIMPLIFY)
                if depth > MAX_SVG_DEPTH:
                    return _refuse(
                        f"with elements nested more than {MAX_SVG_DEPTH} levels deep", _SIMPLIFY
                    )
        parser.close()
    except ET.ParseError as error:
        line = error.position[0]
        message = re.sub(r":? line \d+, column \d+$", "", str(error))
        return _Svg(
            (
                f"is not a well-formed SVG file (line {line}: {message})",
                "open it in a drawing program and save it again as SVG, or as PNG",
            )
        )
    assert root is not None  # a document without an element is a ParseError
    return root


def _local(name: str) -> str:
    """A tag or attribute name without its namespace."""
    return name.rsplit("}", 1)[-1]


def _declaration(text: str, start: int) -> str:
    """The declaration that starts at 'start', to its '>' (past any [ … ]), shortened."""
    close, bracket = text.find(">", start), text.find("[", start)
    if -1 < bracket < close:
        subset_end = text.find("]>", bracket)
        close = subset_end + 1 if subset_end >= 0 else -1
    return _short(text[start : close + 1 if close >= 0 else None])


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_URL = re.compile(r"url\(", re.IGNORECASE)
_QUOTE = re.compile(r"\s*([\"'])")
_FRAGMENT = re.compile(r"#[^\s#]+")


def _css(text: str) -> str:
    """CSS with its escapes undone, so 'u\\72l(' is seen as the 'url(' it is."""
    if "\\" not in text:
        return text

    def undo(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "�"
        return match.group(2)

    return _CSS_ESCAPE.sub(undo, text)


def _urls(text: str) -> Iterator[str]:
    """Every address in url(…), quoted or not, closed or not (CSS closes it at the end)."""
    if "(" not in text:
        return
    for found in _URL.finditer(text):
        inside = text[found.end() :]
        quote = _QUOTE.match(inside)
        if quote:
            end = inside.find(quote.group(1), quote.end())
            yield inside[quote.end() : end if end >= 0 else None]
        else:
            end = inside.find(")")
            yield inside[: end if end >= 0 else None].strip()


def _fragment(address: str) -> str:
    """The id a same-document address '#id' names, or '' if it names anything else."""
    address = address.strip()
    return address[1:] if _FRAGMENT.fullmatch(address) else ""


def _unsafe(svg: ET.Element) -> _Svg | None:
    """The first thing in the drawing that runs, or that reaches outside the file."""
    for element in svg.iter():
        name = _local(element.tag)
        if name.lower() == "script":
            return _refuse(
                "with a <script> element",
                "a packet prints drawings, not programs: delete the <script> element, or "
                "convert the SVG to PNG",
            )
        if name.lower() == "foreignobject":
            return _refuse(
                "with a <foreignObject> element (content that is not SVG)",
                "draw it with SVG shapes and text, or convert the SVG to PNG",
            )
        for attribute, value in element.attrib.items():
            local = _local(attribute)
            if local.lower().startswith("on"):
                return _refuse(
                    f"with a script in the '{local}' attribute of <{name}>",
                    f"delete the '{local}' attribute: a packet prints drawings, not programs",
                )
            if local == "href" and not _fragment(value):
                if name == "a":
                    return _refuse(
                        f"whose <a> element links to '{_short(value)}'",
                        "delete the link (a printed page cannot follow it), or convert the SVG "
                        "to PNG",
                    )
                picture = name.lower() in ("image", "feimage")
                return _refuse(
                    f"whose <{name}> element points to '{_short(value)}'",
                    _PICTURE_INSIDE if picture else _SELF_CONTAINED,
                )
            for address in _urls(_css(value)):
                if not _fragment(address):
                    return _refuse(
                        f"whose <{name}> element points to 'url({_short(address)})' in its "
                        f"'{local}' attribute",
                        _SELF_CONTAINED,
                    )
        if name == "style":
            sheet = _css("".join(element.itertext()))
            if found := re.search(r"@import\b\s*([^;]*)", sheet, re.IGNORECASE):
                imported = next(_urls(found.group(1)), found.group(1).strip().strip("\"'"))
                return _refuse(f"whose <style> imports '{_short(imported)}'", _SELF_CONTAINED)
            for address in _urls(sheet):
                if not _fragment(address):
                    return _refuse(
                        f"whose <style> points to 'url({_short(address)})'", _SELF_CONTAINED
                    )
    return None


# The properties whose url(#id) draws the marker at every vertex of a shape.
_MARKERS = ("marker", "marker-start", "marker-mid", "marker-end")


def _drawn_too_often(svg: ET.Element) -> _Svg | None:
    """Refuse a drawing that references itself, or whose references multiply it past the limit.

    A <use> draws what it names, which may hold <use>s of its own: ten of ten of ten…
    take a few lines to write and forever to draw, and one that holds itself never ends.
    Counted here as drawn: each element once, plus what it names (href="#id", url(#id)
    in attributes and style attributes), a marker once for each vertex it stands on.
    Rules in a <style> sheet are not followed: which elements they reach is not counted.
    """
    ids = {element.get("id"): element for element in svg.iter() if element.get("id")}
    cost: dict[int, int] = {}
    # An explicit stack: a chain of references can be longer than Python's recursion.
    # Each frame: the element, what it draws still to count, how often its parent draws
    # it, and the count so far.
    stack: list[tuple[ET.Element, Iterator[tuple[ET.Element, int]], int, list[int]]] = [
        (svg, _draws(svg, ids), 1, [1])
    ]
    drawing = {id(svg)}
    while stack:
        element, pending, times, total = stack[-1]
        step = next(pending, None)
        if step is None:
            stack.pop()
            drawing.discard(id(element))
            cost[id(element)] = total[0]
            if stack:
                stack[-1][3][0] += total[0] * times
                if stack[-1][3][0] > MAX_SVG_ELEMENTS:  # every element counts toward the root
                    return _refuse(
                        f"that draws more than {MAX_SVG_ELEMENTS:,} elements once what it "
                        "reuses (<use>, markers, patterns) is counted",
                        _SIMPLIFY,
                    )
            continue
        target, target_times = step
        if id(target) in drawing:
            return _refuse(
                f"whose <{_local(element.tag)}> element draws '#{target.get('id')}', "
                "which holds it: a loop that never ends",
                "point the reference at a shape outside the element that holds it, "
                "or convert the SVG to PNG",
            )
        if id(target) in cost:
            total[0] += cost[id(target)] * target_times
            if total[0] <= MAX_SVG_ELEMENTS:
                continue
            return _refuse(
                f"that draws more than {MAX_SVG_ELEMENTS:,} elements once what it "
                "reuses (<use>, markers, patterns) is counted",
                _SIMPLIFY,
            )
        drawing.add(id(target))
        stack.append((target, _draws(target, ids), target_times, [1]))
    return None


def _draws(
    element: ET.Element, ids: dict[str | None, ET.Element]
) -> Iterator[tuple[ET.Element, int]]:
    """What drawing an element draws, and how many times: its children, then what it names."""
    for child in element:
        yield child, 1
    for attribute, value in element.attrib.items():
        local = _local(attribute)
        if local == "href":
            if (target := ids.get(_fragment(value))) is not None:
                yield target, 1
            continue
        declarations = (
            [d.split(":", 1) for d in value.split(";") if ":" in d]
            if local == "style"
            else [[local, value]]
        )
        for prop, text in declarations:
            for address in _urls(_css(text)):
                if (target := ids.get(_fragment(address))) is not None:
                    yield target, _vertices(element) if prop.strip() in _MARKERS else 1


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _vertices(element: ET.Element) -> int:
    """About how many vertices a shape has, each of which may carry a marker."""
    if _local(element.tag) == "line":
        return 2
    numbers = _NUMBER.findall(element.get("d", "") + " " + element.get("points", ""))
    return max(1, len(numbers) // 2)


def _measure(svg: ET.Element) -> _Svg:
    """The drawing's size in CSS px, or why it has none packet can use.

    As WeasyPrint reads it: width and height when both are lengths; one of them with the
    viewBox's shape; else the viewBox's own width and height, its numbers taken as px.
    """
    box: tuple[float, float] | None = None
    if (typed_box := svg.get("viewBox")) is not None:
        numbers = re.split(r"[\s,]+", typed_box.strip())
        try:
            values = [float(n) for n in numbers] if len(numbers) == 4 else []
        except ValueError:
            values = []
        if not (len(values) == 4 and all(math.isfinite(v) for v in values)) or min(values[2:]) <= 0:
            return _refuse(
                f"whose viewBox '{_short(typed_box)}' is not four numbers with a width and "
                "height above 0",
                'write it as viewBox="0 0 W H", with the drawing\'s width and height',
            )
        box = (values[2], values[3])
    lengths: dict[str, float | None] = {}
    for side in ("width", "height"):
        typed = svg.get(side, "").strip()
        if not typed or typed.endswith("%"):  # a share of the page: no size of its own
            lengths[side] = None
            continue
        # Units in lower case, as the renderer reads them ('10PX' would be drawn 0 wide).
        found = re.fullmatch(rf"({_NUMBER.pattern})\s*([a-z]*)", typed)
        length = float(found.group(1)) * SVG_UNITS.get(found.group(2), 0) if found else 0.0
        if not 0 < length < math.inf:
            return _refuse(
                f"whose {side} '{_short(typed)}' is not a length above 0 in px, pt, in, cm or mm",
                f'write the {side} as a number of px, pt, in, cm or mm (e.g. {side}="600"), '
                "or delete it and give a viewBox",
            )
        lengths[side] = length
    width, height = lengths["width"], lengths["height"]
    if width is not None and height is not None:
        size = (width, height)
    elif box is None:
        return _refuse(
            "that has no size (neither a viewBox nor a width and height)",
            'add a viewBox to the <svg> element: viewBox="0 0 W H", with the drawing\'s width '
            "and height",
        )
    elif width is not None:
        size = (width, width * box[1] / box[0])
    elif height is not None:
        size = (height * box[0] / box[1], height)
    else:
        size = box
    if not all(0 < side < math.inf for side in size):  # a shape too thin to print
        return _refuse(
            f"whose size works out at {size[0]:g} × {size[1]:g} px",
            'give it a viewBox with the drawing\'s own width and height: viewBox="0 0 W H"',
        )
    return _Svg(size=size)
