"""Command-line interface: `sessrec COMMAND --help` documents each command."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from sessrec.cli.app import app
from sessrec.errors import SessrecError

try:  # typer >= 0.22 carries its own copy of click
    from typer import TyperException as CommandLineError
except ImportError:  # pragma: no cover - older typer on click
    from click import ClickException as CommandLineError

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
    """Run the CLI; every failure becomes one line on stderr starting with `error:`.

    sessrec's own errors and usage errors exit with status 2, an operating-system error (a
    folder that cannot be created, a disk that is full) names its path and exits with 1.
    """
    try:
        status = app(prog_name="sessrec", standalone_mode=False)
    except SessrecError as error:
        _fail(str(error), 2)
    except CommandLineError as error:
        context = getattr(error, "ctx", None)
        if not error.format_message().strip():
            sys.exit(error.exit_code)  # e.g. no command given: the help was already shown
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        _fail(f"{error.format_message()}{hint}", error.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        _fail(f"{where}{error.strerror or error}", 1)
    sys.exit(status if isinstance(status, int) else 0)


def _fail(message: str, status: int) -> NoReturn:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(status)
