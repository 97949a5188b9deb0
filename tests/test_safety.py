"""Safe by construction: no leaked answers, no reads outside the packet, no broken files."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, normal, pdf_text
from packet.cli import main
from packet.errors import PacketError
from packet.layout import fetch, pdf
from packet.resources import fonts_dir, templates_dir

PASSWD = Path("/etc/passwd")
SECRET_MARK = "root:x:0:0"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def fetch_log(monkeypatch: pytest.MonkeyPatch) -> list[fetch.Fetcher]:
    """Every fetcher the renderer makes, to read what it fetched and refused."""
    made: list[fetch.Fetcher] = []
    original = fetch.Fetcher.__init__

    def record(self: fetch.Fetcher, roots: list[Path]) -> None:
        original(self, roots)
        made.append(self)

    monkeypatch.setattr(fetch.Fetcher, "__init__", record)
    return made


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABc3UBGAAAAABJRU5ErkJggg=="
)

HOSTILE = {
    "absolute path": ("![map](/etc/passwd)", "not a file in the packet"),
    "dot-dot escape": ("![map](../../../../../etc/passwd)", "outside the packet folder"),
    "dot-dot to nothing": ("![map](" + "../" * 40 + "none.png)", "outside the packet folder"),
    "file URL": ("![map](file:///etc/passwd)", "addresses and absolute paths are not allowed"),
    "http URL": ("![map](http://169.254.169.254/latest/meta-data/)", "not allowed"),
    "https URL": ("![map](https://example.com/map.png)", "not allowed"),
    "data URL": ("![map](data:image/png;base64,iVBORw0KGgo=)", "not allowed"),
    "symlink out": ("![map](map.png)", "outside the packet folder"),
    "raw img": ('<img src="/etc/passwd" alt="x">', "raw HTML is not allowed"),
    "attachment": ('<link rel="attachment" href="/etc/passwd">', "raw HTML is not allowed"),
    "style import": ("<style>@import url(/etc/passwd);</style>", "raw HTML is not allowed"),
    "script": ("<script>alert(1)</script>", "raw HTML is not allowed"),
    "iframe": ('<iframe src="https://example.com"></iframe>', "raw HTML is not allowed"),
    "object": ('<object data="/etc/passwd"></object>', "raw HTML is not allowed"),
    "event attribute": ('<span onclick="alert(1)">x</span>', "raw HTML is not allowed"),
    "style attribute": ('<span style="background: url(/etc/passwd)">x</span>', "raw HTML"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_references_are_refused(
    case: str, packet_copy: Path, tmp_path: Path, fetch_log: list[fetch.Fetcher]
) -> None:
    markdown, message = HOSTILE[case]
    if case == "symlink out":
        (packet_copy / "map.png").symlink_to(PASSWD)
    append(packet_copy / "essay.md", f"\n\n{markdown}\n")
    code, output = run("build", str(packet_copy), "-o", str(tmp_path / "out"))
    assert code == 1
    assert message in output
    assert "essay.md:" in output  # names the file and line of the reference
    assert not (tmp_path / "out").exists()
    for fetcher in fetch_log:  # nothing was read from outside the packet, nothing fetched
        assert not fetcher.refused
        assert all(url.startswith("file://") for url in fetcher.fetched)


def test_a_linked_packet_file_pointing_out_is_refused(packet_copy: Path) -> None:
    (packet_copy / "essay.md").unlink()
    (packet_copy / "essay.md").symlink_to(PASSWD)
    code, output = run("check", str(packet_copy))
    assert code == 1
    assert "outside the packet folder" in output
    assert SECRET_MARK not in output


def test_template_syntax_prints_literally(
    packet_copy: Path, tmp_path: Path, fetch_log: list[fetch.Fetcher]
) -> None:
    append(packet_copy / "essay.md", "\n\nTry {{ 7*7 }} and {% include '/etc/passwd' %} here.\n")
    code, output = run("build", str(packet_copy), "-o", str(tmp_path), "--edition", "student")
    assert code == 0, output
    student = next(tmp_path.rglob("*-student.pdf"))
    text = pdf_text(student)
    assert "{{ 7*7 }}" in text and "{% include '/etc/passwd' %}" in text
    assert "try 49 and" not in normal(text)
    assert SECRET_MARK.encode() not in student.read_bytes()
    roots = [SAMPLE.parent.parent / "templates", SAMPLE.parent.parent / "fonts", packet_copy]
    for fetcher in fetch_log:
        assert not fetcher.refused
        for url in fetcher.fetched:
            path = Path(url.removeprefix("file://")).resolve()
            assert any(path.is_relative_to(root.resolve()) for root in roots), url


def test_an_image_in_the_packet_is_allowed(packet_copy: Path, tmp_path: Path) -> None:
    (packet_copy / "map.png").write_bytes(PNG)
    append(packet_copy / "essay.md", "\n\n![A map of Cuba and Florida](map.png)\n")
    code, output = run("build", str(packet_copy), "-o", str(tmp_path), "--edition", "student")
    assert code == 0, output


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/font.woff",
        "ftp://example.com/x",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_the_renderer_itself_refuses_anything_outside(url: str, tmp_path: Path) -> None:
    """Defence in depth: even HTML that bypassed validation cannot make WeasyPrint read out."""
    roots = [tmp_path, templates_dir(), fonts_dir()]
    fetcher = fetch.Fetcher(roots)
    html = f'<html lang="en"><title>t</title><body><img src="{url}" alt="x"></body></html>'
    with pytest.raises(PacketError, match="refused to read"):
        pdf.render(html, base=tmp_path, fetcher=fetcher)
    assert [u for u, _ in fetcher.refused] == [url]
    for fetched in fetcher.fetched:  # only the stylesheet and the bundled fonts
        path = Path(fetched.removeprefix("file://"))
        assert any(path.is_relative_to(root) for root in roots), fetched


def test_build_refuses_a_student_edition_that_shows_an_answer(
    packet_copy: Path, tmp_path: Path
) -> None:
    questions = (packet_copy / "questions.yaml").read_text(encoding="utf-8")
    answer = questions.split("answer: |", 1)[1].strip().splitlines()[0].split(". ")[0] + "."
    append(packet_copy / "essay.md", f"\n\n{answer}\n")
    out = tmp_path / "out"
    code, output = run("build", str(packet_copy), "-o", str(out))
    assert code == 1
    assert "refused to write the student edition" in output
    assert answer[:60] in " ".join(output.split())
    assert "answer to question 1" in output
    assert not out.exists() or not any(out.rglob("*.pdf"))


def test_two_builds_give_identical_bytes(tmp_path: Path) -> None:
    digests = []
    for name in ("one", "two"):
        code, output = run("build", str(SAMPLE), "-o", str(tmp_path / name))
        assert code == 0, output
        digests.append(
            sorted(
                hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / name).rglob("*.pdf")
            )
        )
    assert digests[0] == digests[1]


WRAPPER = textwrap.dedent(
    """
    import os, sys, time
    import packet.output
    real = os.fsync
    def slow_fsync(fd):
        real(fd)
        print("WRITING", flush=True)
        time.sleep(60)
    packet.output.os.fsync = slow_fsync
    from packet.cli import main
    main(sys.argv[1:])
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_build_killed_mid_write_leaves_the_old_pdf(
    tmp_path: Path, signum: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    # The old PDF has another date stamped in it, so it differs from the one being written
    # to the same file name.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    code, output = run("build", str(SAMPLE), "-o", str(out), "--edition", "student")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert code == 0, output
    target = next(out.rglob("*-student.pdf"))
    before = target.read_bytes()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRAPPER,
            "build",
            str(SAMPLE),
            "-o",
            str(out),
            "--edition",
            "student",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "WRITING"  # the new PDF is half on disk
    assert any(p.name.endswith(".packet-tmp") for p in target.parent.iterdir())
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in stderr
    assert target.read_bytes() == before  # the previous PDF, whole
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file


def test_two_builds_at_once_do_not_corrupt_each_other(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "packet", "build", str(SAMPLE), "-o", str(out)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    for process in processes:
        process.communicate(timeout=300)
        assert process.returncode == 0
    code, _ = run("build", str(SAMPLE), "-o", str(tmp_path / "alone"))
    assert code == 0
    for path in out.rglob("*.pdf"):
        alone = tmp_path / "alone" / path.relative_to(out)
        assert path.read_bytes() == alone.read_bytes()
    assert sorted(p.name for p in (out / SAMPLE.name).iterdir()) == [
        f"{SAMPLE.name}-student.pdf",
        f"{SAMPLE.name}-teacher.pdf",
    ]


def test_source_date_epoch_comes_from_the_packet(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    command = [
        sys.executable,
        "-m",
        "packet",
        "build",
        str(SAMPLE),
        "-o",
        str(tmp_path),
        "--edition",
        "student",
    ]
    subprocess.run(command, check=True, env=env, capture_output=True)
    data = next(tmp_path.rglob("*.pdf")).read_bytes()
    assert b"2026-11-01" in data  # the packet's own date, not today's
