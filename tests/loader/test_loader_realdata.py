"""The loader on the seed-preset train split of the real ML-1M: every pair, exact epoch shape."""

from __future__ import annotations

import numpy as np
import pytest

from native_loader import SessionLog, evaluation_batches, session_parallel_batches


@pytest.mark.slow
@pytest.mark.realdata
def test_seed_train_split_gives_every_pair_once(ml1m_folder) -> None:
    from sessrec.data import preset_options, resolve_source, run_engine

    result = run_engine(resolve_source(ml1m_folder), preset_options("seed"))
    train, test = (
        SessionLog.from_arrays(
            frame["session_id"].to_numpy(), frame["item_id"].to_numpy(),
            frame["timestamp"].to_numpy(),
        )
        for frame in (result.train, result.test)
    )  # fmt: skip

    batches = session_parallel_batches(train, batch_size=32)
    threaded = session_parallel_batches(train, batch_size=32, workers=2)
    scored = evaluation_batches(test, batch_size=32, history=train)

    assert (train.n_events, train.n_sessions) == (833_300, 6_038)
    assert batches.n_pairs == int(batches.valid.sum()) == 833_300 - 6_038
    assert int(batches.reset.sum()) == 6_038
    assert batches.steps == 26_394
    assert all(
        np.array_equal(getattr(batches, name), getattr(threaded, name))
        for name in ("inputs", "targets", "reset", "valid")
    )
    # Every test session has train history, so each of the 489 test events is ranked.
    assert scored.n_predictions == int(scored.score.sum()) == 489
