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
    """Which sessions each slot plays: (steps, slot_offsets, slot_sessions, first_steps).

    Slot `b` plays the sessions `slot_sessions[slot_offsets[b]:slot_offsets[b + 1]]` back to
    back, starting at `first_steps[...]`. A heap keyed `end_step * batch_size + slot` hands
    each next session of `order` to the slot that frees up first (lowest slot on ties),
    exactly as the step-by-step rule does; a counting sort then groups sessions by slot.
    """
    n_order = len(order)
    slot_of = np.empty(n_order, np.int64)
    first_of = np.zeros(n_order, np.int64)
    n_busy = min(batch_size, n_order)
    heap = np.empty(n_busy, np.int64)
    for slot in range(n_busy):
        session = order[slot]
        heap[slot] = (offsets[session + 1] - offsets[session] - 1) * batch_size + slot
        slot_of[slot] = slot
    for root in range(n_busy // 2 - 1, -1, -1):
        _sift_down(heap, root)
    for index in range(n_busy, n_order):
        session = order[index]
        end_step, slot = heap[0] // batch_size, heap[0] % batch_size
        slot_of[index], first_of[index] = slot, end_step
        heap[0] = (end_step + offsets[session + 1] - offsets[session] - 1) * batch_size + slot
        _sift_down(heap, 0)
    steps = heap.max() // batch_size if n_busy else 0

    slot_offsets = np.zeros(batch_size + 1, np.int64)
    for index in range(n_order):
        slot_offsets[slot_of[index] + 1] += 1
    slot_offsets = np.cumsum(slot_offsets)
    filled = slot_offsets[:-1].copy()
    slot_sessions = np.empty(n_order, np.int64)
    first_steps = np.empty(n_order, np.int64)
    for index in range(n_order):
        target = filled[slot_of[index]]
        slot_sessions[target], first_steps[target] = order[index], first_of[index]
        filled[slot_of[index]] = target + 1
    return steps, slot_offsets, slot_sessions, first_steps


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
    slot_offsets: np.ndarray,
    slot_sessions: np.ndarray,
    first_steps: np.ndarray,
    row_start: int,
    row_stop: int,
    inputs: np.ndarray,
    targets: np.ndarray,
    reset: np.ndarray,
    valid: np.ndarray,
) -> None:
    """Fill rows [row_start, row_stop) of the training arrays from a slot_schedule.

    Disjoint row ranges can be filled by concurrent threads (the GIL is released): each range
    first finds, per slot, the session playing at `row_start` and how far it has got.
    """
    batch_size = inputs.shape[1]
    position = np.zeros(batch_size, np.int64)  # index in `items` of the slot's next input
    stop = np.zeros(batch_size, np.int64)  # one past the slot's last input index
    next_in_slot = slot_offsets[1:].copy()  # the slot's next session in slot_sessions
    for slot in range(batch_size):
        first, last = slot_offsets[slot], slot_offsets[slot + 1]
        playing = first + np.searchsorted(first_steps[first:last], row_start, side="right") - 1
        if playing < first:
            continue
        session = slot_sessions[playing]
        step_in_session = row_start - first_steps[playing]
        if step_in_session == 0:
            next_in_slot[slot] = playing
        elif step_in_session < offsets[session + 1] - offsets[session] - 1:
            position[slot] = offsets[session] + step_in_session
            stop[slot] = offsets[session + 1] - 1
            next_in_slot[slot] = playing + 1

    for step in range(row_start, row_stop):
        input_row, target_row = inputs[step], targets[step]
        reset_row, valid_row = reset[step], valid[step]
        reset_row[:] = False
        valid_row[:] = True
        for slot in range(batch_size):
            here = position[slot]
            if here >= stop[slot]:
                upcoming = next_in_slot[slot]
                if upcoming == slot_offsets[slot + 1]:
                    input_row[slot] = 0
                    target_row[slot] = 0
                    valid_row[slot] = False
                    continue
                session = slot_sessions[upcoming]
                next_in_slot[slot] = upcoming + 1
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
