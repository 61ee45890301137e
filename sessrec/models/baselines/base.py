"""What every baseline shares: a validated config, JSON + npz saving, slots, popularity fallback.

A baseline's fitted state is a handful of numpy arrays (counts, sparse neighbour lists), saved
in `arrays.npz` beside `model.json` (`kind`, `config`, `n_items`) and read back without pickle.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numba
import numpy as np

from sessrec.errors import CheckpointError, ConfigError, DataError
from sessrec.models.base import SessionRecommender
from sessrec.models.registry import MODEL_FILE, read_model_info
from sessrec.utils.atomic import atomic_folder

if TYPE_CHECKING:
    from native_loader import SessionLog

logger = logging.getLogger(__name__)

ARRAYS_FILE = "arrays.npz"
FORMAT_VERSION = 1


def check_option(condition: bool, name: str, value: Any, requirement: str) -> None:
    """Raise ConfigError naming the option when `condition` is false."""
    if not condition:
        raise ConfigError(f"option {name}: must be {requirement}, got {value!r}")


def check_fallback(value: float) -> None:
    """The popularity fallback weight must lie in [0, 1) so it never outranks a real score."""
    is_number = isinstance(value, int | float) and math.isfinite(value)
    check_option(is_number and 0 <= value < 1, "popularity_fallback", value, "in [0, 1)")


class Baseline(SessionRecommender):
    """Shared machinery; subclasses set `config_class`, fill `arrays` in `fit` and score rows."""

    config_class: ClassVar[type]

    def __init__(self, n_items: int, config: Any = None) -> None:
        check_option(isinstance(n_items, int) and n_items > 0, "n_items", n_items, "positive")
        self.n_items = int(n_items)
        self.config = config if config is not None else self.config_class()
        self.arrays: dict[str, np.ndarray] = {}
        self.batch_size = 0
        self.data_dir: str | None = None  # the prepared data it was fit on, when known

    def fit(self, train: SessionLog, valid: SessionLog | None = None) -> None:
        """Learn from the training sessions; `valid` is not used by baselines."""
        if train.n_events == 0:
            raise DataError("the training log is empty: there is nothing to fit")
        self.check_items(train.item_ids)
        started = time.perf_counter()
        counts = np.bincount(train.item_ids, minlength=self.n_items).astype(np.float64)
        self.arrays = {"popularity": counts, **self._fit_arrays(train)}
        logger.info(
            "fitted %s on %d events of %d sessions in %.1f s",
            self.kind, train.n_events, train.n_sessions, time.perf_counter() - started,
        )  # fmt: skip

    def _fit_arrays(self, train: SessionLog) -> dict[str, np.ndarray]:
        """The subclass's fitted arrays besides `popularity` (train counts)."""
        return {}

    def start(self, batch_size: int) -> None:
        """Allocate empty slots."""
        self._require_fitted()
        check_option(batch_size >= 1, "batch_size", batch_size, "at least 1")
        self.batch_size = int(batch_size)
        self._start_slots(self.batch_size)

    def step(
        self, inputs: np.ndarray, reset: np.ndarray, want_scores: bool = True
    ) -> np.ndarray | None:
        """Advance every slot by one item; scores `[B, n_items]` when `want_scores`."""
        rows = np.arange(len(inputs)) if want_scores else np.zeros(0, np.int64)
        scores = self.step_rows(inputs, reset, rows)
        return scores if want_scores else None

    def step_rows(self, inputs: np.ndarray, reset: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Like `step`, but score only the slots in `rows`: returns `[len(rows), n_items]`.

        The evaluator uses this when a model offers it, so warm-up steps and padded slots cost
        nothing; row i of the result is what `step` would return for slot `rows[i]`.
        """
        inputs = np.asarray(inputs, dtype=np.int32)
        reset = np.asarray(reset, dtype=np.bool_)
        if len(inputs) != self.batch_size or len(reset) != self.batch_size:
            raise DataError(f"step got {len(inputs)} inputs for {self.batch_size} slots")
        self.check_items(inputs)
        self._advance(inputs, reset)
        return self._score(np.asarray(rows, dtype=np.int64))

    def _start_slots(self, batch_size: int) -> None:
        """Allocate per-slot state (default: only the last item)."""
        self.last_items = np.zeros(batch_size, dtype=np.int32)

    def _advance(self, inputs: np.ndarray, reset: np.ndarray) -> None:
        """Update per-slot state with one item per slot (default: remember the last item)."""
        self.last_items[:] = inputs

    def _score(self, rows: np.ndarray) -> np.ndarray:
        """Scores for the given slots, `[len(rows), n_items]` float32."""
        raise NotImplementedError

    def save(self, folder: Path) -> None:
        """Write model.json (kind, config, n_items) and arrays.npz, atomically."""
        self._require_fitted()
        description = {
            "kind": self.kind,
            "format_version": FORMAT_VERSION,
            "n_items": self.n_items,
            "config": dataclasses.asdict(self.config),
        }
        if self.data_dir is not None:
            description["data_dir"] = self.data_dir
        with atomic_folder(folder) as temporary:
            with open(temporary / MODEL_FILE, "w", encoding="utf-8") as stream:
                json.dump(description, stream, indent=2)
                stream.write("\n")
            np.savez(temporary / ARRAYS_FILE, **self.arrays)

    @classmethod
    def load(cls, folder: Path) -> Baseline:
        """Read a baseline written by `save` (no pickle involved)."""
        folder = Path(folder)
        info = read_model_info(folder)
        if info["kind"] != cls.kind:
            raise CheckpointError(f"{folder}: holds a {info['kind']!r} model, not {cls.kind!r}")
        try:
            config = cls.config_class(**info.get("config", {}))
        except (TypeError, ConfigError) as error:
            raise CheckpointError(f"{folder / MODEL_FILE}: bad config ({error})") from None
        model = cls(n_items=int(info["n_items"]), config=config)
        model.data_dir = info.get("data_dir")
        try:
            with np.load(folder / ARRAYS_FILE, allow_pickle=False) as stored:
                model.arrays = {name: stored[name] for name in stored.files}
        except (OSError, ValueError) as error:
            raise CheckpointError(f"{folder / ARRAYS_FILE}: cannot read ({error})") from None
        if len(model.arrays.get("popularity", ())) != model.n_items:
            raise CheckpointError(f"{folder / ARRAYS_FILE}: arrays do not match n_items")
        return model

    def normalised_popularity(self) -> np.ndarray:
        """Train counts divided by the largest, as float32 in [0, 1]."""
        counts = self.arrays["popularity"]
        return (counts / max(float(counts.max()), 1.0)).astype(np.float32)

    def _require_fitted(self) -> None:
        if not self.arrays:
            raise ConfigError(f"the {self.kind} model is not fitted: call fit() or load() first")


@numba.njit(cache=True)
def fill_with_popularity(row: np.ndarray, popularity: np.ndarray, weight: float) -> None:
    """Give items scoring 0 a score below every positive one, ordered by popularity.

    Zero items get `weight * smallest positive score * popularity` (popularity in [0, 1],
    weight in [0, 1)), so the model's own order is kept and popularity breaks its ties at 0.
    """
    smallest = np.inf
    for item in range(row.shape[0]):
        if 0 < row[item] < smallest:
            smallest = row[item]
    if smallest == np.inf:
        smallest = 1.0
    for item in range(row.shape[0]):
        if row[item] == 0:
            row[item] = weight * smallest * popularity[item]


def sessions_to_csr(train: SessionLog, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Each session's distinct items, sorted, as CSR (offsets, items)."""
    session_of_event = np.repeat(np.arange(train.n_sessions), train.session_lengths)
    codes = np.unique(session_of_event * np.int64(n_items) + train.item_ids)
    sessions, items = np.divmod(codes, n_items)
    offsets = np.zeros(train.n_sessions + 1, dtype=np.int64)
    np.cumsum(np.bincount(sessions, minlength=train.n_sessions), out=offsets[1:])
    return offsets, items.astype(np.int32)


def transpose_csr(
    offsets: np.ndarray, columns: np.ndarray, n_columns: int
) -> tuple[np.ndarray, np.ndarray]:
    """The transposed incidence (column -> rows) as CSR, rows ascending within each column."""
    rows = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    order = np.argsort(columns, kind="stable")
    transposed_offsets = np.zeros(n_columns + 1, dtype=np.int64)
    np.cumsum(np.bincount(columns, minlength=n_columns), out=transposed_offsets[1:])
    return transposed_offsets, rows[order].astype(np.int32)
