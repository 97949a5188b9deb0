"""The command line: thin commands that hand their work to the library."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import click

from packet import __version__
from packet.content.model import EDITIONS, MAX_COPIES, PAPER_SIZES, SOURCE_VERSIONS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Every user error, a mistyped option included, exits with 1 and no traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        # A build stopped with SIGTERM (a closed terminal, a killed CI job) unwinds like
        # Ctrl-C, so it removes its temporary files and leaves the old PDFs in place.
        signal.signal(signal.SIGTERM, _stop)
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as error:
            error.show()
            sys.exit(1)
        except (click.Abort, KeyboardInterrupt):
            click.echo("Stopped.", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="packet")
def main() -> None:
    """Turn a folder of lesson files into print-ready student and teacher PDFs.

    \b
    Example:
        packet build sources/dobrynin-kennedy-1962
        packet check sources/dobrynin-kennedy-1962
    """


source_argument = click.argument(
    "source", type=click.Path(path_type=Path, file_okay=True, dir_okay=True)
)

output_option = click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder to write into (each packet gets its own folder in it).",
)
paper_option = click.option(
    "--paper",
    type=click.Choice(PAPER_SIZES, case_sensitive=False),
    default=None,
    help="Paper size [default: the packet's own, usually letter].",
)


@main.command()
@source_argument
@output_option
@click.option(
    "--edition",
    type=click.Choice([*EDITIONS, "all"]),
    default="all",
    show_default=True,
    help="Which edition to build; all is the student and teacher editions. large-print is "
    "the student edition at 18 pt and up, in one column, for low-vision readers.",
)
@paper_option
@click.option(
    "--source-version",
    type=click.Choice(SOURCE_VERSIONS),
    default="original",
    show_default=True,
    help="Print the original source, the adapted version, or both (student edition and key).",
)
def build(
    source: Path, out_dir: Path, edition: str, paper: str | None, source_version: str
) -> None:
    """Build the student and teacher PDFs of the packet in SOURCE.

    Writes the files below; an option that changes the pages (--source-version, a
    --paper other than the packet's own) adds a word to the names, so no version
    replaces another:

    \b
        OUTPUT/<packet>/<packet>-student.pdf
        OUTPUT/<packet>/<packet>-teacher.pdf
        OUTPUT/<packet>/<packet>-student-adapted-a4.pdf
        OUTPUT/<packet>/<packet>-large-print.pdf   (--edition large-print)

    \b
    Example:
        packet build sources/dobrynin-kennedy-1962 --paper a4 -o output
        packet build sources/dobrynin-kennedy-1962 --edition large-print
    """
    from packet import build as building
    from packet.content.model import STANDARD_EDITIONS

    editions = STANDARD_EDITIONS if edition == "all" else (edition,)
    written = building.build(
        source,
        out_dir,
        editions=editions,  # type: ignore[arg-type]
        paper=paper.lower() if paper else None,  # type: ignore[arg-type]
        version=source_version,  # type: ignore[arg-type]
    )
    for path in written:
        click.echo(f"wrote {path}")


@main.command()
@source_argument
def check(source: Path) -> None:
    """Check the packet in SOURCE and list every problem, with file, line and fix.

    Exits with 1 if there is any problem.

    \b
    Example:
        packet check sources/dobrynin-kennedy-1962
    """
    from packet.build import load_packet

    packet = load_packet(source)
    click.echo(f"{source}: OK ({len(packet.questions)} questions, {len(packet.vocabulary)} terms)")


@main.command("class-set")
@source_argument
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Class list exported as CSV (Google Classroom, PowerSchool, Infinite Campus, Excel…), "
    f"at most {MAX_COPIES} students; '-' reads it from standard input.",
)
@click.option(
    "--copies",
    type=click.IntRange(1, MAX_COPIES),
    help="Numbered copies with no names, instead of a roster.",
)
@click.option("--period", help="Only this period (or the label for a roster without periods).")
@output_option
@paper_option
@click.option("--booklet", is_flag=True, help="Impose each copy as a folded, stapled booklet.")
@click.option("--with-key", is_flag=True, help="Add one teacher edition at the end.")
@click.option(
    "--edition",
    type=click.Choice(["student", "large-print"]),
    default="student",
    show_default=True,
    help="The edition every copy is: large-print for students who need it (not a booklet).",
)
@click.option(
    "--sort",
    type=click.Choice(["roster", "last-name"]),
    default="roster",
    show_default=True,
    help="Order of the copies.",
)
@click.option("--teacher", default="", help="Teacher's name, printed beside the copy number.")
@click.option("--date", "date_text", default="", help="Date to print on the Date line.")
def class_set(
    source: Path,
    roster: Path | None,
    copies: int | None,
    period: str | None,
    out_dir: Path,
    paper: str | None,
    booklet: bool,
    with_key: bool,
    edition: str,
    sort: str,
    teacher: str,
    date_text: str,
) -> None:
    """Print a class set: the student edition once per student, each with a name.

    Writes one PDF per class period, with a cover sheet that says how to set the
    copier; every copy starts on the front of a sheet. Options that change the pages
    (--edition large-print, --booklet, a --paper other than the packet's own,
    --with-key) add a word each to the file name:

    \b
        OUTPUT/<packet>/<packet>-class-set-<period>.pdf
        OUTPUT/<packet>/<packet>-class-set-<roster>.pdf   (a roster without periods)
        OUTPUT/<packet>/<packet>-class-set.pdf   (--copies)
        OUTPUT/<packet>/<packet>-class-set-3-booklet-a4-with-key.pdf
        OUTPUT/<packet>/<packet>-class-set-3-large-print.pdf

    \b
    Example:
        packet class-set sources/dobrynin-kennedy-1962 --roster period3.csv --period 3
        packet class-set sources/dobrynin-kennedy-1962 --copies 32 --booklet
        packet class-set sources/dobrynin-kennedy-1962 --copies 2 --edition large-print
    """
    from packet.printing.classset import ClassSetOptions, build_class_sets

    if (roster is None) == (copies is None):
        raise click.UsageError("give either --roster ROSTER.csv or --copies N (not both)")
    written = build_class_sets(
        source,
        out_dir,
        roster=roster,
        copies=copies,
        period=period,
        sort=sort,  # type: ignore[arg-type]
        options=ClassSetOptions(
            paper=paper.lower() if paper else None,  # type: ignore[arg-type]
            booklet=booklet,
            with_key=with_key,
            edition=edition,  # type: ignore[arg-type]
            teacher=teacher,
            date=date_text,
        ),
    )
    for path in written:
        click.echo(f"wrote {path}")


@main.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--all", "show_all", is_flag=True, help="Show every finding, not the first few of each kind."
)
def verify(pdfs: tuple[Path, ...], show_all: bool) -> None:
    """Check finished PDFs for accessibility: tags, language, title, alt text, fonts, text.

    Prints each finding with its page, object, severity, and how to fix it; exits
    with 1 if any finding is an error. Reads any PDF, not only packet's own.

    \b
    Example:
        packet verify output/dobrynin-kennedy-1962/*.pdf
    """
    from packet.checks.verify import verify_file
    from packet.errors import PacketError

    failed = 0
    for path in pdfs:
        report = verify_file(path)
        for line in report.lines(per_rule=None if show_all else 5):
            click.echo(line)
        failed += report.errors > 0
    if failed:
        noun = "file" if failed == 1 else "files"
        raise PacketError(f"{failed} {noun} of {len(pdfs)} failed the checks")
