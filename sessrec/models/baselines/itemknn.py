"""Item-kNN: the next item scored by its session co-occurrence similarity to the current one.

Two items are similar when many training sessions contain both. As in the item-kNN baseline
of the GRU4Rec paper, similarity is the co-occurrence count divided by
`(support_i + regularisation) ** alpha * (support_j + regularisation) ** (1 - alpha)`, where
support counts the sessions holding an item; alpha 0.5 and no regularisation is the cosine.
Only the `neighbours` most similar items of each item are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numba
import numpy as np

from sessrec.models.baselines.base import (
    Baseline,
    check_fallback,
    check_option,
    fill_with_popularity,
    sessions_to_csr,
    transpose_csr,
)
from sessrec.models.registry import register

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ItemKNNConfig:
    """Neighbours kept per item, the support regularisation and exponent, and the weight of
    the popularity order given to items outside the current item's neighbours."""

    neighbours: int = 100
    regularisation: float = 20.0
    alpha: float = 0.5
    popularity_fallback: float = 0.5

    def __post_init__(self) -> None:
        check_option(self.neighbours >= 1, "neighbours", self.neighbours, "at least 1")
        check_option(
            self.regularisation >= 0, "regularisation", self.regularisation, "non-negative"
        )
        check_option(0 <= self.alpha <= 1, "alpha", self.alpha, "in [0, 1]")
        check_fallback(self.popularity_fallback)


@register("itemknn")
class ItemKNN(Baseline):
    """Scores items by similarity to the slot's last item; the rest by popularity below them."""

    config_class = ItemKNNConfig

    def _fit_arrays(self, train) -> dict[str, np.ndarray]:
        session_offsets, session_items = sessions_to_csr(train, self.n_items)
        item_offsets, item_sessions = transpose_csr(session_offsets, session_items, self.n_items)
        support = np.diff(item_offsets).astype(np.float64)
        config = self.config
        neighbour_items, neighbour_scores = _neighbours(
            session_offsets, session_items, item_offsets, item_sessions, support,
            config.neighbours, config.regularisation, config.alpha,
        )  # fmt: skip
        kept = neighbour_items >= 0
        offsets = np.zeros(self.n_items + 1, dtype=np.int64)
        np.cumsum(kept.sum(axis=1), out=offsets[1:])
        logger.info("item-kNN: %d neighbour pairs over %d items", offsets[-1], self.n_items)
        return {
            "neighbour_offsets": offsets,
            "neighbour_items": neighbour_items[kept].astype(np.int32),
            "neighbour_scores": neighbour_scores[kept].astype(np.float32),
        }

    def _score(self, rows: np.ndarray) -> np.ndarray:
        scores = np.zeros((len(rows), self.n_items), dtype=np.float32)
        _scatter_neighbours(
            scores,
            self.last_items[rows],
            self.arrays["neighbour_offsets"],
            self.arrays["neighbour_items"],
            self.arrays["neighbour_scores"],
            self.normalised_popularity(),
            self.config.popularity_fallback,
        )
        return scores


@numba.njit(cache=True)
def _neighbours(
    session_offsets, session_items, item_offsets, item_sessions, support,
    n_neighbours, regularisation, alpha,
):  # fmt: skip
    """Top `n_neighbours` items by normalised co-occurrence for every item ([n_items, k])."""
    n_items = support.shape[0]
    top_items = np.full((n_items, n_neighbours), -1, dtype=np.int64)
    top_scores = np.zeros((n_items, n_neighbours), dtype=np.float64)
    together = np.zeros(n_items, dtype=np.float64)
    for item in range(n_items):
        together[:] = 0.0
        for position in range(item_offsets[item], item_offsets[item + 1]):
            session = item_sessions[position]
            for other in session_items[session_offsets[session] : session_offsets[session + 1]]:
                together[other] += 1.0
        together[item] = 0.0
        candidates = np.flatnonzero(together)  # ascending ids: ties keep the lower id
        similarity = together[candidates] / (
            (support[item] + regularisation) ** alpha
            * (support[candidates] + regularisation) ** (1.0 - alpha)
        )
        order = np.argsort(-similarity, kind="mergesort")[:n_neighbours]
        top_items[item, : order.shape[0]] = candidates[order]
        top_scores[item, : order.shape[0]] = similarity[order]
    return top_items, top_scores


@numba.njit(cache=True)
def _scatter_neighbours(scores, sources, offsets, items, similarities, popularity, weight):
    for row in range(sources.shape[0]):
        source = sources[row]
        for position in range(offsets[source], offsets[source + 1]):
            scores[row, items[position]] = similarities[position]
        fill_with_popularity(scores[row], popularity, weight)
