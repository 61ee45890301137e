"""evaluation_batches and concat_logs: warm-up history, scoring, seen ranges, merge order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from loader_reference import reference_concat, reference_evaluation
from loader_strategies import build_log, session_lists

from native_loader import concat_logs, evaluation_batches


def test_history_is_fed_unscored_and_its_last_item_predicts_the_first_event() -> None:
    log = build_log([[1, 2, 3], [4, 5], [6]], session_ids=[10, 20, 30])
    history = build_log([[8, 9], [7]], session_ids=[20, 30])

    batches = evaluation_batches(log, batch_size=2, history=history)

    # Sequences: [1, 2, 3]; [8, 9, 4, 5] (history 8, 9); [7, 6] (history 7).
    assert batches.inputs.tolist() == [[1, 8], [2, 9], [7, 4]]
    assert batches.targets.tolist() == [[2, 9], [3, 4], [6, 5]]
    assert batches.score.tolist() == [[1, 0], [1, 1], [1, 1]]
    assert batches.session_index.tolist() == [[0, 1], [0, 1], [2, 1]]
    assert batches.position.tolist() == [[1, -1], [2, 0], [0, 1]]
    assert batches.seen_items.tolist() == [1, 2, 3, 8, 9, 4, 5, 7, 6]
    assert batches.seen_offsets.tolist() == [0, 3, 7, 9]
    assert batches.seen_start.tolist() == [[0, 3], [0, 3], [7, 3]]
    assert batches.seen_end.tolist() == [[1, 4], [2, 5], [8, 6]]
    assert batches.n_predictions == int(batches.score.sum()) == 5
    assert batches.n_pairs == 6


def test_without_history_a_single_event_session_gives_no_prediction() -> None:
    log = build_log([[5], [1, 2]])

    batches = evaluation_batches(log, batch_size=3)

    assert batches.inputs.tolist() == [[1, 0, 0]]
    assert batches.session_index.tolist() == [[1, -1, -1]]
    assert batches.position.tolist() == [[1, -1, -1]]
    assert batches.n_predictions == 1


def test_log_of_single_events_without_history_gives_an_empty_epoch() -> None:
    batches = evaluation_batches(build_log([[5], [6]]), batch_size=2)

    assert batches.inputs.shape == (0, 2)
    assert batches.n_predictions == 0


@settings(max_examples=250, deadline=None)
@given(
    sessions=session_lists(min_length=1),
    batch_size=st.integers(1, 20),
    data=st.data(),
)
def test_kernel_equals_the_reference(sessions, batch_size, data) -> None:
    has_history = data.draw(st.lists(st.booleans(), min_size=len(sessions), max_size=len(sessions)))
    history_sessions = [
        data.draw(st.lists(st.integers(0, 12), min_size=1, max_size=5)) for _ in sessions
    ]
    ids = list(range(len(sessions)))
    # History also holds sessions absent from the log (ids from 1000), which must be ignored.
    history_ids = [index for index in ids if has_history[index]] + [1000, 1001]
    data.draw(st.randoms()).shuffle(history_ids)
    history_items = [history_sessions[index] if index < 1000 else [1, 2] for index in history_ids]
    history = build_log(history_items, session_ids=history_ids)
    histories = [history_sessions[index] if has_history[index] else [] for index in ids]

    batches = evaluation_batches(build_log(sessions, session_ids=ids), batch_size, history)

    expected = reference_evaluation(sessions, histories, batch_size)
    for name, array in expected.items():
        assert np.array_equal(getattr(batches, name), array), name
        assert getattr(batches, name).dtype == array.dtype, name
    assert batches.n_predictions == int(expected["score"].sum())
    assert batches.n_pairs == int(expected["valid"].sum())
    assert int(batches.score.sum()) == sum(
        len(own) if history else len(own) - 1
        for own, history in zip(sessions, histories, strict=True)
    )


def test_concat_logs_puts_each_sessions_earlier_events_first() -> None:
    train = build_log([[1, 2], [3]], session_ids=[7, 8], start_times=[100, 50])
    valid = build_log([[4], [5, 6]], session_ids=[9, 7], start_times=[300, 200])

    merged = concat_logs(train, valid)

    assert merged.session_ids.tolist() == [7, 8, 9]
    assert merged.session_offsets.tolist() == [0, 4, 5, 6]
    assert merged.item_ids.tolist() == [1, 2, 5, 6, 3, 4]
    assert merged.start_times.tolist() == [100, 50, 300]


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n_logs=st.integers(1, 3))
def test_concat_logs_equals_the_reference(data, n_logs) -> None:
    parts = []
    for _ in range(n_logs):
        sessions = data.draw(session_lists(min_length=1, max_sessions=6))
        ids = data.draw(
            st.lists(st.integers(0, 8), min_size=len(sessions), max_size=len(sessions), unique=True)
        )
        parts.append((ids, sessions))

    merged = concat_logs(*(build_log(sessions, ids) for ids, sessions in parts))

    expected = reference_concat(parts)
    assert merged.session_ids.tolist() == [session_id for session_id, _ in expected]
    assert merged.item_ids.tolist() == [item for _, items in expected for item in items]
    assert np.diff(merged.session_offsets).tolist() == [len(items) for _, items in expected]
