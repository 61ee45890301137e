"""Per-prediction metric values from target ranks, and bootstrap confidence intervals.

With exactly one relevant item per prediction, Recall@K equals HitRate@K (1 when the rank is at
most K), MRR@K is 1/rank within the cut-off and NDCG@K is 1/log2(rank + 1) within it, because
the ideal DCG of a single relevant item is 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sessrec.errors import ConfigError

RANK_METRICS = ("recall", "mrr", "ndcg")
ALIASES = {"hr": "recall", "hitrate": "recall"}

# Resamples are drawn in blocks so that the [block, n_predictions] count matrix stays small.
_BOOTSTRAP_CELLS_PER_BLOCK = 4_000_000


def parse_cutoffs(cutoffs: Sequence[int] | str) -> tuple[int, ...]:
    """Cut-offs as a sorted tuple of distinct positive ints; accepts "1,5,10,20"."""
    if isinstance(cutoffs, str):
        try:
            cutoffs = [int(part) for part in cutoffs.split(",") if part.strip()]
        except ValueError:
            message = f"--cutoffs must be comma-separated integers, got {cutoffs!r}"
            raise ConfigError(message) from None
    values = tuple(sorted({int(cutoff) for cutoff in cutoffs}))
    if not values or values[0] < 1:
        raise ConfigError(f"--cutoffs must be positive integers, got {list(cutoffs)}")
    return values


def canonical_name(name: str) -> str:
    """Map a metric name such as `HR@20` or `hitrate@20` to its canonical form `recall@20`."""
    base, _, cutoff = name.lower().partition("@")
    base = ALIASES.get(base, base)
    return f"{base}@{cutoff}" if cutoff else base


def rank_metric_values(ranks: np.ndarray, cutoffs: Sequence[int]) -> dict[str, np.ndarray]:
    """Recall, MRR and NDCG at each cut-off for every prediction (`ranks` start at 1)."""
    ranks = np.asarray(ranks, dtype=np.float64)
    values: dict[str, np.ndarray] = {}
    for cutoff in cutoffs:
        hit = ranks <= cutoff
        values[f"recall@{cutoff}"] = hit.astype(np.float64)
        values[f"mrr@{cutoff}"] = np.where(hit, 1.0 / ranks, 0.0)
        values[f"ndcg@{cutoff}"] = np.where(hit, 1.0 / np.log2(ranks + 1.0), 0.0)
    return values


def list_popularity_values(
    top_items: np.ndarray, item_popularity: np.ndarray, cutoffs: Sequence[int]
) -> dict[str, np.ndarray]:
    """Mean popularity of the first K recommended items, per prediction, for each cut-off.

    `item_popularity` is already normalised (train count divided by the largest train count),
    so 1.0 means every recommended item is the most popular one. Missing slots (-1) count 0.
    """
    present = top_items >= 0
    popularity = np.where(present, item_popularity[np.maximum(top_items, 0)], 0.0)
    cumulative = np.cumsum(popularity, axis=1)
    return {
        f"popularity@{cutoff}": cumulative[:, min(cutoff, top_items.shape[1]) - 1] / cutoff
        for cutoff in cutoffs
    }


def bootstrap_intervals(
    values: np.ndarray, resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> np.ndarray:
    """Percentile bootstrap intervals of the mean of each column of `values` ([n, m] -> [m, 2]).

    Predictions are resampled with replacement; each resample's means are a weighted sum with
    the counts of how often each prediction was drawn, so the bootstrap is a few matrix products.
    """
    values = np.asarray(values, dtype=np.float64)
    n_predictions, n_metrics = values.shape
    if n_predictions == 0 or resamples <= 0:
        return np.full((n_metrics, 2), np.nan)

    rng = np.random.default_rng(seed)
    block = max(1, min(resamples, _BOOTSTRAP_CELLS_PER_BLOCK // n_predictions))
    means = []
    for first in range(0, resamples, block):
        size = min(block, resamples - first)
        drawn = rng.integers(0, n_predictions, size=(size, n_predictions))
        drawn += np.arange(size)[:, None] * n_predictions  # one bin range per resample
        counts = np.bincount(drawn.ravel(), minlength=size * n_predictions)
        means.append(counts.reshape(size, n_predictions).astype(np.float64) @ values)
    means = np.concatenate(means) / n_predictions

    tail = (1.0 - level) / 2.0
    return np.quantile(means, [tail, 1.0 - tail], axis=0).T
