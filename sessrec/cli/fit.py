"""`sessrec fit`: train GRU4Rec on a prepared folder into a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sessrec.cli.app import app

Flag = typer.Option


@app.command("fit")
def fit_command(
    data_dir: Annotated[Path, Flag(help="Prepared data folder (from `sessrec prep`).")],
    out: Annotated[Path, Flag(help="Run folder: config.toml, history.json, checkpoint/, model/.")],
    config: Annotated[
        Path | None, Flag(help="TOML file of options; the flags below override it.")
    ] = None,
    resume: Annotated[
        bool, Flag("--resume", help="Continue the interrupted run in --out exactly.")
    ] = False,
    epochs: Annotated[int | None, Flag(help="Epochs (default 10).")] = None,
    layers: Annotated[str | None, Flag(help="GRU layer sizes, e.g. 100 or 100,100.")] = None,
    embedding: Annotated[
        str | None, Flag(help="Item input: onehot, separate or constrained (shared).")
    ] = None,
    embedding_size: Annotated[int | None, Flag(help="Separate embedding width.")] = None,
    loss: Annotated[str | None, Flag(help="cross-entropy, bpr-max or softmax.")] = None,
    n_sample: Annotated[int | None, Flag(help="Extra popularity-sampled negatives.")] = None,
    sample_alpha: Annotated[float | None, Flag(help="Sampling ∝ popularity^alpha.")] = None,
    logq: Annotated[float | None, Flag(help="Weight of the logQ correction (0: off).")] = None,
    bpreg: Annotated[float | None, Flag(help="BPR-max score regularisation.")] = None,
    optimizer: Annotated[str | None, Flag(help="adagrad (with momentum) or adam.")] = None,
    learning_rate: Annotated[float | None, Flag(help="Learning rate.")] = None,
    momentum: Annotated[float | None, Flag(help="Adagrad momentum (0: plain).")] = None,
    dropout_embedding: Annotated[float | None, Flag(help="Dropout on the item input.")] = None,
    dropout_hidden: Annotated[float | None, Flag(help="Dropout on hidden states.")] = None,
    clipnorm: Annotated[float | None, Flag(help="Clip the gradient norm (0: off).")] = None,
    batch_size: Annotated[int | None, Flag(help="Session-parallel slots.")] = None,
    session_order: Annotated[str | None, Flag(help="time, given or shuffle.")] = None,
    stop_metric: Annotated[str | None, Flag(help="Early-stopping metric, e.g. mrr@20.")] = None,
    patience: Annotated[int | None, Flag(help="Epochs without gain before stopping.")] = None,
    seed: Annotated[int | None, Flag(help="Random seed.")] = None,
    jit: Annotated[
        bool | None, Flag("--jit/--no-jit", help="Compile the training step with XLA.")
    ] = None,
) -> None:
    """Train GRU4Rec with validation after each epoch, early stopping and checkpoints."""
    from sessrec.data import load_prepared
    from sessrec.models.gru4rec.config import GRU4RecConfig
    from sessrec.models.gru4rec.runtime import configure_tensorflow_threads
    from sessrec.training import train

    flags: dict[str, Any] = {
        "epochs": epochs, "layers": layers, "embedding": embedding,
        "embedding_size": embedding_size, "loss": loss, "n_sample": n_sample,
        "sample_alpha": sample_alpha, "logq": logq, "bpreg": bpreg, "optimizer": optimizer,
        "learning_rate": learning_rate, "momentum": momentum,
        "dropout_embedding": dropout_embedding, "dropout_hidden": dropout_hidden,
        "clipnorm": clipnorm, "batch_size": batch_size, "session_order": session_order,
        "stop_metric": stop_metric, "patience": patience, "seed": seed, "jit_compile": jit,
    }  # fmt: skip
    if config is not None:
        base = GRU4RecConfig.from_toml(config)
    elif resume and (out / "config.toml").is_file():
        base = GRU4RecConfig.from_toml(out / "config.toml")
    else:
        base = GRU4RecConfig()
    settings = base.replace(**{name: value for name, value in flags.items() if value is not None})

    configure_tensorflow_threads()
    dataset = load_prepared(data_dir)
    result = train(settings, dataset, out, resume=resume)
    best = next(entry for entry in result.history if entry["epoch"] == result.best_epoch)
    valid = best.get("valid") or {}
    shown = "  ".join(f"{name} {value:.4f}" for name, value in valid.items() if "@" in name)
    typer.echo(f"best epoch {result.best_epoch} of {len(result.history)}: {shown}")
    typer.echo(f"model saved in {out / 'model'} ({result.seconds:.1f} s)")
