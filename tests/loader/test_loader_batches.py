"""session_parallel_batches: a hand-computed epoch, the reference on generated logs, invariants."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from loader_reference import ordered_sessions, reference_training
from loader_strategies import build_log, session_lists

from native_loader import session_parallel_batches


def test_hand_computed_epoch_refills_slots_and_pads_the_end() -> None:
    log = build_log([[1, 2, 3], [4, 5], [6, 7, 8, 9]])

    batches = session_parallel_batches(log, batch_size=2)

    # Slot 1 finishes session [4, 5] after one step and takes [6, 7, 8, 9] at step 1.
    assert batches.inputs.tolist() == [[1, 4], [2, 6], [0, 7], [0, 8]]
    assert batches.targets.tolist() == [[2, 5], [3, 7], [0, 8], [0, 9]]
    assert batches.reset.tolist() == [[1, 1], [0, 1], [0, 0], [0, 0]]
    assert batches.valid.tolist() == [[1, 1], [1, 1], [0, 1], [0, 1]]
    assert batches.n_pairs == 6
    assert (batches.steps, batches.batch_size) == (4, 2)
    assert batches.inputs.dtype == np.int32 and batches.valid.dtype == np.bool_


def test_batch_larger_than_the_number_of_sessions_leaves_slots_invalid() -> None:
    log = build_log([[1, 2], [3, 4, 5]])

    batches = session_parallel_batches(log, batch_size=4)

    assert batches.valid.tolist() == [[1, 1, 0, 0], [0, 1, 0, 0]]
    assert batches.inputs[:, 2:].tolist() == [[0, 0], [0, 0]]


def test_time_order_and_shards_split_sessions_without_overlap() -> None:
    log = build_log([[1, 2], [3, 4], [5, 6], [7, 8]], start_times=[30, 10, 40, 20])

    by_time = session_parallel_batches(log, batch_size=1, order="time")
    first_shard = session_parallel_batches(log, 1, order="time", shard=(0, 2))
    second_shard = session_parallel_batches(log, 1, order="time", shard=(1, 2))

    assert by_time.inputs[:, 0].tolist() == [3, 7, 1, 5]
    assert first_shard.inputs[:, 0].tolist() == [3, 1]
    assert second_shard.inputs[:, 0].tolist() == [7, 5]


def test_shuffle_is_reproducible_by_seed() -> None:
    log = build_log([[index, index + 100] for index in range(50)])

    first = session_parallel_batches(log, 3, order="shuffle", seed=7)
    again = session_parallel_batches(log, 3, order="shuffle", seed=7)
    other = session_parallel_batches(log, 3, order="shuffle", seed=8)

    assert np.array_equal(first.inputs, again.inputs)
    assert not np.array_equal(first.inputs, other.inputs)


@settings(max_examples=300, deadline=None)
@given(
    sessions=session_lists(),
    batch_size=st.integers(1, 30),
    order=st.sampled_from(["given", "time", "shuffle"]),
    seed=st.integers(0, 2**32 - 1),
    shard_count=st.integers(1, 3),
    workers=st.integers(1, 4),
    data=st.data(),
)
def test_kernel_equals_the_reference(
    sessions, batch_size, order, seed, shard_count, workers, data
) -> None:
    shard_count = min(shard_count, len(sessions))
    shard = (data.draw(st.integers(0, shard_count - 1)), shard_count)
    start_times = data.draw(
        st.lists(st.integers(0, 5), min_size=len(sessions), max_size=len(sessions))
    )
    log = build_log(sessions, start_times=start_times)

    batches = session_parallel_batches(log, batch_size, order, seed, shard, workers=workers)

    order_indices = ordered_sessions(len(sessions), order, seed, start_times, shard)
    expected = reference_training(sessions, batch_size, order_indices)
    for name, array in expected.items():
        assert np.array_equal(getattr(batches, name), array), name
    assert batches.n_pairs == sum(len(sessions[index]) - 1 for index in order_indices)


@settings(max_examples=200, deadline=None)
@given(sessions=session_lists(), batch_size=st.integers(1, 12), seed=st.integers(0, 1000))
def test_columns_replay_every_session_exactly_once(sessions, batch_size, seed) -> None:
    log = build_log(sessions)

    batches = session_parallel_batches(log, batch_size, order="shuffle", seed=seed)

    emitted = Counter(
        zip(
            batches.inputs[batches.valid].tolist(),
            batches.targets[batches.valid].tolist(),
            strict=True,
        )
    )
    expected = Counter(
        pair for items in sessions for pair in zip(items[:-1], items[1:], strict=True)
    )
    assert emitted == expected
    assert batches.n_pairs == int(batches.valid.sum()) == log.n_pairs
    assert not np.any(batches.reset & ~batches.valid)
    assert np.all(batches.inputs[~batches.valid] == 0)
    assert Counter(map(tuple, _replay_columns(batches))) == Counter(map(tuple, sessions))


def _replay_columns(batches) -> list[list[int]]:
    """Rebuild sessions slot by slot: a run starts at a reset and chains target -> next input."""
    replayed = []
    for slot in range(batches.batch_size):
        current = None
        for step in range(batches.steps):
            if not batches.valid[step, slot]:
                current = None
                continue
            if batches.reset[step, slot]:
                current = [int(batches.inputs[step, slot])]
                replayed.append(current)
            else:
                assert current is not None, "a pair continues a session that never started"
                assert current[-1] == batches.inputs[step, slot], "a pair crosses two sessions"
            current.append(int(batches.targets[step, slot]))
    return replayed
