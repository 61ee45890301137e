"""First-order Markov chain: the next item scored by how often it followed the current one."""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sessrec.models.baselines.base import Baseline, check_fallback
from sessrec.models.registry import register


@dataclass(frozen=True)
class MarkovConfig:
    """`popularity_fallback` in [0, 1): weight of the normalised train count added to every
    transition count, so items that never followed the current one (and ties between equal
    counts) are ordered by popularity without ever outranking a larger count."""

    popularity_fallback: float = 0.5

    def __post_init__(self) -> None:
        check_fallback(self.popularity_fallback)


@register("markov")
class Markov(Baseline):
    """Scores item j after item i by the number of i -> j steps in the training sessions."""

    config_class = MarkovConfig

    def _fit_arrays(self, train) -> dict[str, np.ndarray]:
        starts_session = np.zeros(train.n_events, dtype=np.bool_)
        starts_session[train.session_offsets[:-1]] = True
        follows = ~starts_session[1:]  # event t+1 continues the session of event t
        previous = train.item_ids[:-1][follows].astype(np.int64)
        following = train.item_ids[1:][follows].astype(np.int64)
        codes, counts = np.unique(previous * self.n_items + following, return_counts=True)
        sources, targets = np.divmod(codes, self.n_items)
        offsets = np.zeros(self.n_items + 1, dtype=np.int64)
        np.cumsum(np.bincount(sources, minlength=self.n_items), out=offsets[1:])
        return {
            "transition_offsets": offsets,
            "transition_targets": targets.astype(np.int32),
            "transition_counts": counts.astype(np.float32),
        }

    def _score(self, rows: np.ndarray) -> np.ndarray:
        base = self.config.popularity_fallback * self.normalised_popularity()
        scores = np.tile(base, (len(rows), 1))
        _add_transitions(
            scores,
            self.last_items[rows],
            self.arrays["transition_offsets"],
            self.arrays["transition_targets"],
            self.arrays["transition_counts"],
        )
        return scores


@numba.njit(cache=True)
def _add_transitions(scores, sources, offsets, targets, counts):
    for row in range(sources.shape[0]):
        source = sources[row]
        for position in range(offsets[source], offsets[source + 1]):
            scores[row, targets[position]] += counts[position]
