"""An image a packet may print: PNG, JPEG, GIF or a safe, self-contained SVG; and its size."""

from __future__ import annotations

import io
import logging
import os
import zlib
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from badinput import png
from packet.content.images import (
    IMAGE_FORMATS,
    IMAGE_SUFFIXES,
    MAX_IMAGE_BYTES,
    MAX_SVG_DEPTH,
    MAX_SVG_ELEMENTS,
    image_kind,
    image_problem,
    image_size,
)

NS = 'xmlns="http://www.w3.org/2000/svg"'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
NAME_IT = "put the image file in the packet folder and give its name, e.g. ![…](map.png)"
SAVE_IT = "open the image in an image editor and save it again as PNG or JPEG"
SELF_CONTAINED = (
    "an SVG in a packet must carry everything it draws: copy what it points to into the "
    "SVG, or convert the SVG to PNG"
)
PICTURE_INSIDE = (
    "an SVG in a packet must carry everything it draws, and packet cannot check a picture "
    "inside one: convert the SVG to PNG, or put the picture in the packet as its own image"
)
SIMPLIFY = "simplify the drawing in a drawing program, or convert the SVG to PNG"
UTF8 = "save it again as UTF-8, or convert the SVG to PNG"
NO_PROGRAMS = "a packet prints drawings, not programs"


def svg(
    body: str = '<rect width="10" height="5"/>', attributes: str = 'viewBox="0 0 200 100"'
) -> str:
    """An SVG file's text: the root element with its namespaces, around body."""
    return f"<svg {NS} {XLINK} {attributes}>{body}</svg>"


def raster(kind: str, size: tuple[int, int] = (30, 20), **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=kind, **options)
    return buffer.getvalue()


def plant(root: Path, name: str, data: bytes | str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# Raster images: the checks moved from validate.py, unchanged ---------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("map.png", png(40, 30)),
        ("photo.jpg", raster("JPEG")),
        ("photo.jpeg", raster("JPEG", (3000, 2000))),
        ("poster.gif", raster("GIF")),
        ("carte-é.png", png()),
        ("images/map.png", png()),
        ("map.image", png()),  # the content decides, not the name
    ],
)
def test_a_raster_image_in_the_packet_is_accepted(tmp_path: Path, name: str, data: bytes) -> None:
    plant(tmp_path, name, data)
    assert image_problem(tmp_path, name) == ("", "")


def test_a_name_the_markdown_parser_escaped_is_found(tmp_path: Path) -> None:
    plant(tmp_path, "carte-é.png", png())
    assert image_problem(tmp_path, "carte-%C3%A9.png") == ("", "")


NOT_IN_PACKET = "is not a file in the packet (addresses and absolute paths are not allowed)"


@pytest.mark.parametrize(
    ("src", "why"),
    [
        ("", NOT_IN_PACKET),
        ("https://example.com/map.png", NOT_IN_PACKET),
        ("file:///etc/passwd", NOT_IN_PACKET),
        ("data:image/png;base64,iVBORw0KGgo=", NOT_IN_PACKET),
        ("/etc/passwd", NOT_IN_PACKET),
        ("\\server\\map.png", NOT_IN_PACKET),
        ("../x.png", "points outside the packet folder"),
        ("images/../../x.png", "points outside the packet folder"),
        ("missing.png", "does not exist in the packet folder"),
        ("images", "is not a file"),
    ],
)
def test_an_image_that_is_not_a_file_in_the_packet_is_refused(
    tmp_path: Path, src: str, why: str
) -> None:
    packet = tmp_path / "packet"
    (packet / "images").mkdir(parents=True)
    plant(tmp_path, "x.png", png())  # there, but outside
    assert image_problem(packet, src) == (why, NAME_IT)


def test_a_link_out_of_the_packet_is_refused(tmp_path: Path) -> None:
    packet = tmp_path / "packet"
    packet.mkdir()
    os.symlink(plant(tmp_path, "outside.png", png()), packet / "map.png")
    assert image_problem(packet, "map.png") == ("points outside the packet folder", NAME_IT)


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    with (tmp_path / "map.png").open("wb") as handle:
        handle.write(png())
        handle.truncate(MAX_IMAGE_BYTES + 1)
    assert image_problem(tmp_path, "map.png") == ("is larger than 20 MB", SAVE_IT)
    with (tmp_path / "map.svg").open("wb") as handle:
        handle.write(svg().encode())
        handle.truncate(MAX_IMAGE_BYTES + 1)
    assert image_problem(tmp_path, "map.svg") == ("is larger than 20 MB", SAVE_IT)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"Hello, I am text", f"is not a {IMAGE_FORMATS} image"),
        (b"<p>hello</p>", f"is not a {IMAGE_FORMATS} image"),  # XML, but not named .svg
        (b"", f"is not a {IMAGE_FORMATS} image"),
        (png()[:8] + b"garbage" * 50, "is a damaged PNG file (its picture size cannot be read)"),
        (b"GIF89a\x01", "is a damaged GIF file (its picture size cannot be read)"),
        (b"\xff\xd8\xff\xe0\x00", "is a damaged JPEG file (its picture size cannot be read)"),
        (png(0, 10), "is a damaged PNG file (its picture size cannot be read)"),
        (
            png(4, 4).replace(zlib.compress(b"\x00" + b"\x80" * 4), b"\x00" * 12),
            "is a damaged PNG file (its picture data cannot be read)",
        ),
    ],
)
def test_a_file_that_is_no_image_or_a_damaged_one_is_refused(
    tmp_path: Path, data: bytes, why: str
) -> None:
    plant(tmp_path, "map.png", data)
    assert image_problem(tmp_path, "map.png") == (why, SAVE_IT)


def test_an_image_of_too_many_pixels_is_refused(tmp_path: Path) -> None:
    plant(tmp_path, "map.png", png(30000, 30000))
    assert image_problem(tmp_path, "map.png") == (
        "is 30000 × 30000 pixels, too large to print (the limit is 40 megapixels)",
        "scale the image down to at most 3000 pixels on its longer side and save it again",
    )


# SVG: what is accepted -----------------------------------------------------------------

ACCEPTED_SVG = {
    "viewBox": svg(),
    "viewBox with commas": svg(attributes='viewBox="0,0,200,100"'),
    "width and height": svg(attributes='width="200" height="100"'),
    "width and height in px": svg(attributes='width="200px" height="100px"'),
    "in pt": svg(attributes='width="150pt" height="75pt"'),
    "in inches": svg(attributes='width="2in" height="1in"'),
    "in cm": svg(attributes='width="5.08cm" height="2.54cm"'),
    "in mm": svg(attributes='width="50.8mm" height="25.4mm"'),
    "width and viewBox": svg(attributes='width="400" viewBox="0 0 200 100"'),
    "percentages and viewBox": svg(attributes='width="100%" height="100%" viewBox="0 0 2 1"'),
    "BOM, declaration and comments": (
        "\ufeff<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n"
        "<!-- Created with a drawing program -->\n<!-- a second comment -->\n" + svg()
    ),
    "same-document references": svg(
        '<defs><linearGradient id="sea"><stop offset="0" stop-color="#9cf"/></linearGradient>'
        '<circle id="dot" r="3"/><marker id="arrow"><path d="M0 0 L3 3"/></marker></defs>'
        '<rect fill="url(#sea)" style="stroke: url(\'#sea\')" width="10" height="10"/>'
        '<use href="#dot" x="20"/><use xlink:href="#dot" x="30"/>'
        '<path d="M0 0 L10 10 L20 0" marker-mid="url(#arrow)"/>'
    ),
    "style sheet with same-document references": svg(
        '<style>rect { fill: url("#sea") } .city { font: 12px "Packet Sans" }</style>'
        '<linearGradient id="sea"/><rect width="5" height="5"/>'
    ),
    "text": svg('<text x="10" y="50" font-family="Packet Sans" font-size="14">Havana</text>'),
    "nested as deep as allowed": svg("<g>" * (MAX_SVG_DEPTH - 1) + "</g>" * (MAX_SVG_DEPTH - 1)),
    "uses of uses": svg(
        '<defs><rect id="l0" width="1" height="1"/>'
        + "".join(f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in (1, 2, 3))
        + '</defs><use href="#l3"/>'
    ),
    "a reference to nothing": svg('<use href="#nowhere"/>'),
}


@pytest.mark.parametrize("text", ACCEPTED_SVG.values(), ids=ACCEPTED_SVG.keys())
def test_a_safe_self_contained_svg_is_accepted(tmp_path: Path, text: str) -> None:
    plant(tmp_path, "map.svg", text)
    assert image_problem(tmp_path, "map.svg") == ("", "")
    assert image_kind(tmp_path / "map.svg") == "SVG"


def test_an_svg_may_draw_up_to_the_limit(tmp_path: Path) -> None:
    """150 uses of 1,000 shapes: 151,000 drawn, and 1,153 elements in the file."""
    plant(
        tmp_path,
        "map.svg",
        svg(
            '<defs><g id="many">'
            + '<rect width="1" height="1"/>' * 1000
            + "</g></defs>"
            + '<use href="#many"/>' * 150
        ),
    )
    assert image_problem(tmp_path, "map.svg") == ("", "")


@pytest.mark.parametrize(
    "name", ["map.svg", "map.png", "map", "MAP.SVG"], ids=["svg", "png", "none", "capitals"]
)
def test_an_svg_is_known_by_its_content_whatever_its_name(tmp_path: Path, name: str) -> None:
    plant(tmp_path, name, "<?xml version='1.0'?>\n<!-- map -->\n" + svg())
    assert image_problem(tmp_path, name) == ("", "")
    assert image_kind(tmp_path / name) == "SVG"


def test_xml_named_svg_is_read_as_an_svg(tmp_path: Path) -> None:
    plant(tmp_path, "map.svg", "<html><body/></html>")
    assert image_problem(tmp_path, "map.svg") == (
        "is not an SVG file (its first element is <html>, not <svg>)",
        "save the drawing as SVG (or PNG) from the program that made it",
    )
    plant(tmp_path, "notes.svg", "just some words")
    assert image_problem(tmp_path, "notes.svg") == (f"is not a {IMAGE_FORMATS} image", SAVE_IT)


# SVG: what is refused, and how to fix it -------------------------------------------------

REFUSED_SVG = {
    "DOCTYPE": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + svg(),
        "is an SVG file with a document type declaration ('<!DOCTYPE svg PUBLIC "
        '"-//W3C//DTD SVG 1.1//EN" "http://www.…\')',
        "delete the <!DOCTYPE …> declaration at the top of the file (with any <!ENTITY …> in "
        "it, and the &name; references to them): an SVG needs none",
    ),
    "billion laughs": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
        + svg("<text>&b;</text>"),
        'is an SVG file with a document type declaration (\'<!DOCTYPE svg [<!ENTITY a "lol">'
        '<!ENTITY b "&a;&a;&a;&a;">]>\')',
        None,
    ),
    "external entity": (
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + svg("<text>&x;</text>"),
        "is an SVG file with a document type declaration ('<!DOCTYPE svg [<!ENTITY x SYSTEM "
        '"file:///etc/passwd">]>\')',
        None,
    ),
    "entity without a DOCTYPE": (
        svg('<!ENTITY x "y">'),
        "is an SVG file with a document type declaration ('<!ENTITY x \"y\">')",
        None,
    ),
    "doctype in lower case": (
        "<!doctype svg>" + svg(),
        "is an SVG file with a document type declaration ('<!doctype svg>')",
        None,
    ),
    "style sheet processing instruction": (
        '<?xml-stylesheet type="text/css" href="style.css"?>' + svg(),
        'is an SVG file that loads a style sheet (\'<?xml-stylesheet type="text/css" '
        'href="style.css"?>\')',
        SELF_CONTAINED,
    ),
    "script": (
        svg("<script>alert(1)</script>"),
        "is an SVG file with a <script> element",
        NO_PROGRAMS + ": delete the <script> element, or convert the SVG to PNG",
    ),
    "script in another namespace": (
        svg('<html:script xmlns:html="http://www.w3.org/1999/xhtml">x()</html:script>'),
        "is an SVG file with a <script> element",
        None,
    ),
    "event attribute": (
        svg('<rect onclick="steal()" width="1" height="1"/>'),
        "is an SVG file with a script in the 'onclick' attribute of <rect>",
        f"delete the 'onclick' attribute: {NO_PROGRAMS}",
    ),
    "foreignObject": (
        svg('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>'),
        "is an SVG file with a <foreignObject> element (content that is not SVG)",
        "draw it with SVG shapes and text, or convert the SVG to PNG",
    ),
    "image from the web": (
        svg('<image href="https://example.com/tiles/cuba/florida/straits/1962/map.png"/>'),
        "is an SVG file whose <image> element points to "
        "'https://example.com/tiles/cuba/florida/straits/1962/map.png'",
        PICTURE_INSIDE,
    ),
    "long address, cut at 60": (
        svg('<image href="https://example.com/' + "a" * 100 + '.png"/>'),
        "is an SVG file whose <image> element points to 'https://example.com/" + "a" * 39 + "…'",
        PICTURE_INSIDE,
    ),
    "image beside it": (
        svg('<image xlink:href="map.png" width="10" height="10"/>'),
        "is an SVG file whose <image> element points to 'map.png'",
        PICTURE_INSIDE,
    ),
    "image embedded": (
        svg('<image href="data:image/png;base64,iVBORw0KGgo=" width="10" height="10"/>'),
        "is an SVG file whose <image> element points to 'data:image/png;base64,iVBORw0KGgo='",
        PICTURE_INSIDE,
    ),
    "file address": (
        svg('<image href="file:///etc/passwd"/>'),
        "is an SVG file whose <image> element points to 'file:///etc/passwd'",
        PICTURE_INSIDE,
    ),
    "feImage": (
        svg('<filter id="f"><feImage href="texture.png"/></filter>'),
        "is an SVG file whose <feImage> element points to 'texture.png'",
        PICTURE_INSIDE,
    ),
    "use of another file": (
        svg('<use href="symbols.svg#star"/>'),
        "is an SVG file whose <use> element points to 'symbols.svg#star'",
        SELF_CONTAINED,
    ),
    "use of an empty address": (
        svg('<use href=""/>'),
        "is an SVG file whose <use> element points to ''",
        SELF_CONTAINED,
    ),
    "a bare #": (
        svg('<use href="#"/>'),
        "is an SVG file whose <use> element points to '#'",
        SELF_CONTAINED,
    ),
    "link": (
        svg('<a href="https://example.com"><text>x</text></a>'),
        "is an SVG file whose <a> element links to 'https://example.com'",
        "delete the link (a printed page cannot follow it), or convert the SVG to PNG",
    ),
    "url() in an attribute": (
        svg('<rect fill="url(pattern.svg#p)" width="1" height="1"/>'),
        "is an SVG file whose <rect> element points to 'url(pattern.svg#p)' in its 'fill' "
        "attribute",
        SELF_CONTAINED,
    ),
    "url() in a style attribute": (
        svg("<rect style=\"fill: red; background: url('https://x.org/a.png')\"/>"),
        "is an SVG file whose <rect> element points to 'url(https://x.org/a.png)' in its "
        "'style' attribute",
        SELF_CONTAINED,
    ),
    "url() left open": (
        svg('<rect fill="url(http://x.org/a.svg#p" width="1" height="1"/>'),
        "is an SVG file whose <rect> element points to 'url(http://x.org/a.svg#p)' in its "
        "'fill' attribute",
        SELF_CONTAINED,
    ),
    "url() in a style sheet": (
        svg("<style>@font-face { font-family: X; src: url(https://x.org/x.woff) }</style>"),
        "is an SVG file whose <style> points to 'url(https://x.org/x.woff)'",
        SELF_CONTAINED,
    ),
    "url() hidden by a CSS escape": (
        svg('<style>rect { fill: u\\72l("pattern.svg#p") }</style>'),
        "is an SVG file whose <style> points to 'url(pattern.svg#p)'",
        SELF_CONTAINED,
    ),
    "URL() in capitals, in CDATA": (
        svg("<style><![CDATA[rect { fill: URL( 'a.svg#p' ) }]]></style>"),
        "is an SVG file whose <style> points to 'url(a.svg#p)'",
        SELF_CONTAINED,
    ),
    "@import": (
        svg('<style>@import "fonts.css"; rect { fill: red }</style>'),
        "is an SVG file whose <style> imports 'fonts.css'",
        SELF_CONTAINED,
    ),
    "@import url()": (
        svg("<style>@import url(https://fonts.example.com/css?family=X);</style>"),
        "is an SVG file whose <style> imports 'https://fonts.example.com/css?family=X'",
        SELF_CONTAINED,
    ),
    "not well-formed": (
        svg("<g>\n<rect>\n</g>"),
        "is not a well-formed SVG file (line 3: mismatched tag)",
        "open it in a drawing program and save it again as SVG, or as PNG",
    ),
    "cut short": (
        svg()[:-10],
        "is not a well-formed SVG file (line 1: unclosed token)",
        None,
    ),
    "undefined entity": (
        svg("<text>&nbsp;</text>"),
        "is not a well-formed SVG file (line 1: undefined entity)",
        None,
    ),
    "no namespace": (
        '<svg viewBox="0 0 2 1"/>',
        "is an SVG file without the SVG namespace",
        'add xmlns="http://www.w3.org/2000/svg" to the <svg> element at the top of the file',
    ),
    "another namespace": (
        '<svg xmlns="http://example.com/not-svg" viewBox="0 0 2 1"/>',
        "is an SVG file without the SVG namespace",
        None,
    ),
    "Latin-1": (
        '<?xml version="1.0" encoding="ISO-8859-1"?>' + svg(),
        "is an SVG file in ISO-8859-1",
        UTF8,
    ),
    "no size": (
        svg(attributes=""),
        "is an SVG file that has no size (neither a viewBox nor a width and height)",
        'add a viewBox to the <svg> element: viewBox="0 0 W H", with the drawing\'s width and '
        "height",
    ),
    "only a width": (
        svg(attributes='width="200"'),
        "is an SVG file that has no size (neither a viewBox nor a width and height)",
        None,
    ),
    "percentages only": (
        svg(attributes='width="100%" height="100%"'),
        "is an SVG file that has no size (neither a viewBox nor a width and height)",
        None,
    ),
    "width in em": (
        svg(attributes='width="10em" height="5em" viewBox="0 0 2 1"'),
        "is an SVG file whose width '10em' is not a length above 0 in px, pt, in, cm or mm",
        'write the width as a number of px, pt, in, cm or mm (e.g. width="600"), or delete it '
        "and give a viewBox",
    ),
    "height of 0": (
        svg(attributes='width="10" height="0"'),
        "is an SVG file whose height '0' is not a length above 0 in px, pt, in, cm or mm",
        None,
    ),
    "height not a number": (
        svg(attributes='width="10" height="tall"'),
        "is an SVG file whose height 'tall' is not a length above 0 in px, pt, in, cm or mm",
        None,
    ),
    "width in capital PX": (
        svg(attributes='width="10PX" height="5PX"'),
        "is an SVG file whose width '10PX' is not a length above 0 in px, pt, in, cm or mm",
        None,
    ),
    "width too thin to print": (
        svg(attributes='width="1" viewBox="0 0 1e300 1e-300"'),
        "is an SVG file whose size works out at 1 × 0 px",
        'give it a viewBox with the drawing\'s own width and height: viewBox="0 0 W H"',
    ),
    "viewBox not finite": (
        svg(attributes='viewBox="nan 0 1 1"'),
        "is an SVG file whose viewBox 'nan 0 1 1' is not four numbers with a width and height "
        "above 0",
        None,
    ),
    "viewBox of three numbers": (
        svg(attributes='viewBox="0 0 200"'),
        "is an SVG file whose viewBox '0 0 200' is not four numbers with a width and height "
        "above 0",
        'write it as viewBox="0 0 W H", with the drawing\'s width and height',
    ),
    "viewBox of no width": (
        svg(attributes='viewBox="0 0 0 100"'),
        "is an SVG file whose viewBox '0 0 0 100' is not four numbers with a width and height "
        "above 0",
        None,
    ),
    "viewBox not numbers": (
        svg(attributes='viewBox="auto"'),
        "is an SVG file whose viewBox 'auto' is not four numbers with a width and height above 0",
        None,
    ),
    "too many elements": (
        svg("<g/>" * MAX_SVG_ELEMENTS),  # with the root, one more than allowed
        "is an SVG file with more than 200,000 elements",
        SIMPLIFY,
    ),
    "nested too deep": (
        svg("<g>" * MAX_SVG_DEPTH + "</g>" * MAX_SVG_DEPTH),
        "is an SVG file with elements nested more than 100 levels deep",
        SIMPLIFY,
    ),
    "a use that draws itself": (
        svg('<g id="a"><rect width="1" height="1"/><use href="#a" x="2"/></g>'),
        "is an SVG file whose <use> element draws '#a', which holds it: a loop that never ends",
        "point the reference at a shape outside the element that holds it, or convert the SVG "
        "to PNG",
    ),
    "uses in a ring": (
        svg('<defs><g id="a"><use href="#b"/></g><g id="b"><use xlink:href="#a"/></g></defs>'),
        "is an SVG file whose <use> element draws '#a', which holds it: a loop that never ends",
        None,
    ),
    "a pattern filled with itself": (
        svg('<pattern id="p"><rect fill="url(#p)" width="1" height="1"/></pattern>'),
        "is an SVG file whose <rect> element draws '#p', which holds it: a loop that never ends",
        None,
    ),
    "uses of uses (billion laughs)": (
        svg(
            '<defs><rect id="l0" width="1" height="1"/>'
            + "".join(
                f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 7)
            )
            + '</defs><use href="#l6"/>'
        ),
        "is an SVG file that draws more than 200,000 elements once what it reuses (<use>, "
        "markers, patterns) is counted",
        SIMPLIFY,
    ),
    "a marker on every vertex": (
        svg(
            '<marker id="m">' + '<circle r="1"/>' * 1000 + "</marker>"
            '<path marker-mid="url(#m)" d="M0 0' + " L1 1" * 300 + '"/>'
        ),
        "is an SVG file that draws more than 200,000 elements once what it reuses (<use>, "
        "markers, patterns) is counted",
        SIMPLIFY,
    ),
}


@pytest.mark.parametrize(("text", "why", "fix"), REFUSED_SVG.values(), ids=REFUSED_SVG.keys())
def test_an_unsafe_or_unusable_svg_is_refused_with_what_was_found(
    tmp_path: Path, text: str, why: str, fix: str | None
) -> None:
    plant(tmp_path, "map.svg", text)
    found_why, found_fix = image_problem(tmp_path, "map.svg")
    assert found_why == why
    if fix is not None:
        assert found_fix == fix
    assert image_size(tmp_path / "map.svg") is None


def test_an_svg_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    plant(tmp_path, "map.svg", svg().encode("utf-16"))
    assert image_problem(tmp_path, "map.svg") == ("is an SVG file in UTF-16", UTF8)
    plant(tmp_path, "map.svg", svg("<text>Caf\xe9</text>").encode("latin-1"))
    assert image_problem(tmp_path, "map.svg") == (
        "is not a well-formed SVG file (line 1: it is not UTF-8 text)",
        UTF8,
    )


def test_the_first_refusal_is_the_one_reported(tmp_path: Path) -> None:
    plant(tmp_path, "map.svg", svg('<image href="a.png"/><script>x()</script>', attributes=""))
    assert image_problem(tmp_path, "map.svg")[0] == (
        "is an SVG file whose <image> element points to 'a.png'"
    )


def test_an_svg_beside_a_raster_keeps_the_raster_checks(tmp_path: Path) -> None:
    """A PNG named .svg is read as the PNG it is (the renderer reads content too)."""
    plant(tmp_path, "map.svg", png(30000, 30000))
    assert image_problem(tmp_path, "map.svg")[0].startswith("is 30000 × 30000 pixels")


# Sizes ------------------------------------------------------------------------------------

SIZES = {
    "viewBox": (svg(), (200.0, 100.0)),
    "width and height": (svg(attributes='width="300" height="150"'), (300.0, 150.0)),
    "width and height win over the viewBox": (
        svg(attributes='width="300" height="300" viewBox="0 0 200 100"'),
        (300.0, 300.0),
    ),
    "px": (svg(attributes='width="30px" height="15px"'), (30.0, 15.0)),
    "pt": (svg(attributes='width="72pt" height="36pt"'), (96.0, 48.0)),
    "in": (svg(attributes='width="2in" height="1in"'), (192.0, 96.0)),
    "cm": (svg(attributes='width="2.54cm" height="1.27cm"'), (96.0, 48.0)),
    "mm": (svg(attributes='width="25.4mm" height="12.7mm"'), (96.0, 48.0)),
    "decimals and spaces": (svg(attributes='width=" 1.5e2 " height="75.0"'), (150.0, 75.0)),
    "width and viewBox": (svg(attributes='width="400" viewBox="0 0 200 100"'), (400.0, 200.0)),
    "height and viewBox": (svg(attributes='height="50" viewBox="0 0 200 100"'), (100.0, 50.0)),
    "percentages and viewBox": (
        svg(attributes='width="100%" height="80%" viewBox="10 10 40 30"'),
        (40.0, 30.0),
    ),
}


@pytest.mark.parametrize(("text", "size"), SIZES.values(), ids=SIZES.keys())
def test_the_size_of_an_svg_is_in_css_px(
    tmp_path: Path, text: str, size: tuple[float, float]
) -> None:
    path = plant(tmp_path, "map.svg", text)
    measured = image_size(path)
    assert measured is not None
    assert measured == pytest.approx(size)


@pytest.mark.parametrize(
    ("name", "data", "size"),
    [
        ("map.png", png(640, 480), (640.0, 480.0)),
        ("photo.jpg", raster("JPEG", (300, 200)), (300.0, 200.0)),
        ("poster.gif", raster("GIF", (12, 34)), (12.0, 34.0)),
    ],
)
def test_the_size_of_a_raster_is_its_pixels(
    tmp_path: Path, name: str, data: bytes, size: tuple[float, float]
) -> None:
    assert image_size(plant(tmp_path, name, data)) == size


def test_a_photo_marked_as_turned_is_measured_upright(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90° clockwise to display
    path = plant(tmp_path, "photo.jpg", raster("JPEG", (300, 200), exif=exif))
    assert image_size(path) == (200.0, 300.0)
    assert image_problem(tmp_path, "photo.jpg") == ("", "")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", b"hello"),
        ("map.png", png()[:8] + b"garbage"),
        ("map.png", png(0, 5)),
        ("map.svg", svg(attributes="")),
        ("map.svg", "<!DOCTYPE svg>" + svg()),
    ],
)
def test_no_size_for_what_is_no_printable_image(
    tmp_path: Path, name: str, data: bytes | str
) -> None:
    assert image_size(plant(tmp_path, name, data)) is None
    assert image_size(tmp_path / "missing.png") is None


def test_the_kinds_named_in_messages() -> None:
    assert IMAGE_FORMATS == "PNG, JPEG, GIF or SVG"
    assert set(IMAGE_SUFFIXES) == {".png", ".jpg", ".jpeg", ".gif", ".svg"}


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.png", png(), "PNG"),
        ("a.jpg", raster("JPEG"), "JPEG"),
        ("a.gif", raster("GIF"), "GIF"),
        ("a.svg", svg(), "SVG"),
        ("a.svg", "<!DOCTYPE svg>" + svg(), "SVG"),  # an SVG still, refused for its DOCTYPE
        ("a.xml", "<?xml version='1.0'?><!-- c --><svg:svg xmlns:svg='x'/>", "SVG"),
        ("a.xml", "<html/>", ""),
        ("a.txt", "svg", ""),
        ("a.png", b"", ""),
    ],
)
def test_image_kind(tmp_path: Path, name: str, data: bytes | str, kind: str) -> None:
    assert image_kind(plant(tmp_path, name, data)) == kind


# What WeasyPrint makes of an accepted SVG ----------------------------------------------------


def test_accepted_svgs_render_with_the_bundled_fonts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every accepted SVG draws without WeasyPrint giving up on it; text is in Packet Sans."""
    from packet.layout import fetch, pdf
    from packet.resources import fonts_dir, templates_dir

    images = []
    for number, text in enumerate(ACCEPTED_SVG.values()):
        plant(tmp_path, f"figure-{number}.svg", text)
        assert image_problem(tmp_path, f"figure-{number}.svg") == ("", "")
        images.append(f'<p><img src="figure-{number}.svg" alt="figure" style="width: 2in"></p>')
    map_svg = svg(
        '<rect x="10" y="10" width="50" height="30" fill="#c00"/><circle cx="120" cy="50" r="20"/>'
        '<text x="10" y="90" font-family="Packet Sans" font-size="14">Havana 1962</text>'
    )
    plant(tmp_path, "map.svg", map_svg)
    html = (
        '<html lang="en"><body><p>Before</p><img src="map.svg" alt="a map" style="width: 4in">'
        f"<p>After</p>{''.join(images)}</body></html>"
    )
    fetcher = fetch.Fetcher([tmp_path, templates_dir(), fonts_dir()])
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = pdf.write(pdf.render(html, base=tmp_path, fetcher=fetcher))
    assert not [r for r in caplog.records if "SVG" in r.getMessage()]
    assert not fetcher.refused
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[0]
        text = page.extract_text()
        assert "Before\nHavana 1962\nAfter" in text
        havana = [c for c in page.chars if c["text"] in "Havana"]
        assert havana and all("Packet-Sans" in c["fontname"] for c in havana)
        assert page.rects and page.curves  # the rectangle and the circle


_PIECES = st.sampled_from(
    [
        svg(),
        f"<svg {NS}",
        ' viewBox="0 0 1 1"',
        ' width="2in"',
        ">",
        "</svg>",
        "<g>",
        "</g>",
        '<use href="#a"/>',
        '<rect id="a" fill="url(#a)"/>',
        "<!--",
        "-->",
        "<?xml version='1.0'?>",
        "<!DOCTYPE",
        "]>",
        "<style>",
        "\\75rl(x)",
        "</style>",
        "&amp;",
        "\ufeff",
        "\x00",
        "é",
    ]
)


@given(
    data=st.one_of(st.binary(max_size=100), st.lists(_PIECES, max_size=20).map("".join)),
    name=st.sampled_from(["a.svg", "a.png", "a"]),
)
def test_any_file_gets_an_answer_never_an_exception(data: bytes | str, name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = plant(root, name, data)
        why, fix = image_problem(root, name)
        assert bool(why) == bool(fix)
        size = image_size(path)
        if not why:
            assert size is not None and all(0 < side < float("inf") for side in size)
