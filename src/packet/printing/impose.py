"""Sheets and page order for printing: whole sheets per copy, booklet order, sheet sizes.

Plain arithmetic, shared by the class-set cover (how many sheets to load) and the
assembly (where each page goes on a sheet).
"""

from __future__ import annotations

# Landscape paper sizes in points. Two A5 pages side by side are 296 mm wide,
# not A4's 297, and a copier asked for a sheet 1 mm off a standard size may
# scale it or stop and ask for paper: such sheets are snapped to the standard.
STANDARD_SHEETS = (
    (792.0, 612.0),  # Letter
    (1008.0, 612.0),  # Legal
    (1224.0, 792.0),  # Tabloid (11 x 17 in)
    (841.89, 595.28),  # A4
    (1190.55, 841.89),  # A3
)

SNAP = 4.0  # points: the rounding of millimetre page sizes, far below a real difference


def padded_length(pages: int, *, booklet: bool) -> int:
    """Return pages rounded up to whole sheets: even, or a multiple of 4 for a booklet."""
    unit = 4 if booklet else 2
    return -(-pages // unit) * unit


def saddle_stitch_order(pages: int) -> list[tuple[int, int]]:
    """Return the (left, right) 1-based page pairs of each sheet side, fronts then backs."""
    if pages % 4:
        raise ValueError(f"a booklet needs a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        low = 2 * sheet + 1
        high = pages - 2 * sheet
        sides.append((high, low))
        sides.append((low + 1, high - 1))
    return sides


def standard_sheet(width: float, height: float) -> tuple[float, float]:
    """Return the standard landscape sheet within SNAP points of width x height, or it."""
    for standard in STANDARD_SHEETS:
        if abs(standard[0] - width) <= SNAP and abs(standard[1] - height) <= SNAP:
            return standard
    return width, height


def pdf_number(value: float) -> str:
    """Write a number as PDF syntax allows: fixed point, never '5.68434e-14'."""
    # Viewers stop at an exponent: the A4 booklet's sheets printed blank in poppler.
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
