"""The typer application object that every command module registers itself on."""

from __future__ import annotations

import typer

from sessrec import __version__
from sessrec.utils.logs import configure_logging
from sessrec.utils.progress import set_progress_enabled

app = typer.Typer(
    name="sessrec",
    help="Session-based next-item recommendation: prepare data, train GRU4Rec, evaluate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"sessrec {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings; no progress bars."),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log detail."),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Session-based next-item recommendation on MovieLens and other logs."""
    configure_logging(-1 if quiet else verbose)
    set_progress_enabled(not quiet)
