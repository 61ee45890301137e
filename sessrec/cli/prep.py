"""`sessrec prep`: turn a raw rating log into a prepared train/validation/test folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sessrec.cli.app import app
from sessrec.data import locate_data, prepare, preset_options, resolve_source
from sessrec.data.prepare import format_stats_table
from sessrec.data.prepared import check_replaceable_output

PRESET_HELP = (
    "seed: the original notebook (ratings >= 3, users as sessions, cleanse 3/10, days:14 twice, "
    "then train 2/5 and validation/test 2/1). default: the seed's filtering with a leave-one-out "
    "split (about 6,000 test targets). loo: every rating, no cleansing, leave-one-out, ids over "
    "all items. Any option given below overrides the preset's value."
)
DATA_HELP = (
    "Folder with ratings.dat (ML-1M/10M), u.data (ML-100K) or ratings.csv (ML-20M/25M/latest), "
    "or one CSV/TSV/Parquet log. Default: $SESSREC_DATA, then $SESSREC_CACHE/ml-1m "
    "(~/.cache/sessrec/ml-1m), then a download of ML-1M into that cache."
)
COLUMNS_HELP = (
    "Column roles of a CSV/TSV/Parquet log: session=...,item=...,time=...,rating=... (rating "
    "optional; time in Unix seconds, or a Parquet datetime). Columns named like session_id, "
    "user_id, item_id, timestamp, rating are found without it."
)
SPLIT_HELP = (
    "days:N (event-level cut N days before the last event), session-days:N (sessions ending in "
    "the last N days), fraction:F (global time cut leaving F of the events after it) or loo "
    "(last event of each session). Applied again inside train to carve out validation."
)
UNSEEN_HELP = (
    "drop: remove validation/test events whose item is not in train (ids over train items); "
    "keep: every item gets an id."
)


@app.command("prep")
def prep_command(
    data: Annotated[Path | None, typer.Option(help=DATA_HELP)] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder. Default: runs/prepared-PRESET."),
    ] = None,
    preset: Annotated[str, typer.Option(help=PRESET_HELP)] = "seed",
    engine: Annotated[
        str | None, typer.Option(help="polars (default) or pandas (independent reference).")
    ] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="Format of one log file: csv, tsv, parquet.")
    ] = None,
    columns: Annotated[str | None, typer.Option(help=COLUMNS_HELP)] = None,
    min_rating: Annotated[
        float | None, typer.Option(help="Keep ratings >= this (0 keeps all).")
    ] = None,
    session: Annotated[
        str | None,
        typer.Option(help="user (a user's history is one session) or gap:DURATION, e.g. gap:30m."),
    ] = None,
    min_session_length: Annotated[
        int | None, typer.Option(help="Cleansing before the split: shortest session kept.")
    ] = None,
    min_item_support: Annotated[
        int | None, typer.Option(help="Cleansing before the split: fewest events per item.")
    ] = None,
    split: Annotated[str | None, typer.Option(help=SPLIT_HELP)] = None,
    train_min_session_length: Annotated[
        int | None,
        typer.Option(
            help="Cleansing of train after the split: shortest session kept (at least 2, "
            "since a one-event session gives no training pair)."
        ),
    ] = None,
    train_min_item_support: Annotated[
        int | None, typer.Option(help="Cleansing of train after the split: items.")
    ] = None,
    eval_min_session_length: Annotated[
        int | None, typer.Option(help="Cleansing of validation and test: sessions.")
    ] = None,
    eval_min_item_support: Annotated[
        int | None, typer.Option(help="Cleansing of validation and test: items.")
    ] = None,
    unseen_items: Annotated[str | None, typer.Option(help=UNSEEN_HELP)] = None,
    download: Annotated[
        bool, typer.Option(help="Download ML-1M when it is found nowhere else.")
    ] = True,
) -> None:
    """Prepare train, validation and test session logs and print statistics per split."""
    options = preset_options(
        preset,
        engine=engine,
        min_rating=min_rating,
        session=session,
        min_session_length=min_session_length,
        min_item_support=min_item_support,
        split=split,
        train_min_session_length=train_min_session_length,
        train_min_item_support=train_min_item_support,
        eval_min_session_length=eval_min_session_length,
        eval_min_item_support=eval_min_item_support,
        unseen_items=unseen_items,
    )
    source = resolve_source(locate_data(data, download=download), file_format, columns)
    out = out or Path("runs") / f"prepared-{preset}"
    check_replaceable_output(out)
    report = prepare(source, options, out)

    typer.echo(format_stats_table(report.stats))
    removed = [f"{step['step']} {step['removed']:,}" for step in report.result.log.steps]
    typer.echo("events removed per step: " + ", ".join(removed))
    typer.echo(f"wrote {report.folder} ({report.result.items.height:,} items)")
