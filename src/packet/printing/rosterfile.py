"""Read a roster file's text: from a file or a pipe, within limits, in any export's encoding.

School systems and spreadsheets save rosters as UTF-8 (with or without a BOM),
Windows-1252, or UTF-16 (with or without a BOM); a roster may also be piped in.
A roster is read in bounded chunks, so a device or an endless pipe cannot fill
memory, and a pipe that sends nothing is given up on instead of waited for.
"""

from __future__ import annotations

import codecs
import os
import select
import stat
import sys
import unicodedata
from pathlib import Path

from packet.errors import Problems

SAVE_AS_CSV = 'in Excel use File > Save As > "CSV UTF-8"; in Google Sheets File > Download > CSV'
MAX_ROSTER_BYTES = 2_000_000  # a whole school's roster is a few hundred kilobytes
PIPE_WAIT_SECONDS = 10.0  # a pipe that sends nothing for this long has no roster coming
CHUNK_BYTES = 1 << 16
STDIN = Path("-")
GIVE_A_FILE = "give the path to the .csv file exported from your school system"
TOO_LARGE_FIX = "check that this is the right file: export only your own classes"


def read_text(path: Path, problems: Problems) -> tuple[str, str] | None:
    """Return the file's text and the encoding it was read with, or None after a problem."""
    data = _read_bytes(path, problems)
    if data is None:
        return None
    where = shown_as(path)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        problems.add(where, "this is an Excel workbook, not a CSV file", SAVE_AS_CSV)
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a BOM, tab-separated.
        return _checked(where, data.decode("utf-16", errors="replace"), "utf-16", problems)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        # Some exporters (and PowerShell's Export-Csv -Encoding Unicode piped through
        # other tools) write UTF-16 without the byte-order mark: every other byte of
        # the Latin header is a NUL, which says which byte order it is.
        try:
            return _checked(where, data.decode(utf16), utf16, problems)
        except UnicodeDecodeError:
            problems.add(
                where,
                f"this looks like {utf16.upper()} text without a byte-order mark, but it "
                "cannot be read as such (it may be damaged)",
                SAVE_AS_CSV,
            )
            return None
    if b"\x00" in data:
        problems.add(where, "this is not a text file (it contains binary data)", SAVE_AS_CSV)
        return None
    try:
        return _checked(where, data.decode("utf-8-sig"), "utf-8", problems)
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV (Comma delimited)" in the ANSI code page.
        return _checked(where, data.decode("cp1252"), "cp1252", problems)
    except UnicodeDecodeError:
        problems.add(
            where,
            "the file is neither UTF-8 nor Windows-1252 text, so names cannot be read",
            SAVE_AS_CSV,
        )
        return None


def shown_as(path: Path) -> Path | str:
    """Return how messages name the roster: its path, or standard input for '-'."""
    return "standard input (--roster -)" if path == STDIN else path


def _read_bytes(path: Path, problems: Problems) -> bytes | None:
    """Return the roster's bytes from a file or a pipe, or None after a problem."""
    where = shown_as(path)
    try:
        if path == STDIN:
            # sys.stdin rather than fd 0, so a caller that replaced it is read from.
            fd = os.dup(sys.stdin.fileno() if sys.stdin is not None else 0)
        else:
            refused = _refused(os.stat(path).st_mode)
            if refused:
                problems.add(where, f"this is {refused}, not a roster file", GIVE_A_FILE)
                return None
            # Opening a FIFO for reading waits for a writer, for ever if none comes;
            # opened non-blocking it returns at once and poll() decides how long to wait.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            return _read_fd(where, fd, problems)
        finally:
            os.close(fd)
    except FileNotFoundError:
        problems.add(where, "roster file not found", "check the file name and folder")
    except OSError as error:
        problems.add(
            where,
            f"cannot read the roster file: {error.strerror or error}",
            "check that the file exists and that you may read it",
        )
    return None


def _refused(mode: int) -> str:
    """Return what a file of this mode is, if it is neither a regular file nor a pipe."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _read_fd(where: Path | str, fd: int, problems: Problems) -> bytes | None:
    """Return up to the size limit of what fd holds, or None after a problem."""
    info = os.fstat(fd)
    if stat.S_ISREG(info.st_mode):
        if info.st_size > MAX_ROSTER_BYTES:
            problems.add(
                where,
                f"the roster file is {info.st_size / 1e6:.1f} MB, too large for a class list "
                f"(the limit is {MAX_ROSTER_BYTES / 1e6:.0f} MB)",
                TOO_LARGE_FIX,
            )
            return None
        os.set_blocking(fd, True)
        data, _ = _read_up_to(fd, MAX_ROSTER_BYTES + 1, wait=None)
    elif stat.S_ISFIFO(info.st_mode):
        data, stalled = _read_up_to(fd, MAX_ROSTER_BYTES + 1, wait=PIPE_WAIT_SECONDS)
        if stalled:
            sent = f"sent {len(data):,} bytes, then nothing" if data else "sent nothing"
            problems.add(
                where,
                f"this pipe {sent} for {PIPE_WAIT_SECONDS:g} seconds, so packet stopped "
                "waiting for the roster",
                "start the program that writes the roster first, or save the roster as a "
                "file and give its name",
            )
            return None
    else:
        what = "the terminal" if os.isatty(fd) else _refused(info.st_mode)
        problems.add(
            where,
            f"this is {what}, not a roster file",
            "pipe the roster in (… | packet class-set … --roster -), or give the name of a "
            ".csv file",
        )
        return None
    # A file can grow, and a pipe has no size, between the check above and the read.
    if len(data) > MAX_ROSTER_BYTES:
        problems.add(
            where,
            f"the roster is more than {MAX_ROSTER_BYTES / 1e6:.0f} MB, too large for a class "
            f"list (the limit is {MAX_ROSTER_BYTES / 1e6:.0f} MB)",
            TOO_LARGE_FIX,
        )
        return None
    return data


def _read_up_to(fd: int, limit: int, *, wait: float | None) -> tuple[bytes, bool]:
    """Return fd's bytes up to limit, and whether wait seconds passed with nothing to read."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        if wait is not None and not poller.poll(wait * 1000):
            return b"".join(chunks), True
        chunk = os.read(fd, min(CHUNK_BYTES, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks), False


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le" or "-be" when the bytes are UTF-16 with no BOM, else None."""
    sample = data[: 4096 - 4096 % 2][: len(data) - len(data) % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    # A roster's header row is Latin letters, so at least its bytes alternate with NULs.
    if odd >= pairs * 0.3 and even * 10 <= odd:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd * 10 <= even:
        return "utf-16-be"
    return None


def _checked(
    path: Path | str, text: str, encoding: str, problems: Problems
) -> tuple[str, str] | None:
    """Return text and encoding unless the text is full of control characters."""
    controls = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\r\n"
    )
    if "\ufffd" in text or controls > max(2, len(text) // 100):
        problems.add(path, "this is not a text file (it contains binary data)", SAVE_AS_CSV)
        return None
    return text, encoding
