"""Shared fixtures: the sample packet, built once per test session, and PDF readers."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from packet.build import load_packet, render_edition
from packet.content.model import Packet

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sources" / "dobrynin-kennedy-1962"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def sample() -> Packet:
    return load_packet(SAMPLE)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, sample: Packet) -> dict[str, Path]:
    """The sample's editions on Letter and A4, written once for the whole session."""
    folder = tmp_path_factory.mktemp("built")
    out = {}
    for edition in ("student", "teacher"):
        for paper in ("letter", "a4"):
            path = folder / f"{edition}-{paper}.pdf"
            path.write_bytes(render_edition(sample, edition, paper).pdf)  # type: ignore[arg-type]
            out[f"{edition}-{paper}"] = path
    return out


@pytest.fixture(scope="session")
def large_print(tmp_path_factory: pytest.TempPathFactory, sample: Packet) -> Path:
    """The sample's large-print edition on Letter, written once for the whole session."""
    path = tmp_path_factory.mktemp("large") / "large-print-letter.pdf"
    path.write_bytes(render_edition(sample, "large-print", "letter").pdf)
    return path


@pytest.fixture
def packet_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample packet, for tests that plant mistakes in it."""
    target = tmp_path / "dobrynin-kennedy-1962"
    shutil.copytree(SAMPLE, target)
    return target


def normal(text: str) -> str:
    """Words only, lower case, so line breaks and quote styles do not matter."""
    text = text.replace("’", "'").replace("‘", "'")
    words = (w.strip("'") for w in re.findall(r"[\w']+", text.casefold()))
    return " ".join(w for w in words if w)


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def words(path: Path, *, font: str = "", size: float | None = None) -> Iterator[dict]:  # type: ignore[type-arg]
    """Words with their page and position; optionally only those set in one font and size."""
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            chosen = page
            if font or size:
                chosen = page.filter(
                    lambda obj: (
                        obj.get("object_type") != "char"
                        or (
                            font in obj.get("fontname", "")
                            and (size is None or abs(obj.get("size", 0) - size) < 0.05)
                        )
                    )
                )
            for word in chosen.extract_words(use_text_flow=False, keep_blank_chars=False):
                word["page"] = index
                yield word


def document_pages(path: Path, labels: list[str]) -> dict[str, list[int]]:
    """The pages each document stands on: from its heading to the next document's."""
    starts: dict[str, int] = {}
    for index, text in enumerate(page_texts(path)):
        for label in labels:
            if label not in starts and re.search(rf"^Document {label}: ", text, re.M):
                starts[label] = index
    assert list(starts) == labels, starts
    texts = page_texts(path)
    after = [  # what follows the last document: the questions across them, the task
        i
        for i, text in enumerate(texts)
        if i > max(starts.values())
        and re.search(r"^(Questions across the documents|Closing task|Teacher notes)$", text, re.M)
    ]
    ends = [*list(starts.values())[1:], min(after, default=len(texts))]
    return {
        label: list(range(start, end))
        for (label, start), end in zip(starts.items(), ends, strict=False)
    }


def structure_elements(root: Any) -> list[Any]:
    """Every structure element reachable from root (a StructTreeRoot or an element)."""
    import pikepdf

    found, stack, seen = [], [root], set()
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
        elif isinstance(item, pikepdf.Dictionary):
            if item.objgen != (0, 0):
                if item.objgen in seen:
                    continue
                seen.add(item.objgen)
            if "/S" in item:
                found.append(item)
            if "/K" in item:
                stack.append(item.K)
    return found
