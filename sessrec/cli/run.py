"""`sessrec run`: the main job, from a raw log to a report with GRU4Rec and the baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sessrec.cli.app import app
from sessrec.errors import ConfigError
from sessrec.pipeline.run import run_pipeline
from sessrec.pipeline.settings import DEFAULT_BASELINES, RunSettings

PRESET_HELP = (
    "default: ratings >= 3, users as sessions, cleanse 3/10, leave-one-out split (about 6,000 "
    "test targets, seen items excluded). seed: the original notebook's 14-day split (489 test "
    "targets). loo: every rating, no cleansing, leave-one-out (the papers' protocol)."
)


def parse_baselines(text: str) -> tuple[str, ...]:
    """'pop,markov' -> ('pop', 'markov'); 'none' or '' -> ()."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if names in ((), ("none",)):
        return ()
    if len(set(names)) != len(names):
        raise ConfigError(f"--baselines: a name is repeated in {text!r}")
    return names


@app.command("run")
def run_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Run folder to write (replaced if present).")
    ],
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Folder with ratings.dat (ML-1M) or another MovieLens release, or one CSV/TSV/"
            "Parquet log. Default: $SESSREC_DATA, then the cache, then download ML-1M.",
        ),
    ] = None,
    preset: Annotated[str, typer.Option("--preset", help=PRESET_HELP)] = "default",
    config: Annotated[
        Path | None, typer.Option("--config", help="GRU4Rec options as a TOML file.")
    ] = None,
    epochs: Annotated[
        int | None, typer.Option("--epochs", help="Override the config's epochs.")
    ] = None,
    baselines: Annotated[
        str, typer.Option("--baselines", help="Comma-separated baselines, or none.")
    ] = ",".join(DEFAULT_BASELINES),
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, tsv or parquet (one log file).")
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Column roles of a log file: session=...,item=...,time=..."),
    ] = None,
    min_rating: Annotated[
        float | None, typer.Option(help="Prep: keep ratings >= this (0 keeps all).")
    ] = None,
    session: Annotated[
        str | None, typer.Option(help="Prep: user, or gap:DURATION such as gap:30m.")
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="Prep: days:N, session-days:N, fraction:F or loo.")
    ] = None,
    min_session_length: Annotated[
        int | None, typer.Option(help="Prep: cleansing before the split.")
    ] = None,
    min_item_support: Annotated[
        int | None, typer.Option(help="Prep: cleansing before the split.")
    ] = None,
    exclude_seen: Annotated[
        bool | None,
        typer.Option(
            "--exclude-seen/--include-seen",
            help="Leave items already in the session out of the ranking (default: as the preset).",
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the 95 % intervals (0: none).")
    ] = 1000,
    download: Annotated[
        bool, typer.Option("--download/--no-download", help="Allow downloading.")
    ] = True,
) -> None:
    """Prepare the data, train GRU4Rec, fit the baselines, evaluate all on test, write a report."""
    prep = {
        "min_rating": min_rating,
        "session": session,
        "split": split,
        "min_session_length": min_session_length,
        "min_item_support": min_item_support,
    }
    settings = RunSettings(
        out=out,
        data=data,
        preset=preset,
        prep={key: value for key, value in prep.items() if value is not None},
        file_format=file_format,
        columns=columns,
        config_file=config,
        epochs=epochs,
        baselines=parse_baselines(baselines),
        exclude_seen=exclude_seen,
        bootstrap=bootstrap,
        download=download,
    )
    result = run_pipeline(settings)

    typer.echo("")
    typer.echo(result.table())
    total = sum(result.timings.values())
    typer.echo(f"wall time {total:.0f} s; report: {result.folder / 'report.md'}")
