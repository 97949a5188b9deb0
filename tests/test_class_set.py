"""Class sets, checked on the PDF a teacher sends to the copier."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path
from typing import Any

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
    pages = edition_pages(tmp_path)
    per_copy = pages + pages % 2
    first_page_names = [normal(t.splitlines()[0]) for t in page_texts(paths[0])[2::per_copy]]
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
    pages = edition_pages(tmp_path)
    (path,) = class_set(tmp_path, "--copies", "3")
    texts = page_texts(path)
    assert sum("Copy 3 of 3" in t for t in texts) == pages + pages % 2
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


LONG_NAME = "María de los Ángeles Guadalupe Fernández-Castillo de la Torre Ruiz"
NO_SPACES = "Wolfeschlegelsteinhausenbergerdorffvoralternwaren"


def test_long_names_stay_inside_the_cover_roster_and_the_blank_page(tmp_path: Path) -> None:
    source = tmp_path / "odd"
    shutil.copytree(SAMPLE, source)
    questions = (source / "questions.yaml").read_text(encoding="utf-8")
    items = re.split(r"\n(?=- kind:)", questions)
    (source / "questions.yaml").write_text("\n".join(items[:8]) + "\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    first, last = "María de los Ángeles Guadalupe", "Fernández-Castillo de la Torre Ruiz"
    rows = ["First Name,Last Name", f"{first},{last}", f"{NO_SPACES},Ng", "Ana,Lopez"]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (path,) = class_set(tmp_path, "--roster", str(roster), source=source)
    with pdfplumber.open(path) as pdf:
        cover = pdf.pages[0]
        # Three columns across the text area, 0.25 in apart.
        left, right = 72.0, cover.width - 0.7 * 72
        width = (right - left - 2 * 18) / 3
        spans = [(left + i * (width + 18), left + i * (width + 18) + width) for i in range(3)]
        listed = [c for c in cover.chars if abs(c["size"] - 9.5) < 0.05 and c["top"] > 300]
        by_column = [
            " ".join(
                "".join(c["text"] for c in line)
                for _, line in itertools.groupby(
                    sorted(
                        (c for c in listed if a - 1 <= c["x0"] <= b + 1),
                        key=lambda c: (round(c["top"]), c["x0"]),
                    ),
                    key=lambda c: round(c["top"]),
                )
            )
            for a, b in spans
        ]
        assert normal(LONG_NAME) in normal(" ".join(by_column))
        assert NO_SPACES.casefold() in normal(" ".join(by_column)).replace(" ", "")
        for char in listed:
            assert any(a - 0.5 <= char["x0"] and char["x1"] <= b + 0.5 for a, b in spans), char
        # A wrapped name goes on under itself, clear of its copy number.
        starts: dict[tuple[int, int], dict[str, Any]] = {}
        for char in (c for c in listed if c["text"].strip()):
            column = next(i for i, (a, b) in enumerate(spans) if char["x0"] <= b + 0.5)
            key = (column, round(char["top"]))
            if key not in starts or char["x0"] < starts[key]["x0"]:
                starts[key] = char
        assert len(starts) > len(rows)  # some names took two lines
        for (column, _), char in starts.items():
            if not char["text"].isdigit():
                assert char["x0"] >= spans[column][0] + 0.3 * 72, char["text"]
        blanks = [p for p in pdf.pages if BLANK in (t := p.extract_text() or "") and "Copy" in t]
        assert blanks
        for page in blanks:
            chars = [c for c in page.chars if c["top"] > page.height - 72]
            assert (
                min(c["x0"] for c in chars) >= 72 and max(c["x1"] for c in chars) <= page.width - 72
            )
        assert normal(LONG_NAME) in normal(blanks[0].extract_text())


def synthetic_edition(footer: tuple[float, float] = (150.0, 517.0)) -> Any:
    """A two-page Letter edition as the layout reports it: page 1's blanks, a header blank."""
    from packet.build import Built
    from packet.layout.pdf import Blank, Layout

    blanks = (
        Blank("name", 0, 108.0, 216.0, 74.3, 16.7),
        Blank("date", 0, 371.6, 79.2, 74.3, 16.7),
        Blank("period", 0, 507.0, 43.2, 74.3, 16.7),
        Blank("name", 1, 381.6, 158.4, 47.1, 18.6),
    )
    layout = Layout(
        page_sizes=((612.0, 792.0),) * 2,
        content_bottoms=(738.0, 738.0),
        blanks=blanks,
        footer_baselines=(757.1, 757.1),
        footer_spans=(footer, footer),
    )
    return Built("student", b"", layout)


def test_stamp_problems_name_the_roster_row_or_the_option(tmp_path: Path) -> None:
    from packet.errors import InvalidInput
    from packet.printing.classset import ClassSetOptions, Copy, check_stamps

    roster = tmp_path / "period3.csv"
    groups = {
        "3": [Copy(1, "Ana Lopez", "3", roster, 2), Copy(2, "Jo " * 100, "3", roster, 7)],
        "AP United States History, Room 214": [Copy(1, "Ben Ng", "", roster, 3)],
    }
    options = ClassSetOptions(date="Wednesday, the eighteenth of November, 2026", teacher="T" * 200)
    with pytest.raises(InvalidInput) as raised:
        check_stamps(synthetic_edition(), groups, options, tmp_path / "packet.yaml")
    message = raised.value.message
    assert f"{roster}:7: the name 'Jo Jo" in message  # the row the name is on
    assert "Ana Lopez" not in message and f"{roster}:2" not in message
    assert "--period: the period 'AP United States History, Room 214' does not fit" in message
    assert "--date: 'Wednesday, the eighteenth of November, 2026' does not fit" in message
    assert message.count("--teacher: ") == 1  # said once, not once a copy


def test_a_short_title_that_fills_the_footer_is_named(tmp_path: Path) -> None:
    from packet.errors import InvalidInput
    from packet.printing.classset import ClassSetOptions, Copy, check_stamps

    with pytest.raises(InvalidInput) as raised:
        check_stamps(
            synthetic_edition(footer=(290.0, 517.0)),
            {"": [Copy(1)]},
            ClassSetOptions(),
            tmp_path / "packet.yaml",
        )
    assert f"{tmp_path}/packet.yaml: short_title: is too long" in raised.value.message


def test_period_is_not_printed_twice() -> None:
    from packet.printing.classset import ClassSetOptions, Copy, copy_marks

    marks = copy_marks(synthetic_edition(), Copy(1, "Ana", "Period 3"), 1, "", ClassSetOptions())
    assert "3" in [m.text for m in marks.pages[0]]
    assert not any("Period" in m.text for m in marks.pages[0])
