"""The command line: thin commands that hand their work to the library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .model import EDITIONS, PAPER_SIZES, SOURCE_VERSIONS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Every user error, a mistyped option included, exits with 1 and no traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as error:
            error.show()
            sys.exit(1)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


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


@main.command()
@source_argument
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder to write the PDFs into.",
)
@click.option(
    "--edition",
    type=click.Choice([*EDITIONS, "all"]),
    default="all",
    show_default=True,
    help="Which edition to build.",
)
@click.option(
    "--paper",
    type=click.Choice(PAPER_SIZES, case_sensitive=False),
    default=None,
    help="Paper size [default: the packet's own, usually letter].",
)
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

    Writes OUTPUT/<packet>/<packet>-student.pdf and <packet>-teacher.pdf.

    \b
    Example:
        packet build sources/dobrynin-kennedy-1962 --paper a4 -o output
    """
    from . import build as building

    editions = EDITIONS if edition == "all" else (edition,)
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
    from .build import load_packet

    packet = load_packet(source)
    click.echo(f"{source}: OK ({len(packet.questions)} questions, {len(packet.vocabulary)} terms)")
