"""Write build results so that a reader never sees a half-written file."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import PacketError


def write_files(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write each file atomically (temporary file in the same folder, then rename)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PacketError(_explain(folder, error)) from None
    written = []
    for name, data in files.items():
        target = folder / name
        _write_atomic(target, data)
        written.append(target)
    return written


def _write_atomic(target: Path, data: bytes) -> None:
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise PacketError(_explain(target.parent, error)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as error:  # a signal or a full disk: leave no temporary file
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise PacketError(_explain(target, error)) from None
        raise


def _explain(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return f"cannot write {path}: the disk is full. Free some space and build again."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"cannot write to {path}: permission denied. "
            "Choose another output folder with -o DIR, or fix the folder's permissions."
        )
    return f"cannot write {path}: {error.strerror or error}. Choose another folder with -o DIR."
