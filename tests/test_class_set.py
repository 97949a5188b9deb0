"""Class sets, checked on the PDF a teacher sends to the copier."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from click.testing import CliRunner

from conftest import SAMPLE, normal, page_texts
from packet.cli import main

ROSTERS = Path(__file__).parent / "rosters"
BLANK = "This page is intentionally left blank."


def class_set(tmp_path: Path, *args: str, source: Path = SAMPLE) -> list[Path]:
    out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}"
    result = CliRunner().invoke(main, ["class-set", str(source), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return sorted((out / source.name).glob("*.pdf"))


def edition_pages(tmp_path: Path, source: Path = SAMPLE) -> int:
    result = CliRunner().invoke(
        main, ["build", str(source), "--edition", "student", "-o", str(tmp_path / "e")]
    )
    assert result.exit_code == 0, result.output
    with pikepdf.open(next((tmp_path / "e").rglob("*-student.pdf"))) as pdf:
        return len(pdf.pages)


def names_in(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    return [line for line in lines if line.strip()]


def test_one_named_copy_per_student(tmp_path: Path) -> None:
    pages = edition_pages(tmp_path)
    (path,) = class_set(
        tmp_path,
        "--roster",
        str(ROSTERS / "google_classroom.csv"),
        "--teacher",
        "Ms. Rivera",
        "--date",
        "Nov. 25",
    )
    # A roster without periods names its set after itself.
    assert path.name == "dobrynin-kennedy-1962-class-set-google-classroom.pdf"
    students = [tuple(row.split(",")[:2]) for row in names_in(ROSTERS / "google_classroom.csv")]
    texts = page_texts(path)
    per_copy = pages + pages % 2
    assert len(texts) == 2 + len(students) * per_copy  # cover sheet, then the copies
    cover = normal(texts[0])
    assert "how to print this file" in cover and "flip on long edge" in cover
    assert f"{len(students)} copies" in cover
    for number, (first, last) in enumerate(students, start=1):
        copy = texts[2 + (number - 1) * per_copy : 2 + number * per_copy]
        label = f"Copy {number} of {len(students)}"
        assert all(label in page for page in copy), label
        assert all(f"{first} {last}" in page for page in copy[:pages]), first
        assert "Nov. 25" in copy[0] and "Ms. Rivera" in copy[0]
        assert normal(f"{first} {last}") in cover


def test_one_file_per_period_in_roster_order(tmp_path: Path) -> None:
    paths = class_set(tmp_path, "--roster", str(ROSTERS / "powerschool.csv"))
    assert [p.name for p in paths] == [
        "dobrynin-kennedy-1962-class-set-3.pdf",
        "dobrynin-kennedy-1962-class-set-5.pdf",
    ]
    first_page_names = [normal(t.splitlines()[0]) for t in page_texts(paths[0])[2::8]]
    assert first_page_names[0].startswith("name thi minh anh nguyen")
    (only,) = class_set(
        tmp_path,
        "--roster",
        str(ROSTERS / "powerschool.csv"),
        "--period",
        "5",
        "--sort",
        "last-name",
    )
    assert only.name.endswith("-5.pdf")


def test_numbered_copies_without_names(tmp_path: Path) -> None:
    (path,) = class_set(tmp_path, "--copies", "3")
    texts = page_texts(path)
    assert sum("Copy 3 of 3" in t for t in texts) == 8
    assert "(no name)" in texts[0]


def test_odd_editions_are_padded_with_a_marked_blank_page(tmp_path: Path) -> None:
    source = tmp_path / "odd"
    shutil.copytree(SAMPLE, source)
    questions = (source / "questions.yaml").read_text(encoding="utf-8")
    items = re.split(r"\n(?=- kind:)", questions)
    (source / "questions.yaml").write_text("\n".join(items[:8]) + "\n", encoding="utf-8")
    pages = edition_pages(tmp_path, source)
    assert pages % 2 == 1
    (path,) = class_set(tmp_path, "--copies", "2", source=source)
    texts = page_texts(path)
    assert len(texts) == 2 + 2 * (pages + 1)
    for start in (2, 2 + pages + 1):
        blank = texts[start + pages]
        assert BLANK in blank and "Copy" in blank
        assert "Page" not in blank  # nothing else on it


def test_booklet_is_imposed_in_saddle_stitch_order(tmp_path: Path) -> None:
    (path,) = class_set(tmp_path, "--copies", "2", "--booklet")
    with pdfplumber.open(path) as pdf:
        sheets = pdf.pages[2:]
        assert all((round(s.width), round(s.height)) == (792, 612) for s in sheets)
        total = None
        order = []
        for sheet in sheets[: len(sheets) // 2]:  # the first copy
            halves = []
            for x0, x1 in ((0, 396), (396, 792)):
                text = sheet.crop((x0, 0, x1, 612)).extract_text() or ""
                match = re.search(r"Page (\d+) of (\d+)", text)
                if match:
                    total = int(match.group(2))
                    halves.append(int(match.group(1)))
                else:
                    assert BLANK in text
                    halves.append(None)
            order.append(tuple(halves))
    assert total is not None
    padded = -(-total // 4) * 4
    expected = []
    for sheet in range(padded // 4):
        low, high = 2 * sheet + 1, padded - 2 * sheet
        expected += [(high, low), (low + 1, high - 1)]
    real = [tuple(p if p is not None and p <= total else None for p in pair) for pair in expected]
    assert order == real


def test_with_key_appends_the_teacher_edition(tmp_path: Path) -> None:
    (path,) = class_set(tmp_path, "--copies", "1", "--with-key")
    texts = page_texts(path)
    assert "TEACHER EDITION" in texts[-1] or "TEACHER EDITION" in texts[-2]
    assert not any("TEACHER EDITION" in t for t in texts[:10])


def test_names_in_every_script_print(tmp_path: Path) -> None:
    paths = class_set(tmp_path, "--roster", str(ROSTERS / "international.csv"))
    text = "\n".join(t for path in paths for t in page_texts(path))
    for name in ("Nguyễn", "Иванов", "王"):
        assert name in text
    fonts = set()
    for path in paths:
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                for xobject in page.resources.get("/XObject", {}).values():
                    for font in xobject.get("/Resources", {}).get("/Font", {}).values():
                        fonts.add(str(font.BaseFont).split("+")[-1])
    assert {"NotoSansArabic-Regular", "NotoSansCJKNames-Regular"} <= fonts


def test_class_set_stays_tagged_with_stamps_as_artifacts(tmp_path: Path) -> None:
    (path,) = class_set(tmp_path, "--copies", "2")
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "en-US"
        page = pdf.pages[2]
        depth: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("BMC", "BDC"):
                depth.append(str(operands[0]))
            elif str(operator) == "EMC":
                depth.pop()
            elif str(operator) == "Do" and str(operands[0]) == "/PacketStamp":
                assert depth == ["/Artifact"]


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("empty.csv", "empty"),
        ("header_only.csv", "no students"),
        ("no_name_column.csv", "First Name"),
        ("binary_garbage.csv", "not a text file"),
        ("empty_name_rows.csv", "row"),
    ],
)
def test_bad_rosters_are_clear_errors(tmp_path: Path, roster: str, message: str) -> None:
    result = CliRunner().invoke(
        main, ["class-set", str(SAMPLE), "--roster", str(ROSTERS / roster), "-o", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert message.lower() in result.output.lower(), result.output
    assert not any(tmp_path.rglob("*.pdf"))


def test_roster_or_copies_is_required(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["class-set", str(SAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "--roster" in result.output and "--copies" in result.output
