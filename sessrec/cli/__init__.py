"""Command-line interface: `sessrec COMMAND --help` documents each command."""

from __future__ import annotations

import sys

import typer

from sessrec.cli.app import app
from sessrec.errors import SessrecError

# Each command module registers its command on `app` when imported (one line per module).
# isort: split
import sessrec.cli.compare  # noqa: E402,F401
import sessrec.cli.evaluate  # noqa: E402,F401
import sessrec.cli.fit  # noqa: E402,F401
import sessrec.cli.prep  # noqa: E402,F401
import sessrec.cli.recommend  # noqa: E402,F401
import sessrec.cli.run  # noqa: E402,F401
import sessrec.cli.sweep  # noqa: E402,F401
import sessrec.cli.tune  # noqa: E402,F401


def main() -> None:
    """Run the CLI; a SessrecError becomes one line on stderr and exit status 2."""
    try:
        app()
    except SessrecError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
