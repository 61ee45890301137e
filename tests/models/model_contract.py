"""The contract every SessionRecommender passes; subclass `ModelContract` for a new model.

    class TestMyModelContract(ModelContract):
        def make_model(self, n_items):
            return MyModel(n_items=n_items, config=...)

Each test fits a fresh model on a small generated log, so models that need training should
use a tiny configuration (one epoch, few units) in `make_model`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from native_loader import SessionLog
from sessrec.errors import DataError
from sessrec.models.base import SessionRecommender
from sessrec.models.registry import load_model, read_model_info

N_ITEMS = 12


def generated_log(seed: int = 0, n_sessions: int = 40) -> SessionLog:
    """Sessions of 2 to 8 events over N_ITEMS items, with start times in session order."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 9, size=n_sessions)
    session_ids = np.repeat(np.arange(n_sessions), lengths)
    items = rng.integers(0, N_ITEMS, size=int(lengths.sum()))
    return SessionLog.from_arrays(session_ids, items, np.arange(len(items)))


def run_sessions(model: SessionRecommender, sessions: list[list[int]]) -> list[np.ndarray]:
    """Feed equally long sessions in parallel slots; the scores after every step."""
    model.start(len(sessions))
    inputs = np.array(sessions, dtype=np.int32).T  # [steps, slots]
    outputs = []
    for step, row in enumerate(inputs):
        reset = np.full(len(sessions), step == 0)
        outputs.append(np.array(model.step(row, reset, want_scores=True), copy=True))
    return outputs


class ModelContract:
    """Shared tests: shapes, unknown items, batch == one by one, resets, save/load."""

    rtol = 1e-5
    atol = 1e-6

    def make_model(self, n_items: int) -> SessionRecommender:
        """An unfitted model of the class under test."""
        raise NotImplementedError

    @pytest.fixture
    def fitted(self) -> SessionRecommender:
        model = self.make_model(N_ITEMS)
        model.fit(generated_log(0), generated_log(1, n_sessions=5))
        return model

    def assert_close(self, actual, expected) -> None:
        np.testing.assert_allclose(actual, expected, rtol=self.rtol, atol=self.atol)

    def test_scores_have_one_finite_row_per_slot(self, fitted):
        scores = run_sessions(fitted, [[1, 2], [3, 4], [5, 6]])
        assert scores[-1].shape == (3, N_ITEMS)
        assert np.isfinite(scores[-1]).all()

    def test_unknown_item_raises_data_error(self, fitted):
        fitted.start(2)
        with pytest.raises(DataError, match="unknown item"):
            fitted.step(np.array([1, N_ITEMS], dtype=np.int32), np.array([True, True]))
        fitted.start(1)
        with pytest.raises(DataError, match="unknown item"):
            fitted.step(np.array([-1], dtype=np.int32), np.array([True]))

    def test_batch_scores_equal_one_by_one(self, fitted):
        sessions = [[1, 2, 3, 4], [4, 4, 0, 7], [11, 5, 2, 9]]
        together = run_sessions(fitted, sessions)
        for slot, session in enumerate(sessions):
            alone = run_sessions(fitted, [session])
            for step, scores in enumerate(alone):
                self.assert_close(together[step][slot], scores[0])

    def test_reset_forgets_the_previous_session(self, fitted):
        fresh = run_sessions(fitted, [[6, 7, 8]])[-1]
        fitted.start(1)
        for item in (1, 2, 3):
            fitted.step(np.array([item], np.int32), np.array([item == 1]))
        for position, item in enumerate((6, 7, 8)):
            scores = fitted.step(np.array([item], np.int32), np.array([position == 0]))
        self.assert_close(scores, fresh)

    def test_skipping_scores_still_advances_the_state(self, fitted):
        expected = run_sessions(fitted, [[3, 9, 1]])[-1]
        fitted.start(1)
        assert fitted.step(np.array([3], np.int32), np.array([True]), want_scores=False) is None
        fitted.step(np.array([9], np.int32), np.array([False]), want_scores=False)
        scores = fitted.step(np.array([1], np.int32), np.array([False]))
        self.assert_close(scores, expected)

    def test_save_load_round_trip(self, fitted, tmp_path: Path):
        folder = tmp_path / "model"
        fitted.save(folder)
        assert read_model_info(folder)["kind"] == fitted.kind
        loaded = load_model(folder)
        assert type(loaded) is type(fitted)
        assert loaded.n_items == fitted.n_items
        sessions = [[1, 2, 3], [10, 0, 5]]
        for before, after in zip(
            run_sessions(fitted, sessions), run_sessions(loaded, sessions), strict=True
        ):
            self.assert_close(after, before)
