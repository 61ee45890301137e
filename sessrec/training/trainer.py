"""Train GRU4Rec on a prepared dataset: epochs, validation, early stopping, checkpoints.

`train(config, dataset, run_folder)` writes `config.toml`, `history.json`, `checkpoint/`
(the latest epoch, for `resume=True`) and `model/` (the best epoch) into `run_folder`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sessrec.errors import CheckpointError, ConfigError
from sessrec.models.gru4rec.checkpoint import read_checkpoint, read_config, write_checkpoint
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.models.gru4rec.model import GRU4Rec
from sessrec.models.gru4rec.runtime import configure_tensorflow_threads
from sessrec.training.history import EarlyStopping, epoch_entry
from sessrec.training.sequence import make_training_loop
from sessrec.training.validation import Validator
from sessrec.utils.atomic import check_output_folder, write_json

if TYPE_CHECKING:
    from native_loader import SessionLog

logger = logging.getLogger(__name__)

CHECKPOINT_FOLDER = "checkpoint"
MODEL_FOLDER = "model"
# Options that may differ between an interrupted run and its --resume.
RESUMABLE_CHANGES = ("epochs", "patience", "eval_batch_size", "notes")


@dataclass
class TrainResult:
    """The best epoch's model and the per-epoch history of one training run."""

    model: GRU4Rec
    history: list[dict[str, Any]]
    best_epoch: int
    seconds: float


def train(
    config: GRU4RecConfig,
    dataset: Any,
    run_folder: str | Path,
    resume: bool = False,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
) -> TrainResult:
    """Train on `dataset.log("train")`, validate on "valid", keep the best epoch as `model/`.

    `on_epoch(entry)` is called after each epoch with its history entry (tuning uses it to
    prune). With `resume=True` the run continues from `run_folder/checkpoint` exactly.
    """
    started = time.perf_counter()
    configure_tensorflow_threads()
    run_folder = Path(run_folder)
    check_output_folder(run_folder, is_run_folder, "a run folder", "sessrec fit")
    config = _config_for_run(config, run_folder, resume)
    if resume:
        _check_resumed_data(run_folder, dataset)
    run_folder.mkdir(parents=True, exist_ok=True)
    config.to_toml(run_folder / "config.toml")

    train_log = dataset.log("train")
    model = GRU4Rec(dataset.n_items, config)
    model.items = dataset.items
    model.data_dir = str(Path(dataset.folder).resolve())
    item_counts = np.bincount(train_log.item_ids, minlength=dataset.n_items)
    loop = make_training_loop(config, model.network, item_counts)
    stopper = EarlyStopping(config.stop_metric, config.patience)
    history: list[dict[str, Any]] = []
    first_epoch = 1
    if resume:
        progress = read_checkpoint(run_folder / CHECKPOINT_FOLDER, loop)
        loop.sampler.set_state(progress["sampler_state"])
        stopper.load_state(progress["early_stopping"])
        history = progress["history"]
        first_epoch = int(progress["epoch"]) + 1
        logger.info("resuming %s after epoch %d", run_folder, first_epoch - 1)

    validator = Validator.for_dataset(dataset, config)
    for epoch in range(first_epoch, config.epochs + 1):
        if stopper.should_stop:
            break
        stats = loop.run_epoch(_epoch_batches(train_log, config, epoch), epoch)
        entry = epoch_entry(epoch, stats, validator.metrics(model))
        history.append(entry)
        if stopper.update(epoch, entry["valid"]):
            model.save(run_folder / MODEL_FOLDER)
        _log_epoch(entry, config.stop_metric)

        write_json(run_folder / "history.json", history)
        progress = {
            "epoch": epoch,
            "history": history,
            "early_stopping": stopper.state(),
            "sampler_state": loop.sampler.get_state(),
        }
        write_checkpoint(run_folder / CHECKPOINT_FOLDER, loop, config, progress)
        if on_epoch is not None:
            on_epoch(entry)

    if not (run_folder / MODEL_FOLDER / "model.json").is_file():
        model.save(run_folder / MODEL_FOLDER)
    best = GRU4Rec.load(run_folder / MODEL_FOLDER)
    seconds = time.perf_counter() - started
    logger.info("training done in %.1f s; best epoch %d", seconds, stopper.best_epoch)
    return TrainResult(best, history, stopper.best_epoch or len(history), seconds)


def fit_model(model: GRU4Rec, train_log: SessionLog, valid_log: SessionLog | None) -> None:
    """Train `model` in memory; with `valid_log`, stop early and keep the best epoch's weights."""
    config = model.config
    item_counts = np.bincount(train_log.item_ids, minlength=model.n_items)
    loop = make_training_loop(config, model.network, item_counts)
    stopper = EarlyStopping(config.stop_metric, config.patience)
    validator = Validator(valid_log, history=None, exclude_seen=False, config=config)
    best_weights = None
    for epoch in range(1, config.epochs + 1):
        if stopper.should_stop:
            break
        stats = loop.run_epoch(_epoch_batches(train_log, config, epoch), epoch)
        entry = epoch_entry(epoch, stats, validator.metrics(model))
        if stopper.update(epoch, entry["valid"]):
            best_weights = [variable.numpy() for variable in model.network.variables]
        _log_epoch(entry, config.stop_metric)
    if best_weights is not None:
        for variable, value in zip(model.network.variables, best_weights, strict=True):
            variable.assign(value)


def is_run_folder(folder: Path) -> bool:
    """Whether `folder` holds a training run's files (config, checkpoint or best model)."""
    return (
        (folder / "config.toml").is_file()
        or (folder / CHECKPOINT_FOLDER).is_dir()
        or (folder / MODEL_FOLDER / "model.json").is_file()
    )


def _check_resumed_data(run_folder: Path, dataset: Any) -> None:
    """Refuse to resume on other data than the run was trained on (its model.json says)."""
    from sessrec.models.registry import read_model_info

    if not (run_folder / MODEL_FOLDER / "model.json").is_file():
        return  # no epoch finished yet; the checkpoint itself is checked when restored
    info = read_model_info(run_folder / MODEL_FOLDER)
    trained_on = info.get("data_dir", "its data")
    data_dir = Path(dataset.folder).resolve()
    if info.get("n_items") != dataset.n_items:
        raise ConfigError(
            f"--resume: {run_folder} was trained on {trained_on} with {info.get('n_items')} "
            f"items, but --data-dir {data_dir} has {dataset.n_items} items; pass the same "
            "--data-dir or start a new run"
        )
    if "data_dir" in info and Path(info["data_dir"]) != data_dir:
        logger.warning(
            "resuming %s on %s, though it was trained on %s (same item count)",
            run_folder, data_dir, info["data_dir"],
        )  # fmt: skip


def _config_for_run(config: GRU4RecConfig, run_folder: Path, resume: bool) -> GRU4RecConfig:
    """The config to train with; a resumed run must match the interrupted one."""
    checkpoint = run_folder / CHECKPOINT_FOLDER
    if not resume:
        if checkpoint.exists():
            raise CheckpointError(
                f"{run_folder} already holds a training run; pass --resume to continue it "
                "or choose another output folder"
            )
        return config
    stored = read_config(checkpoint)
    changed = [
        name
        for name, value in config.to_dict().items()
        if name not in RESUMABLE_CHANGES and stored.to_dict().get(name) != value
    ]
    if changed:
        raise ConfigError(
            f"option {changed[0]}: differs from the interrupted run in {run_folder} "
            f"({stored.to_dict().get(changed[0])!r} there, {getattr(config, changed[0])!r} now)"
        )
    return config


def _epoch_batches(train_log: SessionLog, config: GRU4RecConfig, epoch: int) -> Any:
    """The session-parallel batches of one epoch (a shuffled order changes per epoch)."""
    from native_loader import session_parallel_batches

    return session_parallel_batches(
        train_log, config.batch_size, order=config.session_order, seed=config.seed + epoch
    )


def _log_epoch(entry: dict[str, Any], metric: str) -> None:
    valid = entry.get("valid") or {}
    shown = f", valid {metric} {valid[metric]:.4f}" if metric in valid else ""
    logger.info(
        "epoch %d: train loss %.4f, %.0f events/s, %.1f s%s",
        entry["epoch"], entry["train_loss"], entry["events_per_second"], entry["seconds"], shown,
    )  # fmt: skip
