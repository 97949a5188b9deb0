"""PLACEHOLDER until the dates branch lands: the raster checks moved from validate.py."""

from __future__ import annotations

import os
import re
import struct
import urllib.parse
from pathlib import Path
from typing import BinaryIO

IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
MAX_IMAGE_BYTES = 20_000_000
# A page at 300 dpi is under 9 megapixels; a few kilobytes can claim billions of
# pixels, which would exhaust memory when decoded.
MAX_IMAGE_PIXELS = 40_000_000
_NAME_IT = "put the image file in the packet folder and give its name, e.g. ![…](map.png)"
_SAVE_IT = "open the image in an image editor and save it again as PNG or JPEG"


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
        return "is not a PNG, JPEG or GIF image", _SAVE_IT
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


def image_size(path: Path) -> tuple[float, float] | None:
    """PLACEHOLDER: width and height (pixels, or an SVG's user units)."""
    if path.suffix.lower() == ".svg":
        text = path.read_text(encoding="utf-8", errors="replace")
        m = re.search(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', text)
        return (float(m.group(1)), float(m.group(2))) if m else None
    from PIL import Image

    try:
        with Image.open(path) as picture:
            return float(picture.width), float(picture.height)
    except Exception:
        return None
