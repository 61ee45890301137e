"""Numba kernels behind the batch API: count the steps of an epoch, then fill its arrays.

Scheduling rule shared by every kernel: `batch_size` slots each hold one session; at every
step each busy slot emits its session's next (item, next item) pair. A slot whose session has
emitted its last pair takes the next session of `order` at the following step (slots needing
a session at the same step take them in slot order); when `order` runs out the slot stays
empty (padding) until the epoch ends, which is the first step at which every slot is empty.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def count_steps(offsets: np.ndarray, order: np.ndarray, batch_size: int) -> int:
    """Number of steps of the epoch: a heap of slot end steps, O(n_sessions log batch_size).

    Each heap key is `end_step * batch_size + slot`, so the smallest key is the slot that frees
    up first, ties going to the lower slot index, exactly as the fill kernels scan slots.
    """
    n_order = len(order)
    n_busy = min(batch_size, n_order)
    if n_busy == 0:
        return 0
    heap = np.empty(n_busy, np.int64)
    for slot in range(n_busy):
        session = order[slot]
        pairs = offsets[session + 1] - offsets[session] - 1
        heap[slot] = pairs * batch_size + slot
    for root in range(n_busy // 2 - 1, -1, -1):
        _sift_down(heap, root)

    for index in range(n_busy, n_order):
        session = order[index]
        pairs = offsets[session + 1] - offsets[session] - 1
        end_step = heap[0] // batch_size
        slot = heap[0] % batch_size
        heap[0] = (end_step + pairs) * batch_size + slot
        _sift_down(heap, 0)

    return heap.max() // batch_size


@njit(cache=True)
def _sift_down(heap: np.ndarray, root: int) -> None:
    size = len(heap)
    while True:
        child = 2 * root + 1
        if child >= size:
            return
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[root] <= heap[child]:
            return
        heap[root], heap[child] = heap[child], heap[root]
        root = child


@njit(cache=True)
def fill_training(
    offsets: np.ndarray,
    items: np.ndarray,
    order: np.ndarray,
    inputs: np.ndarray,
    targets: np.ndarray,
    reset: np.ndarray,
    valid: np.ndarray,
) -> None:
    """Write every cell of the [steps, batch_size] arrays, one step (row) after another."""
    steps, batch_size = inputs.shape
    position = np.zeros(batch_size, np.int64)  # index in `items` of the slot's next input
    stop = np.zeros(batch_size, np.int64)  # one past the slot's last input index
    next_index = 0
    n_order = len(order)

    for step in range(steps):
        for slot in range(batch_size):
            starts_session = False
            if position[slot] >= stop[slot]:
                if next_index == n_order:
                    inputs[step, slot] = 0
                    targets[step, slot] = 0
                    reset[step, slot] = False
                    valid[step, slot] = False
                    continue
                session = order[next_index]
                next_index += 1
                position[slot] = offsets[session]
                stop[slot] = offsets[session + 1] - 1
                starts_session = True
            here = position[slot]
            inputs[step, slot] = items[here]
            targets[step, slot] = items[here + 1]
            reset[step, slot] = starts_session
            valid[step, slot] = True
            position[slot] = here + 1


@njit(cache=True)
def fill_evaluation(
    offsets: np.ndarray,
    items: np.ndarray,
    history_lengths: np.ndarray,
    order: np.ndarray,
    inputs: np.ndarray,
    targets: np.ndarray,
    reset: np.ndarray,
    valid: np.ndarray,
    score: np.ndarray,
    session_index: np.ndarray,
    position: np.ndarray,
    seen_start: np.ndarray,
    seen_end: np.ndarray,
) -> None:
    """Like fill_training, plus which session and event each cell targets and the seen range.

    Sequence `s` is `items[offsets[s]:offsets[s + 1]]`: its first `history_lengths[s]` events
    are warm-up history, the rest are the events to score.
    """
    steps, batch_size = inputs.shape
    cursor = np.zeros(batch_size, np.int64)
    stop = np.zeros(batch_size, np.int64)
    current = np.full(batch_size, -1, np.int64)
    next_index = 0
    n_order = len(order)

    for step in range(steps):
        for slot in range(batch_size):
            starts_session = False
            if cursor[slot] >= stop[slot]:
                if next_index == n_order:
                    inputs[step, slot] = 0
                    targets[step, slot] = 0
                    reset[step, slot] = False
                    valid[step, slot] = False
                    score[step, slot] = False
                    session_index[step, slot] = -1
                    position[step, slot] = -1
                    seen_start[step, slot] = 0
                    seen_end[step, slot] = 0
                    continue
                current[slot] = order[next_index]
                next_index += 1
                cursor[slot] = offsets[current[slot]]
                stop[slot] = offsets[current[slot] + 1] - 1
                starts_session = True
            here = cursor[slot]
            session = current[slot]
            target_position = here + 1 - offsets[session] - history_lengths[session]
            inputs[step, slot] = items[here]
            targets[step, slot] = items[here + 1]
            reset[step, slot] = starts_session
            valid[step, slot] = True
            score[step, slot] = target_position >= 0
            session_index[step, slot] = session
            position[step, slot] = target_position if target_position >= 0 else -1
            seen_start[step, slot] = offsets[session]
            seen_end[step, slot] = here + 1
            cursor[slot] = here + 1
