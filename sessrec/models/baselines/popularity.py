"""Most popular: every session gets the same list, items ranked by their train count."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sessrec.models.baselines.base import Baseline
from sessrec.models.registry import register


@dataclass(frozen=True)
class PopularityConfig:
    """Most-popular has nothing to tune; the config exists so every model saves one."""


@register("pop")
class Popularity(Baseline):
    """Scores each item by how often it occurs in the training sessions."""

    config_class = PopularityConfig

    def _start_slots(self, batch_size: int) -> None:
        self.counts = self.arrays["popularity"].astype(np.float32)

    def _advance(self, inputs: np.ndarray, reset: np.ndarray) -> None:
        pass

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.counts, (len(rows), 1))
