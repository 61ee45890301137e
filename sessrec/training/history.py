"""Per-epoch history entries and early stopping on a validation metric with patience."""

from __future__ import annotations

from typing import Any

from sessrec.training.loop import EpochStats


def epoch_entry(epoch: int, stats: EpochStats, valid: dict[str, float] | None) -> dict[str, Any]:
    """One `history.json` entry: epoch, train loss, events/s, seconds and validation metrics."""
    return {
        "epoch": epoch,
        "train_loss": round(float(stats.loss), 6),
        "events_per_second": round(stats.events_per_second, 1),
        "seconds": round(stats.seconds, 3),
        "events": stats.events,
        "valid": valid,
    }


class EarlyStopping:
    """Tracks the best epoch by a higher-is-better metric; stops after `patience` worse epochs.

    Without validation metrics every epoch counts as the best so far, so the last epoch is
    kept. `patience=0` never stops early.
    """

    def __init__(self, metric: str, patience: int) -> None:
        self.metric = metric
        self.patience = patience
        self.best_epoch = 0
        self.best_value: float | None = None
        self.epochs_without_gain = 0

    @property
    def should_stop(self) -> bool:
        """Whether the metric has not improved for `patience` epochs."""
        return self.patience > 0 and self.epochs_without_gain >= self.patience

    def update(self, epoch: int, valid: dict[str, float] | None) -> bool:
        """Record an epoch's metrics; True when it is the new best."""
        if not valid or self.metric not in valid:
            self.best_epoch = epoch
            return True
        value = float(valid[self.metric])
        if self.best_value is None or value > self.best_value:
            self.best_epoch, self.best_value = epoch, value
            self.epochs_without_gain = 0
            return True
        self.epochs_without_gain += 1
        return False

    def state(self) -> dict[str, Any]:
        """JSON-ready bookkeeping for a checkpoint."""
        return {
            "best_epoch": self.best_epoch,
            "best_value": self.best_value,
            "epochs_without_gain": self.epochs_without_gain,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Continue from `state()` of an interrupted run."""
        self.best_epoch = int(state["best_epoch"])
        self.best_value = state["best_value"]
        self.epochs_without_gain = int(state["epochs_without_gain"])
