"""Every baseline passes the model contract and gives the known answer on a small log."""

from __future__ import annotations

import math

import numpy as np
import pytest
from model_contract import ModelContract

from native_loader import SessionLog
from sessrec.errors import CheckpointError, ConfigError
from sessrec.evaluation import evaluate
from sessrec.models.baselines import VSKNN, ItemKNN, Markov, Popularity
from sessrec.models.registry import baseline_names, load_model, make_baseline


class TestPopularityContract(ModelContract):
    def make_model(self, n_items):
        return Popularity(n_items)


class TestMarkovContract(ModelContract):
    def make_model(self, n_items):
        return Markov(n_items)


class TestItemKNNContract(ModelContract):
    def make_model(self, n_items):
        return make_baseline("itemknn", n_items, neighbours=5)


class TestVSKNNContract(ModelContract):
    def make_model(self, n_items):
        return make_baseline("vsknn", n_items, neighbours=3, sample_size=10, similarity="cosine")


def log_of(*sessions: list[int]) -> SessionLog:
    session_ids = np.repeat(np.arange(len(sessions)), [len(s) for s in sessions])
    items = np.concatenate([np.asarray(s) for s in sessions])
    return SessionLog.from_arrays(session_ids, items, np.arange(len(items)))


def scores_after(model, session: list[int]) -> np.ndarray:
    model.start(1)
    for position, item in enumerate(session):
        scores = model.step(np.array([item], np.int32), np.array([position == 0]))
    return scores[0]


def test_popularity_ranks_by_train_count():
    model = Popularity(5)
    model.fit(log_of([0, 1, 1], [1, 2, 4], [4, 1]))
    assert scores_after(model, [3]).tolist() == [1, 4, 1, 0, 2]


def test_markov_on_a_cycle_predicts_the_next_item_at_rank_one():
    cycle = log_of(*[[0, 1, 2, 3, 4, 0, 1, 2, 3, 4]] * 3)
    model = Markov(5)
    model.fit(cycle)
    result = evaluate(model, log_of([2, 3, 4, 0, 1]), cutoffs=(1,), bootstrap=0)
    assert result["recall@1"] == 1.0
    assert result["mrr@1"] == 1.0


def test_markov_counts_break_ties_and_fill_gaps_by_popularity():
    model = Markov(4)
    model.fit(log_of([0, 1], [0, 2], [0, 2], [3, 3, 3, 3, 3]))
    scores = scores_after(model, [0])
    # 0 -> 2 twice, 0 -> 1 once; 3 (most popular, never after 0) beats 0 (less popular).
    assert np.argsort(-scores).tolist() == [2, 1, 3, 0]
    assert scores[2] == pytest.approx(2 + 0.5 * 2 / 5)


def test_item_knn_similarity_is_regularised_cosine_of_session_sets():
    train = log_of([0, 1], [0, 1, 2], [1, 2], [3, 4])
    model = ItemKNN(5, ItemKNN.config_class(regularisation=0.0))
    model.fit(train)
    scores = scores_after(model, [1])
    # Item 1 is in 3 sessions; 0 in 2 (both with 1); 2 in 2 (both with 1).
    assert scores[0] == pytest.approx(2 / math.sqrt(3 * 2))
    assert scores[2] == pytest.approx(2 / math.sqrt(3 * 2))
    assert 0 < scores[3] < scores[0] and scores[4] < scores[0]  # popularity fallback only

    regularised = ItemKNN(5, ItemKNN.config_class(regularisation=20.0, neighbours=1))
    regularised.fit(train)
    scores = scores_after(regularised, [1])
    assert scores[0] == pytest.approx(2 / math.sqrt(23 * 22))
    assert scores[2] < scores[0]  # only one neighbour kept: ties keep the lower id


def test_vsknn_votes_with_decayed_overlap_of_recent_sessions():
    train = log_of([0, 1, 5], [2, 1, 6], [3, 4, 7])
    model = VSKNN(8, VSKNN.config_class(neighbours=2, sample_size=0, similarity="dot"))
    model.fit(train)
    scores = scores_after(model, [0, 2, 1])
    # Linear decay: weights 1/3 (item 0), 2/3 (item 2), 1 (item 1). Session A = {0, 1, 5}
    # overlaps by 1/3 + 1 = 4/3, session B = {1, 2, 6} by 2/3 + 1 = 5/3; C does not overlap.
    assert scores[5] == pytest.approx(4 / 3)
    assert scores[6] == pytest.approx(5 / 3)
    assert scores[1] == pytest.approx(3.0)
    assert scores[3] < scores[5] and scores[7] < scores[5]

    # Cosine divides by the norms: sqrt(1/9 + 4/9 + 1) for the session, sqrt(3) for A and B.
    cosine = VSKNN(8, VSKNN.config_class(neighbours=2, sample_size=0, similarity="cosine"))
    cosine.fit(train)
    scores = scores_after(cosine, [0, 2, 1])
    assert scores[5] == pytest.approx(4 / math.sqrt(42))
    assert scores[6] == pytest.approx(5 / math.sqrt(42))

    recent_only = VSKNN(8, VSKNN.config_class(neighbours=2, sample_size=1, similarity="dot"))
    recent_only.fit(train)
    scores = scores_after(recent_only, [0, 2, 1])
    assert scores[6] == pytest.approx(5 / 3)  # B is more recent than A
    assert scores[5] < 1.0


def test_registry_names_and_errors(tmp_path):
    assert baseline_names() == ("pop", "markov", "itemknn", "vsknn")
    with pytest.raises(ConfigError, match="unknown baseline"):
        make_baseline("random", 5)
    with pytest.raises(ConfigError, match="unknown option 'k'"):
        make_baseline("itemknn", 5, k=3)
    with pytest.raises(ConfigError, match="option decay"):
        make_baseline("vsknn", 5, decay="cubic")
    with pytest.raises(ConfigError, match="popularity_fallback"):
        make_baseline("markov", 5, popularity_fallback=1.0)
    with pytest.raises(CheckpointError, match="not a saved model"):
        load_model(tmp_path)
    (tmp_path / "model.json").write_text('{"kind": "nope"}')
    with pytest.raises(CheckpointError, match="unknown model kind"):
        load_model(tmp_path)
