"""Numba kernels behind the batch API: lay out one epoch's arrays, one step (row) at a time.

Scheduling rule shared by every kernel: `batch_size` slots each hold one session; at every
step each busy slot emits its session's next (item, next item) pair. A slot whose session has
emitted its last pair takes the next session of `order` at the following step (slots needing
a session at the same step take them in slot order); when `order` runs out the slot stays
empty (padding) until the epoch ends, which is the first step at which every slot is empty.

One thread (`fill_training`, `fill_evaluation`): a single pass into arrays sized by
`max_steps`, a bound on the epoch's length; the kernel reports how many rows it used, and the
untouched rows past them cost address space but no memory. Several threads (training only):
`slot_schedule` first decides which sessions each slot plays, then `fill_training_rows` fills
disjoint ranges of rows concurrently.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def max_steps(pair_counts: np.ndarray, batch_size: int) -> int:
    """Upper bound on the steps of an epoch of sessions with these pair counts.

    Each session starts as soon as some slot is free, so when the last session to end starts,
    every slot has been busy all along: steps <= total pairs / batch_size + longest session.
    """
    if len(pair_counts) == 0:
        return 0
    return int(pair_counts.sum()) // batch_size + int(pair_counts.max()) + 1


@njit(cache=True, nogil=True)
def fill_training(
    offsets: np.ndarray,
    items: np.ndarray,
    order: np.ndarray,
    inputs: np.ndarray,
    targets: np.ndarray,
    reset: np.ndarray,
    valid: np.ndarray,
) -> int:
    """Fill training arrays sized by max_steps row by row; return the epoch's number of steps."""
    row_limit, batch_size = inputs.shape
    position = np.zeros(batch_size, np.int64)  # index in `items` of the slot's next input
    stop = np.zeros(batch_size, np.int64)  # one past the slot's last input index
    next_index = 0
    n_order = len(order)

    for step in range(row_limit):
        input_row, target_row = inputs[step], targets[step]
        reset_row, valid_row = reset[step], valid[step]
        reset_row[:] = False
        valid_row[:] = True
        idle = 0
        for slot in range(batch_size):
            here = position[slot]
            if here >= stop[slot]:
                if next_index == n_order:
                    input_row[slot] = 0
                    target_row[slot] = 0
                    valid_row[slot] = False
                    idle += 1
                    continue
                session = order[next_index]
                next_index += 1
                here = offsets[session]
                stop[slot] = offsets[session + 1] - 1
                reset_row[slot] = True
            input_row[slot] = items[here]
            target_row[slot] = items[here + 1]
            position[slot] = here + 1
        if idle == batch_size:
            return step
    return row_limit


@njit(cache=True, nogil=True)
def slot_schedule(
    offsets: np.ndarray, order: np.ndarray, batch_size: int
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Which slot plays each session of `order`: (steps, slot_of, first_step, next_on_slot).

    `order[i]` plays on slot `slot_of[i]` from step `first_step[i]`; the slot's following
    session is `order[next_on_slot[i]]` (-1: none). A heap keyed `(end_step << bits) | slot`
    hands each session to the slot that frees up first, lowest slot on ties, exactly as the
    step-by-step rule does.
    """
    n_order = len(order)
    bits = 1
    while (1 << bits) < batch_size:
        bits += 1
    slot_mask = (1 << bits) - 1
    slot_of = np.empty(n_order, np.int64)
    first_step = np.zeros(n_order, np.int64)
    next_on_slot = np.full(n_order, -1, np.int64)
    n_busy = min(batch_size, n_order)
    heap = np.empty(n_busy, np.int64)
    last_on_slot = np.arange(n_busy)
    for slot in range(n_busy):
        session = order[slot]
        heap[slot] = ((offsets[session + 1] - offsets[session] - 1) << bits) | slot
        slot_of[slot] = slot
    for root in range(n_busy // 2 - 1, -1, -1):
        _sift_down(heap, root)

    for index in range(n_busy, n_order):
        session = order[index]
        end_step, slot = heap[0] >> bits, heap[0] & slot_mask
        slot_of[index], first_step[index] = slot, end_step
        next_on_slot[last_on_slot[slot]] = index
        last_on_slot[slot] = index
        heap[0] = ((end_step + offsets[session + 1] - offsets[session] - 1) << bits) | slot
        _sift_down(heap, 0)
    steps = (heap.max() >> bits) if n_busy else 0
    return steps, slot_of, first_step, next_on_slot


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def fill_training_rows(
    offsets: np.ndarray,
    items: np.ndarray,
    order: np.ndarray,
    slot_of: np.ndarray,
    first_step: np.ndarray,
    next_on_slot: np.ndarray,
    row_start: int,
    row_stop: int,
    inputs: np.ndarray,
    targets: np.ndarray,
    reset: np.ndarray,
    valid: np.ndarray,
) -> None:
    """Fill rows [row_start, row_stop) of the training arrays from a slot_schedule.

    Disjoint row ranges can be filled by concurrent threads (the GIL is released). Each range
    first finds, per slot, the session playing at `row_start` (the last one started by then:
    `first_step` never decreases along `order`) and how far it has got.
    """
    batch_size = inputs.shape[1]
    position = np.zeros(batch_size, np.int64)  # index in `items` of the slot's next input
    stop = np.zeros(batch_size, np.int64)  # one past the slot's last input index
    upcoming = np.full(batch_size, -1, np.int64)  # the slot's next session, index in `order`
    index = 0
    while index < len(order) and first_step[index] <= row_start:
        upcoming[slot_of[index]] = index
        index += 1
    for slot in range(batch_size):
        playing = upcoming[slot]
        if playing < 0 or first_step[playing] == row_start:
            continue
        session = order[playing]
        position[slot] = offsets[session] + row_start - first_step[playing]
        stop[slot] = offsets[session + 1] - 1
        upcoming[slot] = next_on_slot[playing]

    for step in range(row_start, row_stop):
        input_row, target_row = inputs[step], targets[step]
        reset_row, valid_row = reset[step], valid[step]
        reset_row[:] = False
        valid_row[:] = True
        for slot in range(batch_size):
            here = position[slot]
            if here >= stop[slot]:
                if upcoming[slot] < 0:
                    input_row[slot] = 0
                    target_row[slot] = 0
                    valid_row[slot] = False
                    continue
                session = order[upcoming[slot]]
                upcoming[slot] = next_on_slot[upcoming[slot]]
                here = offsets[session]
                stop[slot] = offsets[session + 1] - 1
                reset_row[slot] = True
            input_row[slot] = items[here]
            target_row[slot] = items[here + 1]
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
) -> int:
    """Like fill_training, plus which session and event each cell targets and the seen range.

    Sequence `s` is `items[offsets[s]:offsets[s + 1]]`: its first `history_lengths[s]` events
    are warm-up history, the rest are the events to score. Returns the number of steps.
    """
    row_limit, batch_size = inputs.shape
    cursor = np.zeros(batch_size, np.int64)
    stop = np.zeros(batch_size, np.int64)
    current = np.full(batch_size, -1, np.int64)
    next_index = 0
    n_order = len(order)

    for step in range(row_limit):
        idle = 0
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
                    idle += 1
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
        if idle == batch_size:
            return step
    return row_limit
