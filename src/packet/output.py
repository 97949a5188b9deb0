"""Write build results so that a reader never sees a half-written file.

Each file is written to a temporary file in its own folder, flushed to disk, then
renamed over the old one: a rename within a folder is atomic, so the folder holds
the old PDF or the new one, never part of one. Two builds at once each write
their own temporary files, and the last rename wins with a whole file.
"""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from .errors import PacketError

TEMP_SUFFIX = ".packet-tmp"
STALE_AFTER = 3600  # seconds: older temporary files were left by a killed build


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
    try:
        fd, path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TEMP_SUFFIX)
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
            if now - leftover.stat().st_mtime > STALE_AFTER:
                leftover.unlink()
        except OSError:
            pass  # another build's, or already gone


def _explain(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return f"cannot write {path}: the disk is full. Free some space and build again."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
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
