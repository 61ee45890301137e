"""GRU4Rec behind the SessionRecommender interface: scoring, fitting, saving and loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import tensorflow as tf

from sessrec.errors import CheckpointError, ConfigError, DataError
from sessrec.models.base import SessionRecommender
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.models.gru4rec.network import GRU4RecNetwork
from sessrec.models.registry import MODEL_FILE, read_model_info, register
from sessrec.utils.atomic import atomic_folder

if TYPE_CHECKING:
    import polars as pl

    from native_loader import SessionLog

FORMAT_VERSION = 1
WEIGHTS_PREFIX = "weights/network"
ITEMS_FILE = "items.parquet"


@register("gru4rec")
class GRU4Rec(SessionRecommender):
    """The GRU4Rec recurrent next-item model (Hidasi et al.), one hidden state per slot.

    `fit` trains in memory for `config.epochs` epochs (the `sessrec fit` command and the
    `sessrec.training.train` function add validation, checkpoints and early stopping).
    """

    def __init__(self, n_items: int, config: GRU4RecConfig | None = None) -> None:
        if not isinstance(n_items, int | np.integer) or n_items < 1:
            raise ConfigError(f"option n_items: must be a positive whole number, got {n_items!r}")
        self.n_items = int(n_items)
        self.config = config or GRU4RecConfig()
        self.network = GRU4RecNetwork(self.config, self.n_items)
        self.items: pl.DataFrame | None = None  # the item-id map of the training data
        self.data_dir: str | None = None  # the prepared data it was fit on, when known
        self.batch_size = 0
        self._states: list[tf.Tensor] = []
        self._advance = tf.function(self._advance_graph, reduce_retracing=True)
        self._advance_and_score = tf.function(self._score_graph, reduce_retracing=True)

    def fit(self, train: SessionLog, valid: SessionLog | None = None) -> None:
        """Train for `config.epochs` epochs (early stopping on `valid` when given)."""
        from sessrec.training.trainer import fit_model

        if train.n_events == 0:
            raise DataError("the training log is empty: there is nothing to fit")
        self.check_items(train.item_ids)
        fit_model(self, train, valid)

    def start(self, batch_size: int) -> None:
        """Allocate `batch_size` slots with zero hidden states."""
        if batch_size < 1:
            raise ConfigError(f"option batch_size: must be at least 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self._states = self.network.zero_states(self.batch_size)

    def step(
        self, inputs: np.ndarray, reset: np.ndarray, want_scores: bool = True
    ) -> np.ndarray | None:
        """Zero the reset slots, read one item per slot, return scores `[B, n_items]`."""
        inputs = np.asarray(inputs, dtype=np.int32)
        reset = np.asarray(reset, dtype=np.bool_)
        if len(inputs) != self.batch_size or len(reset) != self.batch_size:
            raise DataError(f"step got {len(inputs)} inputs for {self.batch_size} slots")
        self.check_items(inputs)
        if not want_scores:
            self._states = self._advance(inputs, reset, self._states)
            return None
        scores, self._states = self._advance_and_score(inputs, reset, self._states)
        return scores.numpy()

    def _advance_graph(
        self, inputs: tf.Tensor, reset: tf.Tensor, states: list[tf.Tensor]
    ) -> list[tf.Tensor]:
        keep = tf.logical_not(reset)[:, None]
        return self.network.advance(inputs, [tf.where(keep, state, 0.0) for state in states])

    def _score_graph(
        self, inputs: tf.Tensor, reset: tf.Tensor, states: list[tf.Tensor]
    ) -> tuple[tf.Tensor, list[tf.Tensor]]:
        new_states = self._advance_graph(inputs, reset, states)
        return self.network.score_all(new_states[-1]), new_states

    def description(self) -> dict[str, Any]:
        """What model.json holds: kind, format, item count and the full config."""
        description = {
            "kind": self.kind,
            "format_version": FORMAT_VERSION,
            "n_items": self.n_items,
            "config": self.config.to_dict(),
        }
        if self.data_dir is not None:
            description["data_dir"] = self.data_dir
        return description

    def save(self, folder: Path) -> None:
        """Write model.json, the TensorFlow weights and items.parquet (when known), atomically."""
        with atomic_folder(folder) as temporary:
            self.write_files(temporary)

    def write_files(self, folder: Path) -> None:
        """Write the model's files into an existing folder (no atomicity of its own)."""
        with open(folder / MODEL_FILE, "w", encoding="utf-8") as stream:
            json.dump(self.description(), stream, indent=2)
            stream.write("\n")
        tf.train.Checkpoint(network=self.network).write(str(folder / WEIGHTS_PREFIX))
        if self.items is not None:
            self.items.write_parquet(folder / ITEMS_FILE)

    @classmethod
    def load(cls, folder: Path) -> GRU4Rec:
        """Read a model written by `save`; CheckpointError when files are missing or differ."""
        folder = Path(folder)
        info = read_model_info(folder)
        if info["kind"] != cls.kind:
            raise CheckpointError(f"{folder}: holds a {info['kind']!r} model, not {cls.kind!r}")
        try:
            config = GRU4RecConfig.from_dict(info.get("config", {}), source=str(folder))
        except ConfigError as error:
            raise CheckpointError(f"{folder / MODEL_FILE}: bad config ({error})") from None
        model = cls(n_items=int(info["n_items"]), config=config)
        model.data_dir = info.get("data_dir")
        model.restore_weights(folder)
        if (folder / ITEMS_FILE).is_file():
            import polars as pl

            model.items = pl.read_parquet(folder / ITEMS_FILE)
        return model

    def restore_weights(self, folder: Path) -> None:
        """Load the network weights saved in `folder`, checking every variable matched."""
        prefix = folder / WEIGHTS_PREFIX
        try:
            status = tf.train.Checkpoint(network=self.network).read(str(prefix))
            status.assert_existing_objects_matched()
        except (tf.errors.OpError, AssertionError, ValueError, IndexError, OSError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise CheckpointError(
                f"{prefix}: weights are corrupt or incomplete ({message}); "
                "retrain or restore the folder"
            ) from None
