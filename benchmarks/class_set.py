"""Class sets against the student edition: time (whole process) and file size, as ratios.

Targets (issue 4): 30 named copies take at most 1.3x the time of building the
student edition alone, and the file is at most 2x its size. Both commands run
as whole processes, interleaved, several times; the medians are compared, since
absolute times drift on a shared machine.

    .venv/bin/python benchmarks/class_set.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sources" / "dobrynin-kennedy-1962"
PACKET = [sys.executable, "-m", "packet"]
# Two rosters: names in Latin script (accents and Vietnamese included), and a mix of nine
# scripts, where every script adds a font subset (Cyrillic, Arabic, CJK) to the file.
ROSTERS = {
    "latin": (
        ["Ava", "Mateo", "Thi Minh Anh", "Zoë", "Juan Pablo", "Priya", "Chidi", "Liam", "Søren"],
        [
            "Johnson",
            "García",
            "Nguyễn",
            "Müller",
            "de la Cruz",
            "Patel",
            "Okafor",
            "O'Brien",
            "Holm",
        ],
    ),
    "mixed": (
        ["Ana", "Chidi", "Thi Minh Anh", "Олег", "محمد", "王小明", "Zoë", "Juan Pablo", "Priya"],
        ["García", "Okafor", "Nguyễn", "Петров", "علي", "王", "Müller", "de la Cruz", "Patel"],
    ),
}


def roster(path: Path, count: int, kind: str) -> Path:
    first, last = ROSTERS[kind]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Email Address"])
        for i in range(count):
            writer.writerow([first[i % len(first)], last[i % len(last)], f"s{i}@school.org"])
    return path


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        student = [*PACKET, "build", str(SAMPLE), "--edition", "student", "-o", str(work / "e")]
        edition_pdf = work / "e" / SAMPLE.name / f"{SAMPLE.name}-student.pdf"
        print(f"{'roster':>7} {'copies':>7} {'time ratio':>11} {'size ratio':>11}", end="")
        print(f"   (medians of {args.rounds} rounds)")
        for kind, count in (("latin", 30), ("mixed", 30), ("latin", 150), ("mixed", 150)):
            names = roster(work / f"roster-{kind}-{count}.csv", count, kind)
            out = work / f"set-{kind}-{count}"
            class_set = [*PACKET, "class-set", str(SAMPLE), "--roster", str(names), "-o", str(out)]
            ratios = []
            for _ in range(args.rounds):
                edition_time = timed(student)
                set_time = timed(class_set)
                ratios.append(set_time / edition_time)
            # A roster without periods names its set after the roster file.
            set_pdf = out / SAMPLE.name / f"{SAMPLE.name}-class-set-{names.stem}.pdf"
            size_ratio = set_pdf.stat().st_size / edition_pdf.stat().st_size
            print(f"{kind:>7} {count:>7} {statistics.median(ratios):>11.2f} {size_ratio:>11.2f}")


if __name__ == "__main__":
    main()
