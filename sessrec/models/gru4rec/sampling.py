"""Negative items drawn in proportion to popularity^alpha, a whole chunk of steps at a time."""

from __future__ import annotations

from typing import Any

import numpy as np


class PopularitySampler:
    """Draws `n_sample` shared negatives per training step from popularity^`alpha`.

    Drawing a block `[steps, n_sample]` per compiled call keeps the sampling out of the
    per-step Python path. The numpy generator's state can be saved and restored, so a
    resumed run draws exactly the negatives the uninterrupted run would have drawn.
    """

    def __init__(self, item_counts: np.ndarray, n_sample: int, alpha: float, seed: int) -> None:
        counts = np.asarray(item_counts, dtype=np.float64)
        weights = np.power(np.maximum(counts, 0.0), alpha)
        weights[counts <= 0] = 0.0
        if weights.sum() <= 0:
            weights = np.ones_like(weights)
        self.n_sample = n_sample
        self.alpha = alpha
        self.cumulative = np.cumsum(weights) / weights.sum()
        self.cumulative[-1] = 1.0
        self.generator = np.random.default_rng(seed)

    def draw(self, steps: int) -> np.ndarray:
        """Item ids `[steps, n_sample]` (int32), each row the negatives of one step."""
        if self.n_sample == 0:
            return np.zeros((steps, 0), dtype=np.int32)
        uniform = self.generator.random(steps * self.n_sample)
        items = np.searchsorted(self.cumulative, uniform, side="right")
        items = np.minimum(items, len(self.cumulative) - 1)
        return items.astype(np.int32).reshape(steps, self.n_sample)

    def get_state(self) -> dict[str, Any]:
        """The generator state as JSON-ready values."""
        return self.generator.bit_generator.state

    def set_state(self, state: dict[str, Any]) -> None:
        """Continue from a state returned by `get_state`."""
        self.generator.bit_generator.state = state


def candidate_log_probability(
    item_counts: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Log-probabilities (up to a constant) that an item appears as a candidate column.

    Returns `(log_popularity, alpha * log_popularity)`, each `[n_items]` float32: in-batch
    targets come from the data (popularity), sampled negatives from popularity^alpha.
    Items never seen in training are treated as seen once, which keeps the logs finite.
    """
    log_popularity = np.log(np.maximum(np.asarray(item_counts, dtype=np.float64), 1.0))
    return log_popularity.astype(np.float32), (alpha * log_popularity).astype(np.float32)
