"""The evaluator driving scripted models over small logs with hand-computed ranks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from native_loader import SessionLog
from sessrec.errors import DataError
from sessrec.evaluation import evaluate
from sessrec.models.base import SessionRecommender


class CycleModel(SessionRecommender):
    """Scores 1 for item (last input + 1) mod n_items and 0 for every other item."""

    kind = "test-cycle"

    def __init__(self, n_items: int) -> None:
        self.n_items = n_items
        self.fed = 0

    def fit(self, train, valid=None):
        pass

    def start(self, batch_size):
        self.fed = 0

    def step(self, inputs, reset, want_scores=True):
        self.check_items(inputs)
        self.fed += int(len(inputs))
        if not want_scores:
            return None
        scores = np.zeros((len(inputs), self.n_items), dtype=np.float32)
        scores[np.arange(len(inputs)), (inputs + 1) % self.n_items] = 1.0
        return scores

    def save(self, folder: Path) -> None:
        pass

    @classmethod
    def load(cls, folder: Path) -> CycleModel:
        raise NotImplementedError


def two_sessions() -> SessionLog:
    return SessionLog.from_arrays(np.array([10, 10, 10, 10, 11, 11, 11]), [0, 1, 2, 3, 2, 3, 0])


@pytest.mark.parametrize(
    ("ties", "last_rank"), [("optimistic", 2.0), ("pessimistic", 5.0), ("average", 3.5)]
)
def test_ranks_every_next_event_with_each_tie_policy(ties, last_rank):
    result = evaluate(CycleModel(5), two_sessions(), cutoffs=(1, 3), ties=ties, bootstrap=0)
    # Predictions 0->1, 1->2, 2->3, 2->3 sit at rank 1; 3->0 ties item 0 with 1, 2 and 3.
    assert result.n_predictions == 5
    assert result.metrics["n_sessions"] == 2
    assert result["recall@1"] == pytest.approx(4 / 5)
    assert result["mrr@3"] == pytest.approx((4 + (1 / last_rank if last_rank <= 3 else 0)) / 5)
    assert result["coverage@1"] == pytest.approx(4 / 5)  # items 1, 2, 3, 4 on top
    assert result.settings["ties"] == ties


def test_exclude_seen_leaves_out_session_items_but_not_the_target():
    result = evaluate(CycleModel(5), two_sessions(), cutoffs=(5,), exclude_seen=True, bootstrap=0)
    # 3->0 in session [2, 3, 0]: items 2 and 3 are seen; 0 ties only with 1, below item 4.
    assert result["mrr@5"] == pytest.approx((4 + 1 / 3) / 5)


def test_warmup_feeds_history_unscored_and_scores_the_first_event():
    history = SessionLog.from_arrays(np.array([11, 12]), [1, 4])
    model = CycleModel(5)
    result = evaluate(model, two_sessions(), history=history, cutoffs=(1,), bootstrap=0)
    # Session 11 gains the prediction 1->2 (rank 1); session 12 is not in the evaluated log.
    assert result.n_predictions == 6
    assert result["recall@1"] == pytest.approx(5 / 6)
    assert result.settings["warmup"] is True


def test_batch_size_and_position_breakdown_do_not_change_metrics():
    base = evaluate(CycleModel(5), two_sessions(), batch_size=2, bootstrap=50, by_position=True)
    single = evaluate(CycleModel(5), two_sessions(), batch_size=1, bootstrap=50)
    assert base.metrics == single.metrics
    assert base.intervals == single.intervals
    positions = {bucket["positions"]: bucket for bucket in base.by_position}
    assert positions["1"]["n_predictions"] == 2
    assert positions["2"]["recall@1"] == pytest.approx(0.5)  # 1->2 hit, 3->0 missed
    assert positions["3"]["recall@20"] == 1.0


def test_popularity_needs_train_counts():
    counts = np.array([0, 0, 10, 5, 0])
    result = evaluate(CycleModel(5), two_sessions(), cutoffs=(1,), item_counts=counts, bootstrap=0)
    # Top-1 lists: 1, 2, 3, 3, 4 -> popularity 0, 1, 0.5, 0.5, 0.
    assert result["popularity@1"] == pytest.approx(2.0 / 5)
    assert "popularity@1" not in evaluate(CycleModel(5), two_sessions(), cutoffs=(1,)).metrics


def test_nothing_to_predict_is_a_data_error():
    single_events = SessionLog.from_arrays(np.array([1, 2]), [0, 3])
    with pytest.raises(DataError, match="nothing to evaluate"):
        evaluate(CycleModel(5), single_events)
    # With history, each single event becomes one prediction.
    history = SessionLog.from_arrays(np.array([1, 2]), [4, 2])
    result = evaluate(CycleModel(5), single_events, history=history, cutoffs=(1,), bootstrap=0)
    assert result.n_predictions == 2
    assert result["recall@1"] == 1.0
