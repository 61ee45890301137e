"""Training checkpoints: weights, optimizer slots, step counter and progress, written atomically.

A checkpoint folder holds `state/` (TensorFlow's own checkpoint format, no pickle: network
weights, optimizer accumulators and momenta, hidden states and the global step),
`progress.json` (epoch, history, early-stopping bookkeeping and the negative sampler's random
state) and `config.toml`. Restoring all three continues a run exactly where it stopped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tensorflow as tf

from sessrec.errors import CheckpointError
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.utils.atomic import atomic_folder

STATE_PREFIX = "state/training"
PROGRESS_FILE = "progress.json"
CONFIG_FILE = "config.toml"
PROGRESS_KEYS = ("epoch", "history", "early_stopping", "sampler_state")


def write_checkpoint(
    folder: Path, trackable: tf.Module, config: GRU4RecConfig, progress: dict[str, Any]
) -> None:
    """Replace `folder` with a checkpoint of `trackable` and the JSON `progress`."""
    with atomic_folder(folder) as temporary:
        tf.train.Checkpoint(training=trackable).write(str(temporary / STATE_PREFIX))
        with open(temporary / PROGRESS_FILE, "w", encoding="utf-8") as stream:
            json.dump(progress, stream, indent=2)
            stream.write("\n")
        config.to_toml(temporary / CONFIG_FILE)


def read_config(folder: Path) -> GRU4RecConfig:
    """The config stored with a checkpoint."""
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(f"{path} not found: {folder} is not a training checkpoint")
    return GRU4RecConfig.from_toml(path)


def read_checkpoint(folder: Path, trackable: tf.Module) -> dict[str, Any]:
    """Restore `trackable` from `folder` in place and return the saved progress."""
    folder = Path(folder)
    progress_path = folder / PROGRESS_FILE
    if not progress_path.is_file():
        raise CheckpointError(
            f"{progress_path} not found: nothing to resume in {folder.parent}; "
            "start without --resume"
        )
    try:
        progress = json.loads(progress_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{progress_path}: cannot read ({error})") from None
    if not isinstance(progress, dict):
        raise CheckpointError(f"{progress_path}: holds no JSON object; the checkpoint is damaged")
    missing = [key for key in PROGRESS_KEYS if key not in progress]
    if missing:
        raise CheckpointError(
            f"{progress_path}: key {missing[0]!r} missing; the checkpoint is damaged"
        )

    try:
        status = tf.train.Checkpoint(training=trackable).read(str(folder / STATE_PREFIX))
        status.assert_existing_objects_matched()
    except (tf.errors.OpError, AssertionError, ValueError, IndexError, OSError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CheckpointError(
            f"{folder / STATE_PREFIX}: training state is corrupt or incomplete ({first_line}); "
            "start the run again without --resume"
        ) from None
    return progress
