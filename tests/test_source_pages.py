"""The source pages as a history teacher reads them: line numbers, citations, marks, sidebar."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import document_pages, normal, pdf_text
from packet.build import render_edition
from packet.content.markup import plain
from packet.content.model import Packet
from packet.layout.pdf import Column, Gloss, Layout

SOURCE_SIZE = 11.5
NUMBER_SIZE = 8.0


@dataclass(frozen=True)
class Face:
    """How an edition prints its source text and line numbers (packet.css, margins.py)."""

    font: str  # part of the font's name
    size: float
    number_size: float
    # Where the text's lines start, in from the page area's left edge, when other text
    # shares its font and size (in large print everything a student reads is 18 pt).
    gutter: float | None = None


STUDENT = Face("Serif", SOURCE_SIZE, NUMBER_SIZE)
LARGE_PRINT = Face("Packet-Large", 18.0, 14.0, gutter=0.9 * 72)


def text_left(page_index: int, face: Face) -> float | None:
    """The source column's left edge: pages mirror, the wide margin on the binding side."""
    if face.gutter is None:
        return None
    return (72.0 if page_index % 2 == 0 else 50.4) + face.gutter


@dataclass
class SourceLine:
    page: int
    baseline: float
    left: float
    words: list[str]


def page_words(page: pdfplumber.page.Page) -> list[dict]:  # type: ignore[type-arg]
    """Words with font, size and baseline (from the first glyph's text matrix)."""
    baselines = {
        (round(c["x0"], 2), round(c["top"], 2)): page.height - c["matrix"][5] for c in page.chars
    }
    words = page.extract_words(extra_attrs=["fontname", "size"])
    for word in words:
        word["baseline"] = baselines[(round(word["x0"], 2), round(word["top"], 2))]
    return words


def source_lines(
    path: Path, pages: list[int] | None = None, face: Face = STUDENT
) -> list[SourceLine]:
    """The source text's lines as printed: words set in the source face and size (and,
    where other text looks the same, lines that start at the source column's edge)."""
    lines: list[SourceLine] = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            if pages is not None and index not in pages:
                continue
            text = [
                w
                for w in page_words(page)
                if face.font in w["fontname"] and abs(w["size"] - face.size) < 0.05
            ]
            on_page: list[SourceLine] = []
            for word in sorted(text, key=lambda w: (round(w["baseline"], 1), w["x0"])):
                if on_page and abs(on_page[-1].baseline - word["baseline"]) < 1:
                    on_page[-1].words.append(word["text"])
                    on_page[-1].left = min(on_page[-1].left, word["x0"])
                else:
                    on_page.append(SourceLine(index, word["baseline"], word["x0"], [word["text"]]))
            left = text_left(index, face)
            lines += [line for line in on_page if left is None or abs(line.left - left) < 1]
    return lines


def line_numbers(
    path: Path, pages: list[int] | None = None, face: Face = STUDENT
) -> list[tuple[int, int, float, float]]:
    """(number, page, baseline, right edge) of each printed line number."""
    out = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            if pages is not None and index not in pages:
                continue
            for word in page_words(page):
                if (
                    "NotoSans" in word["fontname"]  # the margin marks' face, not the footer's
                    and abs(word["size"] - face.number_size) < 0.05
                    and word["text"].isdigit()
                ):
                    out.append((int(word["text"]), index, word["baseline"], word["x1"]))
    return out


def texts_by_document(path: Path, sample: Packet) -> dict[str, list[int]]:
    """The pages of each document that has a text (not a picture)."""
    labels = [d.label for d in sample.documents]
    pages = document_pages(path, labels)
    return {d.label: pages[d.label] for d in sample.documents if d.original is not None}


def numbers_sit_level_with_their_lines(path: Path, sample: Packet, face: Face) -> None:
    """Each document's lines count from 1, across its pages; numbers sit level with them."""
    by_document = texts_by_document(path, sample)
    assert len(by_document) >= 2
    for label, pages in by_document.items():
        lines = source_lines(path, pages, face)
        numbers = line_numbers(path, pages, face)
        assert len(lines) > 30, label
        assert [n for n, *_ in numbers] == list(range(5, len(lines) + 1, 5)), label
        assert len({page for _, page, _, _ in numbers}) >= 2  # counting goes on overleaf
        for number, page, baseline, right in numbers:
            line = lines[number - 1]
            assert line.page == page, (label, number)
            assert baseline == pytest.approx(line.baseline, abs=0.1), (label, number)
            assert 4 < line.left - right < 20, (label, number)  # in the margin, beside it


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_fifth_line_is_numbered_at_its_height(
    built: dict[str, Path], sample: Packet, paper: str
) -> None:
    for edition in ("student", "teacher"):
        numbers_sit_level_with_their_lines(built[f"{edition}-{paper}"], sample, STUDENT)


def test_large_print_lines_are_numbered_at_their_height(large_print: Path, sample: Packet) -> None:
    """Counted again for the large-print layout, past the "Words to know" boxes."""
    numbers_sit_level_with_their_lines(large_print, sample, LARGE_PRINT)


def test_line_numbers_are_artifacts_outside_the_structure_tree(built: dict[str, Path]) -> None:
    with pikepdf.open(built["student-letter"]) as pdf:
        stamped = 0
        for page in pdf.pages:
            marks = {
                str(name)
                for name, xobject in page.resources.get("/XObject", {}).items()
                if str(name) == "/PacketMarks"
            }
            open_tags: list[str] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BMC", "BDC"):
                    open_tags.append(str(operands[0]))
                elif op == "EMC":
                    open_tags.pop()
                elif op == "Do" and str(operands[0]) in marks:
                    assert open_tags == ["/Artifact"]
                    stamped += 1
            for name in marks:
                form = page.resources.XObject[name]
                ops = {str(op) for _, op in pikepdf.parse_content_stream(form)}
                assert "BDC" not in ops  # no tagged (MCID) content inside the stamp
                assert "Tj" in ops or "TJ" in ops or "l" in ops
        assert stamped >= 2
        # Nothing in the structure tree points into the stamps.
        seen = set()

        def walk(node: pikepdf.Object) -> None:
            if isinstance(node, pikepdf.Dictionary):
                if node.objgen != (0, 0):
                    if node.objgen in seen:
                        return
                    seen.add(node.objgen)
                assert "/Stm" not in node
                for key in ("/K",):
                    if key in node:
                        walk(node[key])
            elif isinstance(node, pikepdf.Array):
                for item in node:
                    walk(item)

        walk(pdf.Root.StructTreeRoot)


def anchor_text(sample: Packet, name: str, label: str = "A") -> str:
    original = sample.document(label).original
    assert original is not None
    body = original.body.text
    match = re.search(rf"\[\[#{name}\]\](.*?)\[\[/#{name}\]\]", body, re.S)
    assert match, name
    return normal(plain(match.group(1)))


def where_is(lines: list[SourceLine], text: str) -> tuple[int, int]:
    """First and last line number on which a passage stands."""
    stream: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        stream += [(w, number) for w in normal(" ".join(line.words)).split()]
    words = text.split()
    flat = [w for w, _ in stream]
    for start in range(len(flat) - len(words) + 1):
        if flat[start : start + len(words)] == words:
            return stream[start][1], stream[start + len(words) - 1][1]
    raise AssertionError(f"passage not found: {text[:60]}")


CITE = r"\s*(?:document (\w+) )?(?:line (\d+)|lines (\d+) (\d+))\s*"
MARK = re.compile(r"\[\[lines ([A-Za-z0-9]*)#([\w-]+)(?: to #([\w-]+))?\]\]")


def cited(path: Path, sample: Packet) -> dict[tuple[str, str, str], tuple[int, int]]:
    """What each question's [[lines …]] marks printed, read back from the PDF:
    (document, first anchor, last anchor) -> (first line, last line)."""
    from packet.content.cites import document_anchors, resolve
    from packet.content.markup import Cite

    anchors = document_anchors(sample.documents)
    text = normal(pdf_text(path))
    found: dict[tuple[str, str, str], tuple[int, int]] = {}
    for q in sample.questions:
        pieces = MARK.split(q.prompt.text)
        marks = [pieces[i : i + 3] for i in range(1, len(pieces), 4)]
        prose = pieces[0::4]
        if not marks:
            continue
        pattern = CITE.join(re.escape(normal(plain(p))) for p in prose)
        match = re.search(pattern, text)
        assert match, f"question {q.number} not found"
        groups = iter(match.groups())
        for label, first, last in marks:
            named, single, start, end = next(groups), next(groups), next(groups), next(groups)
            where = resolve(Cite(label, first, last or first), q.document, anchors)
            assert isinstance(where, str)
            # "Document B, lines …" exactly when the question is not B's own.
            assert (named or "").upper() == ("" if where == q.document else where), q.number
            span = (int(single), int(single)) if single else (int(start), int(end))
            found[(where, first, last or first)] = span
    return found


def citations_print_the_lines(
    path: Path, sample: Packet, face: Face
) -> dict[tuple[str, str, str], tuple[int, int]]:
    """Every line citation in the questions prints the lines its passage stands on."""
    by_document = texts_by_document(path, sample)
    spans = cited(path, sample)
    assert len(spans) >= 3
    assert {label for label, *_ in spans} >= {"A", "B"}  # citations into two documents
    for (label, first, last), span in spans.items():
        lines = source_lines(path, by_document[label], face)
        start = where_is(lines, anchor_text(sample, first, label))[0]
        end = where_is(lines, anchor_text(sample, last, label))[1]
        assert span == (start, end), (path.name, label, first, last)
    return spans


def test_cited_lines_follow_the_layout(built: dict[str, Path], sample: Packet) -> None:
    by_paper = {
        paper: citations_print_the_lines(built[f"student-{paper}"], sample, STUDENT)
        for paper in ("letter", "a4")
    }
    for label in ("A", "B"):  # the numbers moved with the paper, in both documents
        letter = {k: v for k, v in by_paper["letter"].items() if k[0] == label}
        assert letter != {k: v for k, v in by_paper["a4"].items() if k[0] == label}, label


def test_large_print_cites_its_own_lines(
    built: dict[str, Path], large_print: Path, sample: Packet
) -> None:
    large = citations_print_the_lines(large_print, sample, LARGE_PRINT)
    student = cited(built["student-letter"], sample)
    assert large.keys() == student.keys()
    for label in ("A", "B"):  # recomputed for the larger type: not the student's numbers
        assert {k: v for k, v in large.items() if k[0] == label} != {
            k: v for k, v in student.items() if k[0] == label
        }, label


def test_every_speaker_passage_is_marked(built: dict[str, Path], sample: Packet) -> None:
    original = sample.document("A").original
    assert original is not None
    body = original.body.text
    passages = [normal(plain(m)) for m in re.findall(r"\[\[rfk\]\](.*?)\[\[/rfk\]\]", body, re.S)]
    assert len(passages) >= 5
    for edition, tag in (("student", "RFK"), ("teacher", "Robert Kennedy")):
        path = built[f"{edition}-letter"]
        lines = source_lines(path)
        with pdfplumber.open(path) as pdf:
            for passage in passages:
                first, last = where_is(lines, passage)
                for number in (first, last):
                    line = lines[number - 1]
                    page = pdf.pages[line.page]
                    rules = [
                        r
                        for r in page.lines
                        if abs(r["x0"] - r["x1"]) < 0.1
                        and 0 < line.left - r["x0"] < 8
                        and r["top"] <= line.baseline <= r["bottom"] + 1
                    ]
                    assert rules, f"no rule beside line {number} ({edition})"
            tags = [
                w
                for page in pdf.pages
                for w in page.extract_words(keep_blank_chars=True)
                if w["text"].strip() == tag
            ]
            assert tags, edition
    key = normal(pdf_text(built["student-letter"]))
    assert "robert kennedy's words as dobrynin reports them" in key


def test_every_term_is_marked_with_its_definition_beside_it(
    built: dict[str, Path], sample: Packet
) -> None:
    """Each term is bold where it first occurs; its entry stands beside that line on the
    same page, in text order, overlapping no other entry. An entry leaves its line only
    when the entries around it leave no room, and then it sits against its neighbour."""
    for paper in ("letter", "a4"):
        path = built[f"student-{paper}"]
        with pdfplumber.open(path) as pdf:
            marked: dict[str, tuple[int, float]] = {}
            entries: dict[int, list[tuple[float, float, str]]] = {}
            for index, page in enumerate(pdf.pages):
                words = page_words(page)
                for w in words:
                    if "Serif-Bold" in w["fontname"] and abs(w["size"] - SOURCE_SIZE) < 0.05:
                        marked.setdefault(normal(w["text"]), (index, w["top"]))
                for w in words:
                    if "Sans-Bold" in w["fontname"] and abs(w["size"] - 8.5) < 0.05:
                        column = entries.setdefault(index, [])
                        if not any(abs(e[0] - w["top"]) < 1 for e in column):  # 2-word terms
                            column.append((w["top"], w["bottom"], w["text"]))
            placed: list[tuple[int, float, float, str]] = []
            for term in sample.vocabulary:
                key = normal(term.term).split()[0]  # a term of two words is two bold words
                forms = [
                    k
                    for k in marked
                    if k == key or (k.startswith(key[:-1]) and len(k) < len(key) + 4)
                ]
                assert forms, f"{term.term} is not marked in the source ({paper})"
                page, top = marked[forms[0]]
                heads = [e for e in entries.get(page, []) if e[2] == term.term.split()[0]]
                assert heads, f"{term.term}: no sidebar entry on the page of its term ({paper})"
                # Crowded pages push entries apart, but an entry stays near its line.
                assert abs(heads[0][0] - top) < pdf.pages[page].height / 4, term.term
                placed.append((page, top, heads[0][0], term.term))
            for column in entries.values():
                ordered = sorted(column)
                assert all(a[1] < b[0] for a, b in itertools.pairwise(ordered))
            # Entries keep the order of their terms in the text.
            by_text = [t for *_, t in sorted(placed, key=lambda p: (p[0], p[1]))]
            by_entry = [t for *_, t in sorted(placed, key=lambda p: (p[0], p[2]))]
            assert by_text == by_entry


def test_inflected_forms_count(sample: Packet) -> None:
    from packet.content.markup import term_pattern

    assurance = next(t for t in sample.vocabulary if t.term == "assurance")
    assert term_pattern(assurance).search("to give the assurances that")


def test_adapted_version_has_its_own_line_numbers(sample: Packet, tmp_path: Path) -> None:
    built = render_edition(sample, "student", "letter", "both")
    path = tmp_path / "both.pdf"
    path.write_bytes(built.pdf)
    pages = document_pages(path, [d.label for d in sample.documents])["A"]
    numbers = [n for n, *_ in line_numbers(path, pages)]
    restart = numbers.index(5, 1)  # the adapted text counts from 1 again
    assert numbers[:restart] == list(range(5, 5 * restart + 1, 5))
    assert numbers[restart:] == list(range(5, 5 * (len(numbers) - restart) + 1, 5))
    text = normal(pdf_text(path))
    assert "adapted" in text and re.search(r"lines \d+ \d+ adapted lines \d+ \d+", text)
    assert sample.documents[0].adapted is not None
    assert sample.documents[0].adapted.note is not None
    assert normal(plain(sample.documents[0].adapted.note))[:60] in text


def test_a_note_that_ran_past_the_foot_is_placed_by_its_whole_height() -> None:
    """A note split over two pages measures taller than it is; placed by that height, it
    would be lifted too far, stand whole, be placed lower again, split again… forever."""
    from packet.layout.pdf import Gloss, Layout

    split = Gloss("A.original", "a", 0, 700.0, 770.0, 0.0, split=True)  # pieces: 70 pt
    layout = Layout(page_sizes=((612.0, 792.0),), content_bottoms=(740.0,), glosses=(split,))
    assert layout.gloss_offsets()[("A.original", "a")] == pytest.approx(-31)  # 739 - 70 - 700
    whole = layout.gloss_offsets(heights={("A.original", "a"): 50.0})
    assert whole[("A.original", "a")] == pytest.approx(-11)  # 739 - 50 - 700


def test_margin_notes_are_nudged_apart_only_as_far_as_needed() -> None:
    from packet.layout.pdf import Gloss, Layout

    def note(term: str, top: float, height: float, offset: float = 0.0) -> Gloss:
        return Gloss("original", term, 0, top + offset, top + offset + height, offset)

    layout = Layout(
        page_sizes=((612.0, 792.0),),
        content_bottoms=(740.0,),
        glosses=(note("a", 100, 30), note("b", 110, 30), note("c", 400, 20), note("d", 700, 60)),
    )
    offsets = layout.gloss_offsets(gap=5)
    assert "a" not in {t for _, t in offsets}  # room beside its line: stays
    assert offsets[("original", "b")] == pytest.approx(25)  # 100 + 30 + 5 - 110
    assert ("original", "c") not in offsets
    # Lifted to end a point above the page foot: a note ending right on it may still break.
    assert offsets[("original", "d")] == pytest.approx(-21)
    # Applying the offsets and measuring again changes nothing: the layout has settled.
    moved = Layout(
        page_sizes=layout.page_sizes,
        content_bottoms=layout.content_bottoms,
        glosses=tuple(
            note(g.term, g.top, g.bottom - g.top, offsets.get((g.text, g.term), 0.0))
            for g in layout.glosses
        ),
    )
    assert moved.gloss_offsets(gap=5) == offsets


def test_margin_notes_stay_beside_the_text_on_their_page(built: dict[str, Path]) -> None:
    """No note stands above the first line of the text on its page (over the headnote,
    a heading or the essay) or below its last (over the citation), and none leaves its page."""
    for name, path in built.items():
        lines = source_lines(path)
        with pdfplumber.open(path) as pdf:
            for index, page in enumerate(pdf.pages):
                text = [
                    w
                    for w in page_words(page)
                    if "Serif" in w["fontname"] and abs(w["size"] - SOURCE_SIZE) < 0.05
                ]
                # A note starts with its term in bold, at the sidebar's left edge (the
                # sidebar is 1.55 in wide, inside a margin of at most 1 in).
                heads = [
                    w
                    for w in page_words(page)
                    if "Sans-Bold" in w["fontname"]
                    and abs(w["size"] - 8.5) < 0.05
                    and w["x0"] > page.width - 2.6 * 72
                ]
                if not heads:
                    continue
                left = min(w["x0"] for w in heads)
                top = min(w["top"] for w in heads)
                notes = [
                    c
                    for c in page.chars
                    if "Sans" in c["fontname"]
                    and abs(c["size"] - 8.5) < 0.05
                    and c["x0"] >= left - 0.5
                    and top - 1 <= c["top"] < page.height - 54
                    and c["text"].strip()
                ]
                on_page = [line for line in lines if line.page == index]
                if not on_page:  # no text, no notes (the overview's table is bold, too)
                    continue
                first = min(w["top"] for w in text if abs(w["baseline"] - on_page[0].baseline) < 1)
                last = max(
                    w["bottom"] for w in text if abs(w["baseline"] - on_page[-1].baseline) < 1
                )
                assert min(c["top"] for c in notes) >= first - 3, (name, index)
                assert max(c["bottom"] for c in notes) <= max(last, page.height - 54) + 1
                assert max(c["x1"] for c in notes) <= page.width - 0.7 * 72 + 1, (name, index)


def note(term: str, top: float, height: float, *, page: int = 0, offset: float = 0.0) -> Gloss:
    return Gloss("original", term, page, top + offset, top + offset + height, offset)


def settle(layout: Layout) -> Layout:
    """The layout after the build applies the offsets it asked for."""
    offsets = layout.gloss_offsets(gap=5)
    return replace(
        layout,
        glosses=tuple(
            note(
                g.term,
                g.top - g.offset,
                g.bottom - g.top,
                page=g.page,
                offset=offsets.get((g.text, g.term), 0.0),
            )
            for g in layout.glosses
        ),
    )


def test_notes_never_rise_above_the_text_they_stand_beside() -> None:
    # The text starts low on the page, under the headnote: notes on its first lines
    # move down, never up over the headnote, and end at the page foot at the latest.
    layout = Layout(
        page_sizes=((612.0, 792.0),),
        content_bottoms=(740.0,),
        glosses=(note("a", 500, 80), note("b", 500, 80), note("c", 520, 60)),
        columns=(Column("original", 0, 500.0, 740.0),),
    )
    moved = settle(layout)
    assert moved.glosses_fit(gap=5) and not layout.crowded_notes(gap=5)
    assert [round(g.top) for g in moved.glosses] == [500, 585, 670]
    # One more note and they cannot fit: the build is told which notes, and by how much.
    crowded = replace(layout, glosses=(*layout.glosses, note("d", 700, 30))).crowded_notes(gap=5)
    assert [(c.page, c.terms) for c in crowded] == [(0, ("a", "b", "c", "d"))]
    assert crowded[0].needed == pytest.approx(80 + 80 + 60 + 30 + 15)
    assert crowded[0].room == pytest.approx(240)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 700), st.floats(5, 200), st.integers(0, 1)), min_size=1, max_size=8
    ),
    st.floats(0, 400),
    st.floats(400, 760),
)
def test_notes_that_can_fit_are_placed_inside_their_column(
    specs: list[tuple[float, float, int]], top: float, bottom: float
) -> None:
    layout = Layout(
        page_sizes=((612.0, 792.0), (612.0, 792.0)),
        content_bottoms=(760.0, 760.0),
        glosses=tuple(note(f"t{i}", y, h, page=p) for i, (y, h, p) in enumerate(specs)),
        columns=(Column("original", 0, top, bottom), Column("original", 1, 60.0, 760.0)),
    )
    crowded = {c.page for c in layout.crowded_notes(gap=5)}
    moved = settle(layout)
    for page, (low, high) in ((0, (top, bottom)), (1, (60.0, 760.0))):
        notes = sorted((g for g in moved.glosses if g.page == page), key=lambda g: g.top)
        if page in crowded or not notes:
            continue
        assert notes[0].top >= low - 0.5 and notes[-1].bottom <= high + 0.5
        assert all(b.top >= a.bottom + 5 - 0.5 for a, b in itertools.pairwise(notes))
    if not crowded:
        assert moved.glosses_fit(gap=5)
        assert settle(moved).glosses == moved.glosses  # settled: a second pass moves nothing
