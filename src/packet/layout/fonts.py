"""The bundled fonts, and WeasyPrint loaded so that it sees those fonts and no others.

Fontconfig is pointed at a configuration listing only the bundled fonts' folder, kept
in a folder only this user can write.
"""

from __future__ import annotations

import os
import re
import stat
from functools import cache
from pathlib import Path
from typing import Any

from packet.errors import PacketError
from packet.resources import fonts_dir, templates_dir


@cache
def weasyprint() -> Any:
    _check_fonts()
    # Only bundled fonts: fontconfig is pointed at an empty configuration, so the
    # fonts a packet can use are exactly those its @font-face rules load.
    conf = font_config_file()
    os.environ["FONTCONFIG_FILE"] = str(conf)
    import weasyprint

    return weasyprint


def _check_fonts() -> None:
    """Refuse to render with a missing or damaged bundled font.

    WeasyPrint would only log that it cannot load a font and carry on in another,
    printing a packet that looks wrong; a damaged install should say so instead.
    """
    from fontTools.ttLib import TTFont

    stylesheet = templates_dir() / "fonts.css"
    for reference in re.findall(r"url\(([^)]+)\)", stylesheet.read_text(encoding="utf-8")):
        path = (stylesheet.parent / reference.strip("'\"")).resolve()
        if not path.is_file():
            problem = "is missing"
        else:
            try:
                font = TTFont(path, lazy=True)
                font["head"], font["maxp"], font["cmap"].getBestCmap()
                problem = ""
            except Exception as error:  # fontTools raises many kinds on a damaged file
                problem = f"is damaged ({error or type(error).__name__})"
        if problem:
            raise PacketError(
                f"the bundled font {path} {problem}: reinstall packet (scripts/install)"
            )


def font_config_file() -> Path:
    """A fontconfig file that knows only the bundled fonts (one per user and install).

    It lives in a folder only this user can write: a file at a predictable name in the
    shared temporary folder could be made first by another user, to break every build
    or to point fontconfig at fonts of their choosing.
    """
    import hashlib
    from xml.sax.saxutils import escape

    fonts = fonts_dir()
    tag = hashlib.sha256(str(fonts).encode()).hexdigest()[:12]
    why = ""
    for private_folder in (_cache_folder, _fresh_folder):
        folder = private_folder()
        if folder is None:
            continue
        path = folder / f"fonts-{tag}.conf"
        text = (
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            f"  <dir>{escape(str(fonts))}</dir>\n"
            f"  <cachedir>{escape(str(folder / f'fontcache-{tag}'))}</cachedir>\n"
            "</fontconfig>\n"
        )
        try:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                tmp = folder / f"fonts-{tag}.{os.getpid()}.tmp"
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)
            return path
        except (OSError, UnicodeDecodeError) as error:
            why = getattr(error, "strerror", None) or str(error)
            continue  # the cache folder is damaged or full: a fresh folder may do
    raise PacketError(
        f"cannot write the font configuration ({why}): free some disk space, or set "
        "XDG_CACHE_HOME (or TMPDIR) to a folder you can write to"
    )


def _cache_folder() -> Path | None:
    """The per-user cache folder for packet, if it is safely this user's alone."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    try:
        base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
        folder = base / "packet"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()  # not stat(): a link planted in its place is refused too
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != owner or info.st_mode & 0o022:
        return None
    return folder


def _fresh_folder() -> Path:
    """A new private temporary folder (mode 0700), removed when packet exits."""
    import atexit
    import shutil
    import tempfile

    try:
        folder = Path(tempfile.mkdtemp(prefix="packet-fonts-"))
    except OSError as error:
        raise PacketError(
            f"cannot create a private folder for the font configuration ({error.strerror}): "
            "set XDG_CACHE_HOME (or TMPDIR) to a folder you can write to"
        ) from None
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
