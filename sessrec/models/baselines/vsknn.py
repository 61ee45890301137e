"""V-SKNN: session-based kNN with the current session as a position-decayed vector.

The current session (everything the slot has read, warm-up included) becomes a vector whose
last item weighs 1 and earlier items less (linear decay by default). Past training sessions
that share an item with it are candidates; the `sample_size` most recent of them are kept,
each is scored by its similarity to the current vector (dot product with its binary item
vector, or that divided by both norms), and the `neighbours` best vote for their items with
their similarity. Items no neighbour holds are ordered by popularity below every voted item.
The defaults (100 neighbours from the 1,000 most recent candidates, linear decay, cosine) are
the usual ones of the session-based kNN literature, not tuned on any test split.
"""

from __future__ import annotations

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

DECAYS = ("linear", "same", "div", "log", "quadratic")
SIMILARITIES = ("dot", "cosine")


@dataclass(frozen=True)
class VSKNNConfig:
    """Neighbour sessions used, most recent candidate sessions considered (0 = all), position
    decay of the current session, similarity, and the popularity fallback weight."""

    neighbours: int = 100
    sample_size: int = 1000
    decay: str = "linear"
    similarity: str = "cosine"
    popularity_fallback: float = 0.5

    def __post_init__(self) -> None:
        check_option(self.neighbours >= 1, "neighbours", self.neighbours, "at least 1")
        check_option(self.sample_size >= 0, "sample_size", self.sample_size, "0 or more")
        check_option(self.decay in DECAYS, "decay", self.decay, f"one of {', '.join(DECAYS)}")
        check_option(
            self.similarity in SIMILARITIES,
            "similarity",
            self.similarity,
            f"one of {', '.join(SIMILARITIES)}",
        )
        check_fallback(self.popularity_fallback)


@register("vsknn")
class VSKNN(Baseline):
    """Session kNN over the training sessions; a slot's state is its whole session so far."""

    config_class = VSKNNConfig

    def _fit_arrays(self, train) -> dict[str, np.ndarray]:
        # Renumber sessions most recent first (by start time, else by their order in the log),
        # so "the most recent candidates" are simply the lowest session numbers.
        recency = train.start_times
        if recency is None:
            recency = np.arange(train.n_sessions)
        newest_first = np.argsort(-np.asarray(recency, dtype=np.int64), kind="stable")
        offsets, items = sessions_to_csr(train, self.n_items)
        lengths = np.diff(offsets)[newest_first]
        starts = offsets[:-1][newest_first]
        gather = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        items = items[gather + np.arange(int(lengths.sum()))]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        item_offsets, item_sessions = transpose_csr(offsets, items, self.n_items)
        return {
            "session_offsets": offsets,
            "session_items": items,
            "item_offsets": item_offsets,
            "item_sessions": item_sessions,
        }

    def _start_slots(self, batch_size: int) -> None:
        self.histories = np.zeros((batch_size, 64), dtype=np.int32)
        self.lengths = np.zeros(batch_size, dtype=np.int64)

    def _advance(self, inputs: np.ndarray, reset: np.ndarray) -> None:
        self.lengths[reset] = 0
        if self.lengths.max() >= self.histories.shape[1]:
            grown = np.zeros((len(self.lengths), 2 * self.histories.shape[1]), dtype=np.int32)
            grown[:, : self.histories.shape[1]] = self.histories
            self.histories = grown
        self.histories[np.arange(len(inputs)), self.lengths] = inputs
        self.lengths += 1

    def _score(self, rows: np.ndarray) -> np.ndarray:
        scores = np.zeros((len(rows), self.n_items), dtype=np.float32)
        config = self.config
        if not len(rows):
            return scores
        kernel = _score_parallel if len(rows) >= 4 else _score_serial
        kernel(
            scores, self.histories, self.lengths, rows,
            self.arrays["session_offsets"], self.arrays["session_items"],
            self.arrays["item_offsets"], self.arrays["item_sessions"],
            self.normalised_popularity(), config.neighbours, config.sample_size,
            DECAYS.index(config.decay), config.similarity == "cosine", config.popularity_fallback,
        )  # fmt: skip
        return scores


@numba.njit(cache=True)
def _decay(position, length, code):
    """Weight of the item at 1-based `position` in a session of `length` (the last gets 1)."""
    if code == 0:
        return position / length
    if code == 1:
        return 1.0
    if code == 2:
        return 1.0 / (length - position + 1)
    if code == 3:
        return 1.0 / np.log2(length - position + 2)
    return (position / length) ** 2


@numba.njit(cache=True, parallel=True)
def _score_parallel(
    scores, histories, lengths, rows, session_offsets, session_items, item_offsets,
    item_sessions, popularity, n_neighbours, sample_size, decay_code, cosine, weight,
):  # fmt: skip
    for row in numba.prange(rows.shape[0]):
        _score_row(
            row, scores, histories, lengths, rows, session_offsets, session_items, item_offsets,
            item_sessions, popularity, n_neighbours, sample_size, decay_code, cosine, weight,
        )  # fmt: skip


@numba.njit(cache=True)
def _score_serial(
    scores, histories, lengths, rows, session_offsets, session_items, item_offsets,
    item_sessions, popularity, n_neighbours, sample_size, decay_code, cosine, weight,
):  # fmt: skip
    for row in range(rows.shape[0]):
        _score_row(
            row, scores, histories, lengths, rows, session_offsets, session_items, item_offsets,
            item_sessions, popularity, n_neighbours, sample_size, decay_code, cosine, weight,
        )  # fmt: skip


@numba.njit(cache=True)
def _score_row(
    row, scores, histories, lengths, rows, session_offsets, session_items, item_offsets,
    item_sessions, popularity, n_neighbours, sample_size, decay_code, cosine, weight,
):  # fmt: skip
    """Scores of one slot: neighbours' similarity votes, then the popularity fallback."""
    n_items = scores.shape[1]
    n_sessions = session_offsets.shape[0] - 1
    slot = rows[row]
    length = lengths[slot]

    # The current session as a vector: each distinct item keeps its latest weight.
    item_weight = np.zeros(n_items, dtype=np.float64)
    for position in range(length):
        item_weight[histories[slot, position]] = _decay(position + 1, length, decay_code)
    distinct = np.flatnonzero(item_weight)
    norm = np.sqrt(np.sum(item_weight[distinct] ** 2))

    # Dot product with every past session that shares an item.
    overlap = np.zeros(n_sessions, dtype=np.float64)
    for item in distinct:
        for position in range(item_offsets[item], item_offsets[item + 1]):
            overlap[item_sessions[position]] += item_weight[item]
    candidates = np.flatnonzero(overlap)  # most recent first
    if sample_size > 0:
        candidates = candidates[:sample_size]
    similarity = overlap[candidates]
    if cosine:
        sizes = session_offsets[candidates + 1] - session_offsets[candidates]
        similarity = similarity / (norm * np.sqrt(sizes.astype(np.float64)))

    # The best neighbours vote for their items with their similarity.
    best = np.argsort(-similarity, kind="mergesort")[:n_neighbours]
    for neighbour in best:
        session = candidates[neighbour]
        for position in range(session_offsets[session], session_offsets[session + 1]):
            scores[row, session_items[position]] += similarity[neighbour]
    fill_with_popularity(scores[row], popularity, weight)
