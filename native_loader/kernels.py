"""Numba kernels behind the batch API: fill one epoch's arrays, one step (row) at a time.

Scheduling rule shared by every kernel: `batch_size` slots each hold one session; at every
step each busy slot emits its session's next (item, next item) pair. A slot whose session has
emitted its last pair takes the next session of `order` at the following step (slots needing
a session at the same step take them in slot order); when `order` runs out the slot stays
empty (padding) until the epoch ends, which is the first step at which every slot is empty.

The caller allocates arrays with `max_steps(...)` rows, a bound on the epoch's length, and
keeps the first `steps` rows the kernel reports. Rows past the bound are never touched, so the
unused tail costs address space but no memory: one pass instead of a counting pass plus a fill.
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


@njit(cache=True)
def fill_training(
    offsets: np.ndarray,
    items: np.ndarray,
    order: np.ndarray,
    inputs: np.ndarray,
    targets: np.ndarray,
    reset: np.ndarray,
    valid: np.ndarray,
) -> int:
    """Fill the training arrays row by row and return the number of steps of the epoch."""
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
