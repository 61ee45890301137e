"""`sessrec tune`: optuna search for GRU4Rec options on validation, test scored once at the end."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import optuna
import typer

from sessrec.cli.app import app
from sessrec.pipeline.run import comparison_rows
from sessrec.pipeline.tables import comparison_table, markdown_table


@app.command("tune")
def tune_command(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="A folder written by `sessrec prep`.")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Search folder: trials/, best.toml, trials.json, test_metrics.json.",
        ),
    ],
    space: Annotated[
        Path | None,
        typer.Option("--space", help="Search space TOML (default: sessrec/tuning/space.toml)."),
    ] = None,
    trials: Annotated[
        int, typer.Option("--trials", min=1, help="How many more trials to run.")
    ] = 20,
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage",
            help="optuna storage URL; the same storage continues the search "
            "(default: sqlite:///OUT/optuna.db).",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="GRU4Rec options the search starts from (TOML).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the TPE sampler.")] = 42,
) -> None:
    """Search GRU4Rec options on the validation split; write best.toml for `sessrec fit`."""
    from sessrec.data import load_prepared
    from sessrec.models.gru4rec.config import GRU4RecConfig
    from sessrec.models.gru4rec.runtime import configure_tensorflow_threads
    from sessrec.tuning.search import run_search
    from sessrec.tuning.space import default_space_path, load_space

    if logging.getLogger("sessrec").getEffectiveLevel() > logging.INFO:
        optuna.logging.set_verbosity(optuna.logging.WARNING)  # --quiet: no line per trial
    search_space = load_space(space or default_space_path())
    dataset = load_prepared(data_dir)
    base = GRU4RecConfig.from_toml(config) if config else None
    storage = storage or f"sqlite:///{(out / 'optuna.db').resolve()}"
    configure_tensorflow_threads()
    result = run_search(dataset, search_space, trials, storage, out, base=base, seed=seed)

    typer.echo(
        f"best trial #{result.best_number} of {result.n_trials}: validation "
        f"{search_space.metric} = {result.best_value:.4f}"
    )
    headers, cells = comparison_table(comparison_rows({"best trial": result.test_metrics}))
    typer.echo("\ntest split (read once, after the search):\n")
    typer.echo(markdown_table(headers, cells))
    typer.echo(f"best config: {out / 'best.toml'} (use: sessrec fit --config {out / 'best.toml'})")
