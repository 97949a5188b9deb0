"""Write build results so that a reader never sees a half-written file.

Each file is written to a temporary file in its own folder, flushed to disk, then
renamed over the old one: a rename within a folder is atomic, so the folder holds
the old PDF or the new one, never part of one. Two builds at once each write
their own temporary files, and the last rename wins with a whole file.

A build killed outright (SIGKILL, a power cut) cannot remove its temporary file, so
each one carries its writer's host and process id in its name; the next build into
the folder removes those whose writer is gone.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from packet.errors import PacketError

TEMP_SUFFIX = ".packet-tmp"
# A temporary file whose writer cannot be asked (another computer writing to the same
# share, or a process id in use again) is left by a killed build once it is this old:
# writing a finished PDF takes seconds.
STALE_AFTER = 3600
MAX_NAME = 255  # bytes in one file name, on every common file system
_WRITER = re.compile(r"\.(?P<host>[A-Za-z0-9_-]+)\.(?P<pid>\d+)\.[a-z0-9_]+$")


def write_files(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every file, each atomically; on any failure leave the folder as it was."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PacketError(_explain(folder, error)) from None
    _sweep(folder)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            staged.append((_stage(folder, name, data), folder / name))
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException as error:  # a signal or a full disk: leave no temporary file
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise PacketError(_explain(folder, error)) from None
        raise
    return [target for _, target in staged]


def _stage(folder: Path, name: str, data: bytes) -> Path:
    """Write data to a new temporary file beside its target, on disk, and return it."""
    writer = f".{_host()}.{os.getpid()}."
    room = MAX_NAME - len(writer) - len(TEMP_SUFFIX) - 10  # "." and mkstemp's 8 letters
    short = name.encode("utf-8")[:room].decode("utf-8", "ignore")
    try:
        fd, path = tempfile.mkstemp(dir=folder, prefix=f".{short}{writer}", suffix=TEMP_SUFFIX)
    except OSError as error:
        raise PacketError(_explain(folder, error)) from None
    temporary = Path(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _sweep(folder: Path) -> None:
    """Remove temporary files that a build killed outright (SIGKILL, power loss) left."""
    now = time.time()
    for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
        try:
            if not _writer_alive(leftover) or now - leftover.stat().st_mtime > STALE_AFTER:
                leftover.unlink()
        except OSError:
            pass  # another build's, or already gone


def _writer_alive(temporary: Path) -> bool:
    """Whether the process that wrote a temporary file may still be writing it."""
    found = _WRITER.search(temporary.name.removesuffix(TEMP_SUFFIX))
    if found is None or found["host"] != _host() or os.name != "posix":
        return True  # cannot tell: only its age can
    pid = int(found["pid"])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's process
    return True


def _host() -> str:
    """This computer's name as it can stand in a file name."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:64] or "host"


def _explain(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return f"cannot write {path}: the disk is full. Free some space and build again."
    if error.errno == errno.EDQUOT:
        return (
            f"cannot write {path}: your disk quota is used up. "
            "Delete some files or ask for more space, then build again."
        )
    if error.errno == errno.EROFS:
        return (
            f"cannot write to {path}: the disk is read-only (a USB stick with its lock "
            "switch on, a read-only network share, or a disk mounted read-only). Unlock or "
            "reconnect it with write access, or choose another output folder with -o DIR."
        )
    if error.errno == errno.ENAMETOOLONG:
        return (
            f"cannot write to {path}: a file name is too long for this disk. "
            "Give the packet folder or the period a shorter name."
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return (
            f"cannot write to {path}: permission denied. "
            "Choose another output folder with -o DIR, or fix the folder's permissions."
        )
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return (
            f"cannot write to {path}: a file is in the way of the output folder. "
            "Choose another output folder with -o DIR."
        )
    return f"cannot write {path}: {error.strerror or error}. Choose another folder with -o DIR."
