"""Rank of the true next item among all items, from counts of higher and equal scores.

No row is ever sorted: the rank of the target follows from how many items score strictly
higher than it and how many score the same, which is one vectorisable pass over the row. A
second pass keeps the K best items of the row for coverage and popularity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sessrec.errors import ConfigError, TrainingError

TIE_POLICIES = ("optimistic", "pessimistic", "average")

# Rows handed to one parallel worker at a time; each chunk owns its scratch arrays.
_ROWS_PER_CHUNK = 16
_PARALLEL_MIN_ROWS = 64


@dataclass
class RankedRows:
    """Ranks of the targets (float, 1 = best) and the top-K item ids of each ranked row."""

    ranks: np.ndarray  # [n_rows] float64
    top_items: np.ndarray  # [n_rows, top_k] int32, best first; -1 where fewer items qualify


def tie_code(ties: str) -> int:
    """The kernel's number for a tie policy name; raise ConfigError for an unknown one."""
    if ties not in TIE_POLICIES:
        raise ConfigError(f"--ties must be one of {', '.join(TIE_POLICIES)}, got {ties!r}")
    return TIE_POLICIES.index(ties)


def rank_targets(
    scores: np.ndarray,
    rows: np.ndarray,
    targets: np.ndarray,
    ties: str = "pessimistic",
    top_k: int = 0,
    seen_items: np.ndarray | None = None,
    seen_start: np.ndarray | None = None,
    seen_end: np.ndarray | None = None,
) -> RankedRows:
    """Rank `targets[i]` within `scores[rows[i]]` and keep each row's `top_k` best items.

    `scores` is `[B, n_items]` (higher is better). When `seen_items` is given, the items
    `seen_items[seen_start[i]:seen_end[i]]` are left out of row i's ranking and top-K list,
    except the target itself, which is always ranked. A NaN score raises TrainingError.
    """
    code = tie_code(ties)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    targets = np.ascontiguousarray(targets, dtype=np.int64)
    exclude_seen = seen_items is not None
    if exclude_seen:
        seen_items = np.asarray(seen_items)  # may be large: used as is, int32 or int64
        seen_start = np.ascontiguousarray(seen_start, dtype=np.int64)
        seen_end = np.ascontiguousarray(seen_end, dtype=np.int64)
    else:
        seen_items = np.zeros(0, dtype=np.int64)
        seen_start = seen_end = np.zeros(len(rows), dtype=np.int64)

    n_items = scores.shape[1]
    if len(targets) and (targets.min() < 0 or targets.max() >= n_items):
        raise TrainingError(f"target item ids fall outside the model's 0..{n_items - 1}")

    ranks = np.empty(len(rows), dtype=np.float64)
    top_items = np.full((len(rows), top_k), -1, dtype=np.int32)
    has_nan = np.zeros(len(rows), dtype=np.bool_)
    # Starting the worker threads costs more than ranking a few rows on one.
    kernel = _rank_parallel if len(rows) >= _PARALLEL_MIN_ROWS else _rank_serial
    kernel(
        scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen, code,
        ranks, top_items, has_nan,
    )  # fmt: skip
    if has_nan.any():
        row = int(rows[np.flatnonzero(has_nan)[0]])
        raise TrainingError(
            f"the model returned NaN scores (batch row {row}); it has probably diverged"
        )
    return RankedRows(ranks=ranks, top_items=top_items)


@numba.njit(cache=True, parallel=True)
def _rank_parallel(
    scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen, code,
    ranks, top_items, has_nan,
):  # fmt: skip
    n_rows = rows.shape[0]
    n_chunks = (n_rows + _ROWS_PER_CHUNK - 1) // _ROWS_PER_CHUNK
    for chunk in numba.prange(n_chunks):
        marker = np.full(scores.shape[1] if exclude_seen else 0, -1, dtype=np.int64)
        top_scores = np.empty(top_items.shape[1], dtype=scores.dtype)
        first = chunk * _ROWS_PER_CHUNK
        for i in range(first, min(first + _ROWS_PER_CHUNK, n_rows)):
            _rank_row(
                i, scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen,
                code, ranks, top_items, has_nan, marker, top_scores,
            )  # fmt: skip


@numba.njit(cache=True)
def _rank_serial(
    scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen, code,
    ranks, top_items, has_nan,
):  # fmt: skip
    marker = np.full(scores.shape[1] if exclude_seen else 0, -1, dtype=np.int64)
    top_scores = np.empty(top_items.shape[1], dtype=scores.dtype)
    for i in range(rows.shape[0]):
        _rank_row(
            i, scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen,
            code, ranks, top_items, has_nan, marker, top_scores,
        )  # fmt: skip


@numba.njit(cache=True)
def _rank_row(
    i, scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen, code,
    ranks, top_items, has_nan, marker, top_scores,
):  # fmt: skip
    """Rank row i's target; `marker[item] == i` flags the seen items left out of row i."""
    row = scores[rows[i]]
    target = targets[i]
    target_score = row[target]
    n_items = row.shape[0]

    # int32 counters let the compiler vectorise this loop; NaN compares false to all.
    higher = np.int32(0)
    at_least = np.int32(0)
    lower = np.int32(0)
    for item in range(n_items):
        value = row[item]
        higher += np.int32(value > target_score)
        at_least += np.int32(value >= target_score)
        lower += np.int32(value < target_score)
    has_nan[i] = at_least + lower != n_items
    equal = at_least - higher - 1  # other items tied with the target

    if exclude_seen:
        for position in range(seen_start[i], seen_end[i]):
            item = seen_items[position]
            if item == target or marker[item] == i:
                continue
            marker[item] = i
            if row[item] > target_score:
                higher -= 1
            elif row[item] == target_score:
                equal -= 1

    if code == 0:
        ranks[i] = higher + 1.0
    elif code == 1:
        ranks[i] = higher + equal + 1.0
    else:
        ranks[i] = higher + equal / 2.0 + 1.0

    if top_items.shape[1] > 0:
        _keep_top(row, i, marker, exclude_seen, top_scores, top_items[i])


@numba.njit(cache=True)
def _keep_top(row, row_number, marker, exclude_seen, top_scores, top_items):
    """Fill `top_items` with the best items of `row`, best first; equal scores keep lower ids."""
    top_k = top_items.shape[0]
    n_items = row.shape[0]
    top_scores[:] = -np.inf
    top_items[:] = -1
    threshold = top_scores[0]
    filled = 0
    item = 0
    while True:
        # Most items fall below the current K-th best score: skip them in a tight loop.
        while filled == top_k and item < n_items and row[item] <= threshold:
            item += 1
        if item >= n_items:
            break
        value = row[item]
        if not (exclude_seen and marker[item] == row_number):
            slot = min(filled, top_k - 1)
            while slot > 0 and top_scores[slot - 1] < value:
                top_scores[slot] = top_scores[slot - 1]
                top_items[slot] = top_items[slot - 1]
                slot -= 1
            top_scores[slot] = value
            top_items[slot] = item
            filled = min(filled + 1, top_k)
            threshold = top_scores[top_k - 1]
        item += 1
