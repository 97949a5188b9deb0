"""Writing outputs: temporary files of killed builds are swept, disk errors are explained."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from packet import output
from packet.errors import PacketError

# Writes one PDF, but stops between writing it and renaming it into place: there it
# says so and sleeps until it is killed.
WRITER = """
import os, sys, time
from pathlib import Path

import packet.output

def stop(source, target):
    print("STAGED", flush=True)
    time.sleep(120)

packet.output.os.replace = stop
packet.output.write_files(Path(sys.argv[1]), {"lesson-student.pdf": b"%PDF" + bytes(200_000)})
"""


def start_writer(folder: Path) -> subprocess.Popen[str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "STAGED"
    return writer


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f".*{output.TEMP_SUFFIX}"))


def test_a_killed_writers_temporary_file_is_removed_by_the_next_build(tmp_path: Path) -> None:
    writer = start_writer(tmp_path)
    (left,) = temporaries(tmp_path)
    assert left.stat().st_size > 200_000  # a whole PDF's worth
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert temporaries(tmp_path) == [left]  # SIGKILL gives it no chance to clean up
    written = output.write_files(tmp_path, {"lesson-teacher.pdf": b"%PDF new"})
    assert temporaries(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] == [p.name for p in written]


def test_a_running_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    writer = start_writer(tmp_path)
    try:
        (theirs,) = temporaries(tmp_path)
        output.write_files(tmp_path, {"lesson-teacher.pdf": b"%PDF new"})
        assert temporaries(tmp_path) == [theirs]
    finally:
        writer.kill()
        writer.wait(timeout=30)


def test_a_temporary_file_from_another_computer_is_removed_only_when_old(tmp_path: Path) -> None:
    # Another computer writing to the same network share: its processes cannot be asked.
    other = tmp_path / f".lesson-student.pdf.other-host.{os.getpid()}.abcd1234{output.TEMP_SUFFIX}"
    # A name from before the writer was recorded in it.
    unnamed = tmp_path / f".lesson-teacher.pdf.abcd1234{output.TEMP_SUFFIX}"
    for path in (other, unnamed):
        path.write_bytes(b"%PDF half")
    output.write_files(tmp_path, {"a.pdf": b"%PDF"})
    assert temporaries(tmp_path) == sorted([other, unnamed])
    hour_ago = time.time() - output.STALE_AFTER - 60
    for path in (other, unnamed):
        os.utime(path, (hour_ago, hour_ago))
    output.write_files(tmp_path, {"a.pdf": b"%PDF"})
    assert temporaries(tmp_path) == []


def test_a_temporary_name_fits_the_file_system_whatever_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "一班" * 40 + ".pdf"  # 244 bytes of UTF-8, near the limit of 255
    seen: list[str] = []
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        seen.append(Path(source).name)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    (written,) = output.write_files(tmp_path, {name: b"%PDF"})
    assert written.name == name
    (temporary,) = seen
    assert len(temporary.encode("utf-8")) <= output.MAX_NAME
    assert temporary.startswith(".一班") and temporary.endswith(output.TEMP_SUFFIX)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.EROFS, "the disk is read-only (a USB stick with its lock switch on"),
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "your disk quota is used up"),
        (errno.ENAMETOOLONG, "a file name is too long for this disk"),
        (errno.EACCES, "permission denied"),
    ],
)
def test_disk_errors_say_what_is_wrong(
    code: int, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(PacketError) as raised:
        output.write_files(tmp_path / "out", {"a.pdf": b"%PDF"})
    assert f"{tmp_path / 'out'}: {says}" in raised.value.message
