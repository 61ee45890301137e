"""Score the validation split after each epoch with the shared full-ranking evaluator."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sessrec.models.gru4rec.config import GRU4RecConfig

if TYPE_CHECKING:
    from native_loader import SessionLog
    from sessrec.models.base import SessionRecommender

logger = logging.getLogger(__name__)

CUTOFFS = (5, 10, 20)


class Validator:
    """Recall@K and MRR@K (K = 5, 10, 20) of a model on one log, ranking every item."""

    def __init__(
        self,
        log: SessionLog | None,
        history: SessionLog | None,
        exclude_seen: bool,
        config: GRU4RecConfig,
    ) -> None:
        # With warm-up history a one-event session is still one prediction (leave-one-out).
        predicts = log is not None and (history is not None or log.n_events > log.n_sessions)
        self.log = log if predicts else None
        self.history = history
        self.exclude_seen = exclude_seen
        self.batch_size = config.eval_batch_size

    @classmethod
    def for_dataset(cls, dataset: Any, config: GRU4RecConfig) -> Validator:
        """Validate on "valid" the way the dataset's preset evaluates (warm-up, seen items)."""
        from sessrec.pipeline.protocol import protocol_for

        protocol = protocol_for(dataset.meta)
        valid = dataset.log("valid") if dataset.valid.height else None
        history = dataset.log("train") if protocol.warmups == (True,) else None
        return cls(valid, history, protocol.exclude_seen, config)

    def metrics(self, model: SessionRecommender) -> dict[str, float] | None:
        """The metric dict (None when there is nothing to validate on)."""
        if self.log is None:
            return None
        from sessrec.evaluation import evaluate

        result = evaluate(
            model,
            self.log,
            history=self.history,
            cutoffs=CUTOFFS,
            exclude_seen=self.exclude_seen,
            batch_size=min(self.batch_size, self.log.n_sessions),
            bootstrap=0,
        )
        wanted = [f"{name}@{cutoff}" for name in ("recall", "mrr") for cutoff in CUTOFFS]
        metrics = {name: round(float(result.metrics[name]), 6) for name in wanted}
        metrics["n_predictions"] = int(result.metrics["n_predictions"])
        return metrics
