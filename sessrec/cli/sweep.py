"""`sessrec sweep`: a grid or list of configurations from a TOML file, compared in one table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sessrec.cli.app import app
from sessrec.pipeline.sweep import run_sweep


@app.command("sweep")
def sweep_command(
    sweep_file: Annotated[
        Path,
        typer.Argument(
            help="TOML file: scalars apply to every run, lists are grid axes, [[runs]] tables are "
            "explicit configs; keys are GRU4Rec options, prep options, preset and baselines. "
            "See examples/sweep-batch-size.toml.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Sweep folder: one run folder per config.")
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="Raw log, as for `sessrec run`.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="GRU4Rec options every run starts from (TOML).")
    ] = None,
    redo: Annotated[
        bool, typer.Option("--redo", help="Run again configs that already finished.")
    ] = False,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the 95 % intervals (0: none).")
    ] = 1000,
) -> None:
    """Run each configuration as a `sessrec run` folder and write sweep.md, sweep.csv, sweep.png."""
    result = run_sweep(
        sweep_file, out, data=data, base_config=config, redo=redo, bootstrap=bootstrap
    )
    typer.echo("")
    typer.echo(result.table)
    typer.echo(f"table: {out / 'sweep.md'}, {out / 'sweep.csv'}; plot: {out / 'sweep.png'}")
