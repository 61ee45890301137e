"""Rank of the true next item among all items, from counts of higher and equal scores.

No row is ever sorted: the rank of the target follows from how many items score strictly
higher than it and how many score the same, which is one vectorisable pass over the row. A
second pass keeps the K best items of the row for coverage and popularity.

Few rows run on one thread (waking worker threads costs more than ranking them); from
`PARALLEL_MIN_ROWS` rows on, blocks of rows are ranked on numba's worker threads, each block
with its own scratch space, and give exactly the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sessrec.errors import ConfigError, DataError, TrainingError

TIE_POLICIES = ("optimistic", "pessimistic", "average")

# Scores per block when looking for the top K (a multiple of the SIMD width).
_BLOCK = 16

# Rows from which ranking is spread over threads, and rows per thread task.
PARALLEL_MIN_ROWS = 256
_ROWS_PER_TASK = 64


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
    parallel: bool | None = None,
) -> RankedRows:
    """Rank `targets[i]` within `scores[rows[i]]` and keep each row's `top_k` best items.

    `scores` is `[B, n_items]` (higher is better). When `seen_items` is given, the items
    `seen_items[seen_start[i]:seen_end[i]]` are left out of row i's ranking and top-K list,
    except the target itself, which is always ranked. A NaN score raises TrainingError.
    `parallel` (default: from `PARALLEL_MIN_ROWS` rows on) ranks blocks of rows on threads.
    """
    code = tie_code(ties)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    targets = np.ascontiguousarray(targets, dtype=np.int64)
    exclude_seen = seen_items is not None
    if exclude_seen:
        seen_items = np.asarray(seen_items, dtype=np.int64)  # the evaluator passes int64
        seen_start = np.ascontiguousarray(seen_start, dtype=np.int64)
        seen_end = np.ascontiguousarray(seen_end, dtype=np.int64)
    else:
        seen_items = np.zeros(0, dtype=np.int64)
        seen_start = seen_end = np.zeros(len(rows), dtype=np.int64)

    n_items = scores.shape[1]
    if len(targets) and (targets.min() < 0 or targets.max() >= n_items):
        raise DataError(f"target item ids fall outside the model's 0..{n_items - 1}")

    ranks = np.empty(len(rows), dtype=np.float64)
    top_items = np.full((len(rows), top_k), -1, dtype=np.int32)
    has_nan = np.zeros(len(rows), dtype=np.bool_)
    if parallel is None:
        parallel = len(rows) >= PARALLEL_MIN_ROWS and numba.get_num_threads() > 1
    kernel = _rank_rows_parallel if parallel else _rank_rows
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


@numba.njit(cache=True)
def _rank_rows(
    scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen, code,
    ranks, top_items, has_nan,
):  # fmt: skip
    marker = np.full(scores.shape[1] if exclude_seen else 0, -1, dtype=np.int64)
    scratch = np.empty((2, scores.shape[1]), dtype=np.float64)
    candidates = np.empty(scores.shape[1], dtype=np.int64)
    for i in range(rows.shape[0]):
        _rank_row(
            i, scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen,
            code, ranks, top_items, has_nan, marker, scratch, candidates,
        )  # fmt: skip


@numba.njit(cache=True, parallel=True)
def _rank_rows_parallel(
    scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen, code,
    ranks, top_items, has_nan,
):  # fmt: skip
    n_rows = rows.shape[0]
    n_tasks = (n_rows + _ROWS_PER_TASK - 1) // _ROWS_PER_TASK
    for task in numba.prange(n_tasks):
        # Each task owns its scratch space; `marker` stamps rows by index, unique per task.
        marker = np.full(scores.shape[1] if exclude_seen else 0, -1, dtype=np.int64)
        scratch = np.empty((2, scores.shape[1]), dtype=np.float64)
        candidates = np.empty(scores.shape[1], dtype=np.int64)
        for i in range(task * _ROWS_PER_TASK, min((task + 1) * _ROWS_PER_TASK, n_rows)):
            _rank_row(
                i, scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen,
                code, ranks, top_items, has_nan, marker, scratch, candidates,
            )  # fmt: skip


@numba.njit(cache=True)
def _rank_row(
    i, scores, rows, targets, seen_items, seen_start, seen_end, exclude_seen, code,
    ranks, top_items, has_nan, marker, scratch, candidates,
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

    if top_items.shape[1] > 0 and not has_nan[i]:
        seen_range = (seen_start[i], seen_end[i])
        _keep_top(
            row, i, marker, exclude_seen, seen_items, seen_range, top_items[i], scratch,
            candidates,
        )  # fmt: skip


@numba.njit(cache=True)
def _keep_top(
    row, row_number, marker, exclude_seen, seen_items, seen_range, top_items, scratch,
    candidate_items,
):  # fmt: skip
    """Fill `top_items` with the best items of `row`, best first; equal scores keep lower ids.

    Sorting the row is avoided: the K-th largest of the block maxima is a score that at least
    K items reach, so only items at or above it (in blocks whose maximum reaches it) can be
    among the K best, and only those few are sorted.
    """
    top_k = top_items.shape[0]
    n_blocks = (row.shape[0] + _BLOCK - 1) // _BLOCK
    maxima = scratch[0, :n_blocks]
    candidate_scores = scratch[1]
    _block_maxima(row, maxima)
    if exclude_seen:
        # Blocks holding a left-out item get their maximum over the other items.
        for position in range(seen_range[0], seen_range[1]):
            item = seen_items[position]
            if marker[item] == row_number:
                block = item // _BLOCK
                maxima[block] = -np.inf
                for other in range(block * _BLOCK, min((block + 1) * _BLOCK, row.shape[0])):
                    if marker[other] != row_number and row[other] > maxima[block]:
                        maxima[block] = row[other]

    floor = -np.inf
    if n_blocks >= top_k:
        floor = _kth_largest(maxima, top_k, candidate_scores)
    count = 0
    for block in range(n_blocks):
        if maxima[block] < floor:
            continue
        for item in range(block * _BLOCK, min((block + 1) * _BLOCK, row.shape[0])):
            if row[item] >= floor and not (exclude_seen and marker[item] == row_number):
                candidate_items[count] = item
                candidate_scores[count] = row[item]
                count += 1

    # Candidates are in ascending id order, so a stable sort keeps lower ids first on ties.
    order = np.argsort(-candidate_scores[:count], kind="mergesort")[:top_k]
    top_items[:] = -1
    for rank in range(order.shape[0]):
        top_items[rank] = candidate_items[order[rank]]


@numba.njit(cache=True)
def _kth_largest(values, k, work):
    """The k-th largest of `values` (1-based k), by quickselect on a copy in `work`."""
    count = values.shape[0]
    work[:count] = values
    target = k - 1
    left, right = 0, count - 1
    while left < right:
        pivot = work[(left + right) // 2]
        low, high = left, right
        while low <= high:
            while work[low] > pivot:
                low += 1
            while work[high] < pivot:
                high -= 1
            if low <= high:
                work[low], work[high] = work[high], work[low]
                low += 1
                high -= 1
        if target <= high:
            right = high
        elif target >= low:
            left = low
        else:
            break
    return work[target]


@numba.njit(cache=True, fastmath={"nnan"})
def _block_maxima(row, maxima):
    """Maximum of each block of _BLOCK scores (NaN-free rows only: checked before)."""
    full = row.shape[0] // _BLOCK
    for block in range(full):
        largest = row[block * _BLOCK]
        for item in range(block * _BLOCK + 1, (block + 1) * _BLOCK):
            largest = max(largest, row[item])
        maxima[block] = largest
    if full < maxima.shape[0]:
        largest = row[full * _BLOCK]
        for item in range(full * _BLOCK + 1, row.shape[0]):
            largest = max(largest, row[item])
        maxima[full] = largest
