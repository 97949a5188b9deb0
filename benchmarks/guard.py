"""The answer guard against rendering the student edition it reads: time, as a ratio.

Target (issue 8): reading a student edition back and checking it for answers
costs at most a tenth of rendering it. Both run in this process, interleaved,
several times; the medians are compared, since absolute times drift on a shared
machine.

    .venv/bin/python benchmarks/guard.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from packet.build import load_packet, render_edition
from packet.checks import leaks

SAMPLE = Path(__file__).resolve().parent.parent / "sources" / "dobrynin-kennedy-1962"
TARGET = 0.10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    packet = load_packet(SAMPLE)
    render, guard = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        pdf = render_edition(packet, "student", "letter").pdf  # includes one guard run
        render.append(time.perf_counter() - start)
        leaks.teacher_only.cache_clear()  # as in a fresh build process
        start = time.perf_counter()
        leaks.check_student_pdf(pdf, packet)
        guard.append(time.perf_counter() - start)
    ratio = statistics.median(guard) / statistics.median(render)
    print(
        f"render {statistics.median(render):.2f} s, guard {statistics.median(guard) * 1000:.0f} "
        f"ms: {ratio:.1%} of the render (target at most {TARGET:.0%})"
    )
    raise SystemExit(0 if ratio <= TARGET else 1)


if __name__ == "__main__":
    main()
