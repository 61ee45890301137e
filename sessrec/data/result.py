"""What an engine hands back: the three splits with dense ids, the item table and the step log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import polars as pl

logger = logging.getLogger(__name__)

EVENT_SCHEMA = {
    "session_id": pl.Int64,
    "item_id": pl.Int32,
    "timestamp": pl.Int64,
    "rating": pl.Float32,
}
ITEM_SCHEMA = {"item_id": pl.Int32, "item_key": pl.String, "train_count": pl.Int64}
SPLITS = ("train", "valid", "test")


@dataclass
class StepLog:
    """How many events each step removed, in order; both engines must produce the same log."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    split_counts: dict[str, int] = field(default_factory=dict)

    def record(self, step: str, before: int, after: int, **detail: Any) -> None:
        """Note that `step` took the event count from `before` to `after`, and log it."""
        entry = {"step": step, "removed": before - after, "remaining": after, **detail}
        self.steps.append(entry)
        rounds = detail.get("rounds")
        extra = f" in {len(rounds)} cleansing round(s)" if rounds else ""
        logger.info(
            "%-20s removed %9s events, %9s left%s", step, f"{before - after:,}", f"{after:,}", extra
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for meta.json."""
        return {"steps": self.steps, "split_counts": self.split_counts}


@dataclass
class EngineResult:
    """Train, validation and test events (EVENT_SCHEMA) plus items (ITEM_SCHEMA)."""

    train: pl.DataFrame
    valid: pl.DataFrame
    test: pl.DataFrame
    items: pl.DataFrame
    log: StepLog
    item_rule: str

    def split(self, name: str) -> pl.DataFrame:
        """One of the three splits by name."""
        return {"train": self.train, "valid": self.valid, "test": self.test}[name]

    def conformed(self) -> EngineResult:
        """The same result with the exact column order and dtypes of the folder contract."""
        frames = {
            name: self.split(name).select(
                pl.col(column).cast(dtype) for column, dtype in EVENT_SCHEMA.items()
            )
            for name in SPLITS
        }
        items = self.items.select(
            pl.col(column).cast(dtype) for column, dtype in ITEM_SCHEMA.items()
        )
        return EngineResult(**frames, items=items, log=self.log, item_rule=self.item_rule)
