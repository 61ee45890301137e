"""`sessrec evaluate`: full-ranking metrics of a saved model on one split of its data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sessrec.cli.app import app
from sessrec.errors import ConfigError

SPLITS = ("valid", "test")


def echo_table(headers: list[str], rows: list[list[str]]) -> None:
    """Print a plain aligned table."""
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


@app.command("evaluate")
def evaluate_command(
    run: Annotated[Path, typer.Argument(help="A saved model folder or a training run folder.")],
    split: Annotated[str, typer.Option(help="Split to rank: valid or test.")] = "test",
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Prepared data folder (default: the one the model names or sits in)."),
    ] = None,
    warmup: Annotated[
        bool | None,
        typer.Option(
            "--warmup/--no-warmup",
            help="Feed each session's earlier events first (default: both, or on for "
            "leave-one-out data).",
        ),
    ] = None,
    exclude_seen: Annotated[
        bool | None,
        typer.Option(
            "--exclude-seen/--include-seen",
            help="Leave items already in the session out of the ranking (default: as the "
            "data's preset: included for seed, excluded otherwise).",
        ),
    ] = None,
    ties: Annotated[
        str, typer.Option(help="Tie policy: pessimistic, optimistic or average.")
    ] = "pessimistic",
    cutoffs: Annotated[str, typer.Option(help="Comma-separated list lengths K.")] = "1,5,10,20",
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the 95 % intervals (0: none).")
    ] = 1000,
    batch_size: Annotated[
        int | None,
        typer.Option(min=1, help="Sessions scored in parallel (default: by memory)."),
    ] = None,
    by_position: Annotated[
        bool, typer.Option("--by-position", help="Also break Recall/MRR down by position.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="Where to write metrics.json (default: RUN/metrics.json).")
    ] = None,
) -> None:
    """Rank every next event of a split against all items and report Recall, MRR, NDCG."""
    from sessrec.data import load_prepared
    from sessrec.evaluation import evaluate
    from sessrec.evaluation.compare import history_for
    from sessrec.evaluation.locate import find_data_folder, find_model_folder, model_name
    from sessrec.evaluation.metrics import parse_cutoffs
    from sessrec.models.registry import load_model
    from sessrec.pipeline.protocol import protocol_for
    from sessrec.utils.atomic import write_json

    if split not in SPLITS:
        raise ConfigError(f"--split must be valid or test, got {split!r}")
    cutoff_values = parse_cutoffs(cutoffs)
    model_folder = find_model_folder(run)
    data_folder = find_data_folder(model_folder, data_dir)
    dataset = load_prepared(data_folder)
    model = load_model(model_folder)
    if model.n_items != dataset.n_items:
        raise ConfigError(
            f"{model_folder} knows {model.n_items} items but {data_folder} has "
            f"{dataset.n_items}; pass the --data-dir it was trained on"
        )

    protocol = protocol_for(dataset.meta, exclude_seen)
    warmups = protocol.warmups if warmup is None else (warmup,)
    history = history_for(dataset, split) if any(warmups) else None
    counts = dataset.items["train_count"].to_numpy()
    results = []
    for warm in warmups:
        result = evaluate(
            model, dataset.log(split), history=history if warm else None, cutoffs=cutoff_values,
            ties=ties, exclude_seen=protocol.exclude_seen, batch_size=batch_size,
            bootstrap=bootstrap, item_counts=counts, by_position=by_position,
        )  # fmt: skip
        results.append({"warmup": warm, "metrics": result.to_dict()})
        seen = "excluded" if protocol.exclude_seen else "included"
        typer.echo(
            f"\n{model_name(model_folder)} ({model.kind}) on {split}: warm-up "
            f"{'on' if warm else 'off'}, seen items {seen}, ties {ties}, "
            f"{result.n_predictions:,} predictions in {int(result.metrics['n_sessions']):,} "
            "sessions"
        )
        echo_table(*result.table())
        if result.by_position:
            names = [f"recall@{cutoff_values[-1]}", f"mrr@{cutoff_values[-1]}"]
            rows = [
                [b["positions"], f"{b['n_predictions']:,}", *(f"{b[n]:.4f}" for n in names)]
                for b in result.by_position
            ]
            echo_table(["Position", "Predictions", *names], rows)

    target = out or Path(run) / "metrics.json"
    write_json(
        target,
        {
            "model": model_name(model_folder),
            "kind": model.kind,
            "model_folder": str(model_folder),
            "data_dir": str(data_folder),
            "split": split,
            "results": results,
        },
    )
    typer.echo(f"\nwrote {target}")
