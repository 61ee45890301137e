"""The numba ranking kernel against hand-computed cases and a plain numpy argsort reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessrec.errors import ConfigError, DataError, TrainingError
from sessrec.evaluation.ranking import TIE_POLICIES, rank_targets


def reference_rank(row, target, seen, ties):
    """Rank by sorting: ties placed after the target (pessimistic) or before it (optimistic)."""
    candidates = np.array([item for item in range(len(row)) if item == target or item not in seen])
    ranks = {}
    for policy, target_key in (("optimistic", 0), ("pessimistic", 1)):
        tie_key = np.where(candidates == target, target_key, 1 - target_key)
        order = np.lexsort((tie_key, -row[candidates].astype(np.float64)))
        ranks[policy] = float(np.flatnonzero(candidates[order] == target)[0] + 1)
    ranks["average"] = (ranks["optimistic"] + ranks["pessimistic"]) / 2
    return ranks[ties]


def reference_top(row, seen, target, top_k):
    """Top-K by a stable descending argsort, leaving seen items (but not the target) out."""
    order = np.argsort(-row.astype(np.float64), kind="stable")
    kept = [item for item in order if item == target or item not in seen][:top_k]
    return kept + [-1] * (top_k - len(kept))


def test_hand_computed_ties_around_target():
    scores = np.array([[0.1, 0.5, 0.5, 0.9, 0.5]], dtype=np.float32)
    expected = {"optimistic": 2.0, "pessimistic": 4.0, "average": 3.0}
    for ties, rank in expected.items():
        ranked = rank_targets(scores, np.array([0]), np.array([1]), ties=ties, top_k=3)
        assert ranked.ranks.tolist() == [rank]
        assert ranked.top_items.tolist() == [[3, 1, 2]]


def test_exclude_seen_never_drops_the_target():
    scores = np.array([[0.1, 0.5, 0.5, 0.9, 0.5]], dtype=np.float32)
    seen = {"seen_items": np.array([3, 1, 2, 3]), "seen_start": [0], "seen_end": [4]}
    ranked = rank_targets(scores, np.array([0]), np.array([1]), top_k=3, **seen)
    # Items 3 and 2 are left out (3 twice in the session, counted once); item 4 still ties.
    assert ranked.ranks.tolist() == [2.0]
    assert ranked.top_items.tolist() == [[1, 4, 0]]


def test_rows_select_batch_slots_and_short_catalogues_pad_top_lists():
    scores = np.array([[3.0, 2.0], [1.0, 2.0]], dtype=np.float32)
    ranked = rank_targets(scores, np.array([1, 0]), np.array([0, 0]), top_k=3)
    assert ranked.ranks.tolist() == [2.0, 1.0]
    assert ranked.top_items.tolist() == [[1, 0, -1], [0, 1, -1]]


def test_nan_scores_and_bad_policy_are_errors():
    scores = np.array([[0.1, np.nan, 0.3]], dtype=np.float32)
    with pytest.raises(TrainingError, match="NaN"):
        rank_targets(scores, np.array([0]), np.array([0]))
    with pytest.raises(TrainingError, match="NaN"):
        rank_targets(scores, np.array([0]), np.array([1]))
    with pytest.raises(ConfigError, match="--ties"):
        rank_targets(scores, np.array([0]), np.array([0]), ties="random")
    with pytest.raises(DataError, match="0..2"):
        rank_targets(scores, np.array([0]), np.array([3]))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_items=st.integers(1, 60),
    levels=st.integers(1, 6),
    exclude_seen=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_kernel_equals_argsort_reference(seed, n_items, levels, exclude_seen, dtype):
    rng = np.random.default_rng(seed)
    batch = int(rng.integers(1, 40))
    scores = rng.integers(0, levels, size=(batch, n_items)).astype(dtype)  # many ties
    rows = rng.integers(0, batch, size=int(rng.integers(1, 100)))
    targets = rng.integers(0, n_items, size=len(rows))
    lengths = rng.integers(0, 8, size=len(rows))
    seen_end = np.cumsum(lengths)
    seen_start = seen_end - lengths
    seen_items = rng.integers(0, n_items, size=int(lengths.sum()))
    seen = {"seen_items": seen_items, "seen_start": seen_start, "seen_end": seen_end}
    top_k = int(rng.integers(1, 25))

    for ties in TIE_POLICIES:
        ranked = rank_targets(scores, rows, targets, ties, top_k, **(seen if exclude_seen else {}))
        for i, (row, target) in enumerate(zip(rows, targets, strict=True)):
            excluded = set(seen_items[seen_start[i] : seen_end[i]]) if exclude_seen else set()
            assert ranked.ranks[i] == reference_rank(scores[row], target, excluded, ties)
            expected_top = reference_top(scores[row], excluded, target, top_k)
            assert ranked.top_items[i].tolist() == expected_top


def test_kernel_on_continuous_scores_at_movielens_size():
    rng = np.random.default_rng(7)
    scores = rng.standard_normal((64, 3416)).astype(np.float32)
    targets = rng.integers(0, 3416, size=64)
    ranked = rank_targets(scores, np.arange(64), targets, top_k=20)
    order = np.argsort(-scores, axis=1, kind="stable")
    expected = np.array([np.flatnonzero(order[i] == targets[i])[0] + 1 for i in range(64)])
    assert ranked.ranks.tolist() == expected.astype(float).tolist()
    assert (ranked.top_items == order[:, :20]).all()


@pytest.mark.parametrize("ties", TIE_POLICIES)
def test_threaded_blocks_of_rows_equal_the_one_thread_kernel(ties):
    rng = np.random.default_rng(7)
    n_rows, n_items, seen_per_row = 300, 97, 12
    # Scores rounded to a few values so that ties around the target are common.
    scores = np.round(rng.standard_normal((n_rows, n_items)), 1).astype(np.float32)
    rows = rng.permutation(n_rows)
    targets = rng.integers(0, n_items, size=n_rows)
    seen = {
        "seen_items": rng.integers(0, n_items, size=n_rows * seen_per_row),
        "seen_start": np.arange(n_rows) * seen_per_row,
        "seen_end": (np.arange(n_rows) + 1) * seen_per_row - rng.integers(0, 5, size=n_rows),
    }
    options = {"ties": ties, "top_k": 10, **seen}

    serial = rank_targets(scores, rows, targets, parallel=False, **options)
    threaded = rank_targets(scores, rows, targets, parallel=True, **options)

    np.testing.assert_array_equal(threaded.ranks, serial.ranks)
    np.testing.assert_array_equal(threaded.top_items, serial.top_items)
    assert serial.ranks.min() >= 1 and np.all(serial.top_items[:, 0] >= 0)
