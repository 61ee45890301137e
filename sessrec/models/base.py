"""The interface every sessrec model implements, so one evaluator and CLI serve them all."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sessrec.errors import DataError

if TYPE_CHECKING:
    from native_loader import SessionLog


class SessionRecommender(ABC):
    """Reads sessions event by event in B parallel slots and scores every item as the next one.

    The evaluator drives a model with the same session-parallel batches that training uses:
    `start(B)` empties every slot; each `step(inputs, reset)` first clears the state of the
    slots flagged in `reset`, then consumes one item id per slot and returns scores of shape
    `[B, n_items]` for the next item (higher is better). Padded slots receive a harmless item
    id and their scores are ignored.
    """

    kind: ClassVar[str] = "abstract"

    n_items: int

    @abstractmethod
    def fit(self, train: SessionLog, valid: SessionLog | None = None) -> None:
        """Learn from the training sessions (`valid` is for models that stop early)."""

    @abstractmethod
    def start(self, batch_size: int) -> None:
        """Allocate `batch_size` empty slots before a pass over sessions."""

    @abstractmethod
    def step(
        self, inputs: np.ndarray, reset: np.ndarray, want_scores: bool = True
    ) -> np.ndarray | None:
        """Clear slots where `reset`, consume `inputs` ([B] int32), return [B, n_items] scores.

        With `want_scores=False` the state advances and nothing is returned, which lets the
        evaluator warm a session up on its history without paying for a full scoring pass.
        """

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the model as weights plus a JSON config (with its `kind`), never a pickle."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path) -> SessionRecommender:
        """Read a model written by `save`."""

    def check_items(self, inputs: np.ndarray) -> None:
        """Raise a DataError if any input item id falls outside 0..n_items-1."""
        if inputs.size and (int(inputs.min()) < 0 or int(inputs.max()) >= self.n_items):
            bad = inputs[(inputs < 0) | (inputs >= self.n_items)][0]
            known = f"0..{self.n_items - 1}"
            raise DataError(f"unknown item id {int(bad)}: this model knows item ids {known}")
