"""`sessrec compare`: saved models and freshly fitted baselines, ranked on the same split."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sessrec.cli.app import app
from sessrec.cli.evaluate import SPLITS, echo_table
from sessrec.errors import ConfigError


def split_names(values: list[str]) -> list[str]:
    """Repeated and comma-separated values as one list: ['a,b', 'c'] -> ['a', 'b', 'c']."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@app.command("compare")
def compare_command(
    data_dir: Annotated[Path, typer.Option(help="Prepared data folder (from sessrec prep).")],
    out: Annotated[Path, typer.Option(help="Folder for compare.md, compare.png, metrics.json.")],
    split: Annotated[str, typer.Option(help="Split to rank: valid or test.")] = "test",
    models: Annotated[
        list[str] | None,
        typer.Option(help="Saved model or training run folders (repeat or comma-separate)."),
    ] = None,
    baselines: Annotated[
        str, typer.Option(help="Baselines to fit on train: pop,markov,itemknn,vsknn or none.")
    ] = "pop,markov,itemknn,vsknn",
    warmup: Annotated[
        bool | None,
        typer.Option(
            "--warmup/--no-warmup",
            help="Warm-up setting (default: both, or on for leave-one-out data).",
        ),
    ] = None,
    exclude_seen: Annotated[
        bool | None,
        typer.Option(
            "--exclude-seen/--include-seen",
            help="Leave items already in the session out (default: as the data's preset).",
        ),
    ] = None,
    ties: Annotated[
        str, typer.Option(help="Tie policy: pessimistic, optimistic or average.")
    ] = "pessimistic",
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the 95 % intervals (0: none).")
    ] = 1000,
) -> None:
    """Evaluate several models on one split and write one table, one chart, one metrics.json."""
    from sessrec.data import load_prepared
    from sessrec.evaluation.compare import (
        compare_models,
        comparison_table,
        fit_baselines,
        is_compare_folder,
        write_comparison,
    )
    from sessrec.evaluation.locate import find_model_folder, model_name
    from sessrec.models.registry import baseline_names, load_model
    from sessrec.pipeline.protocol import protocol_for
    from sessrec.utils.atomic import check_output_folder

    if split not in SPLITS:
        raise ConfigError(f"--split must be valid or test, got {split!r}")
    names = [name for name in split_names([baselines]) if name != "none"]
    unknown = [name for name in names if name not in baseline_names()]
    if unknown:
        known = ", ".join(baseline_names())
        raise ConfigError(f"--baselines: unknown baseline {unknown[0]!r}; known: {known}")
    folders = [find_model_folder(path) for path in split_names(models or [])]
    if not names and not folders:
        raise ConfigError("nothing to compare: give --models and/or --baselines")
    check_output_folder(out, is_compare_folder, "a compare output folder", "sessrec compare")

    dataset = load_prepared(data_dir)
    loaded = {model_name(folder): load_model(folder) for folder in folders}
    if len(loaded) != len(folders):
        raise ConfigError("--models: two model folders have the same name")
    clashing = sorted(set(loaded) & set(names))
    if clashing:
        raise ConfigError(f"--models: a model folder is named like baseline {clashing[0]!r}")
    loaded.update(fit_baselines(dataset, names, Path(out) / "baselines"))

    protocol = protocol_for(dataset.meta, exclude_seen)
    warmups = protocol.warmups if warmup is None else (warmup,)
    rows = compare_models(
        dataset, loaded, split=split, warmups=warmups, exclude_seen=protocol.exclude_seen,
        ties=ties, bootstrap=bootstrap,
    )  # fmt: skip
    settings = {"data_dir": str(data_dir), "exclude_seen": protocol.exclude_seen, "ties": ties}
    write_comparison(rows, Path(out), split, extra=settings)

    seen = "excluded" if protocol.exclude_seen else "included"
    typer.echo(f"\n{split} split of {data_dir}: seen items {seen}, ties {ties}")
    echo_table(*comparison_table(rows))
    typer.echo(f"\nwrote {out}/compare.md, compare.png and metrics.json")
