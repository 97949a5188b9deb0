"""Bad-input cases: the answer guard (a section of docs/bad-input.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pdfplumber

from badinput import Case, Run, append, build, edit, essay_with, lesson, png

REFUSED = "refused to write the student edition"
NBSP = "\u00a0"
# Sentences of the sample's answers to questions 1 and 4.
IN_CODE = "It was sent in code because it reported secret talks in the middle of a crisis."
INSPECTORS = (
    "The U.S. wanted the Soviets to stop building the missile bases in Cuba right away and "
    "to let international inspectors make sure the weapons could not be used."
)
FIRST_ANSWER = "    Soviet Ambassador Anatoly Dobrynin wrote it on October 27, 1962"
# One sentence longer than a page, so it runs across a page break whatever the layout.
RUN_ON = (
    "The envoy "
    + ", and then ".join(
        f"he set down point {n} of the plan that the two men had weighed late that night"
        for n in range(1, 61)
    )
    + "."
)
QUERY = IN_CODE.rstrip(".").replace(" ", "+")
LONG_RUN = (
    "Students who finish early can compare the cable with the letters Khrushchev and his "
    "advisers sent to Washington that same week of October 1962, and list what changed."
).replace(" ", NBSP)
CHINESE = "苏联同意撤走古巴的导弹，美国则秘密撤走土耳其的导弹。"
WITH_MARK = "In [[lines #secret]] Kennedy asks that the Turkey part of the deal stay secret."


def answer_and_essay(answer: str, essay: str | None = None) -> Callable[[Path], Run]:
    """Add a sentence to the answer to question 1, and put it (or essay) in the essay."""

    def make(tmp: Path) -> Run:
        packet = lesson(tmp)
        edit(packet / "questions.yaml", FIRST_ANSWER, f"    {answer} {FIRST_ANSWER.strip()}")
        append(packet / "essay.md", essay or answer)
        return Run(build(tmp, packet, "--edition", "student"))

    return make


def student(make: Callable[[Path], Run]) -> Callable[[Path], Run]:
    """The same case, building the student edition only (the one the guard reads)."""

    def made(tmp: Path) -> Run:
        run = make(tmp)
        return Run([*run.argv, "--edition", "student"], run.facts)

    return made


def short_answer(tmp: Path) -> Run:
    packet = lesson(tmp)
    questions = packet / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    first = text.index(FIRST_ANSWER)
    end = text.index("\n\n", first)
    questions.write_text(text[:first] + "    Turkey, secretly, by April." + text[end:], "utf-8")
    append(packet / "essay.md", "The missiles left Turkey, secretly, by April.")
    return Run(build(tmp, packet, "--edition", "student"))


def mark_in_prompt(tmp: Path) -> Run:
    packet = lesson(tmp)
    questions = packet / "questions.yaml"
    edit(questions, FIRST_ANSWER, f"    {WITH_MARK} {FIRST_ANSWER.strip()}")
    prompt = "    We hear Robert Kennedy only through Dobrynin."
    edit(questions, prompt, f"    {WITH_MARK} {prompt.strip()}")
    return Run(build(tmp, packet, "--edition", "student"))


def within_the_page(tmp: Path, printed: str) -> None:
    """Every character lies inside the page, clear of its edges; the long run is all there."""
    with pdfplumber.open(tmp / "out" / "lesson" / "lesson-student.pdf") as pdf:
        text = ""
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] >= 18 and char["x1"] <= page.width - 18, (char, page.width)
                assert char["top"] >= 18 and char["bottom"] <= page.height - 18, char
            text += page.extract_text() or ""
    assert "Khrushchevandhisadvisers" in "".join(text.split()), "the long run is cut"


CASES: dict[str, Case] = {
    "answer-across-page-break": Case(
        answer_and_essay(RUN_ON),
        (REFUSED, '"The envoy he set down point 1 of the plan', "(from the answer to question 1)"),
    ),
    "answer-in-alt-text": Case(
        student(essay_with(f"![{IN_CODE}](x.png)", {"x.png": png()})),
        (REFUSED, f'"{IN_CODE}" (from the answer to question 1)'),
    ),
    "answer-in-link-target": Case(
        student(essay_with(f"Read [more about the crisis](https://example.org/notes?q={QUERY})")),
        (REFUSED, f'"{IN_CODE}" (from the answer to question 1)'),
    ),
    "answer-with-lines-mark": Case(
        mark_in_prompt,
        (REFUSED, f'"{WITH_MARK}" (from the answer to question 1)'),
    ),
    "short-answer": Case(
        short_answer,
        (REFUSED, '"Turkey, secretly, by April." (from the answer to question 1)'),
    ),
    "answer-in-chinese": Case(
        answer_and_essay(CHINESE),
        (REFUSED, f'"{CHINESE}" (from the answer to question 1)'),
    ),
    "answer-with-no-break-spaces": Case(
        student(essay_with(INSPECTORS.replace(" ", NBSP))),
        (REFUSED, f'"{INSPECTORS}" (from the answer to question 4)'),
    ),
    "no-break-spaces-wrap": Case(
        student(essay_with(LONG_RUN)),
        ("wrote", "lesson-student.pdf"),
        code=0,
        writes=("lesson/lesson-student.pdf",),
        check=within_the_page,
    ),
}
