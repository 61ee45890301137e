"""A slow pure-Python reference for native_loader, written from the rules, not from the kernel.

It places whole sessions one after another: each session goes to the slot that becomes free
first (lowest slot index on ties) and fills that slot's column from that step on. The kernels
instead walk the epoch step by step; the two must agree cell for cell.
"""

from __future__ import annotations

import numpy as np

PADDING = {"input": 0, "target": 0, "reset": False, "valid": False}


def ordered_sessions(
    n_sessions: int,
    order: str,
    seed: int | None = None,
    start_times: list[int] | None = None,
    shard: tuple[int, int] = (0, 1),
) -> list[int]:
    """Session indices in the order they enter slots, restricted to shard (k, n)."""
    if order == "given":
        indices = list(range(n_sessions))
    elif order == "time":
        indices = sorted(range(n_sessions), key=lambda index: start_times[index])
    else:
        indices = [int(index) for index in np.random.default_rng(seed).permutation(n_sessions)]
    shard_index, shard_count = shard
    return indices[shard_index::shard_count]


def place_sessions(
    sequences: list[list[int]], batch_size: int
) -> tuple[int, dict[tuple[int, int], dict]]:
    """Place every pair of every sequence (in the given order) into (step, slot) cells."""
    free_at = [0] * batch_size
    cells: dict[tuple[int, int], dict] = {}
    for number, sequence in enumerate(sequences):
        slot = min(range(batch_size), key=lambda candidate: (free_at[candidate], candidate))
        first_step = free_at[slot]
        for offset in range(len(sequence) - 1):
            cells[(first_step + offset, slot)] = {
                "input": sequence[offset],
                "target": sequence[offset + 1],
                "reset": offset == 0,
                "valid": True,
                "sequence": number,
                "offset": offset,
            }
        free_at[slot] = first_step + len(sequence) - 1
    return max(free_at), cells


def reference_training(
    sessions: list[list[int]], batch_size: int, order_indices: list[int]
) -> dict[str, np.ndarray]:
    """The four training arrays for sessions entering slots in `order_indices`."""
    steps, cells = place_sessions([sessions[index] for index in order_indices], batch_size)
    arrays = {name: [[None] * batch_size for _ in range(steps)] for name in PADDING}
    for step in range(steps):
        for slot in range(batch_size):
            cell = cells.get((step, slot), PADDING)
            for name in PADDING:
                arrays[name][step][slot] = cell[name]
    return {
        "inputs": np.array(arrays["input"], dtype=np.int32).reshape(steps, batch_size),
        "targets": np.array(arrays["target"], dtype=np.int32).reshape(steps, batch_size),
        "reset": np.array(arrays["reset"], dtype=bool).reshape(steps, batch_size),
        "valid": np.array(arrays["valid"], dtype=bool).reshape(steps, batch_size),
    }


def reference_evaluation(
    sessions: list[list[int]], histories: list[list[int]], batch_size: int
) -> dict[str, np.ndarray]:
    """Evaluation arrays: each sequence is history + own events; targets in own are scored."""
    seen_items: list[int] = []
    seen_starts = []
    for history, own in zip(histories, sessions, strict=True):
        seen_starts.append(len(seen_items))
        seen_items.extend(history + own)

    kept = [index for index in range(len(sessions)) if len(histories[index] + sessions[index]) > 1]
    sequences = [histories[index] + sessions[index] for index in kept]
    steps, cells = place_sessions(sequences, batch_size)
    names = ["inputs", "targets", "reset", "valid", "score", "session_index", "position"]
    names += ["seen_start", "seen_end"]
    result = {name: [] for name in names}
    for step in range(steps):
        rows = {name: [] for name in names}
        for slot in range(batch_size):
            cell = cells.get((step, slot))
            if cell is None:
                values = [0, 0, False, False, False, -1, -1, 0, 0]
            else:
                session = kept[cell["sequence"]]
                target_in_own = cell["offset"] + 1 - len(histories[session])
                start = seen_starts[session]
                values = [cell["input"], cell["target"], cell["reset"], True]
                values += [target_in_own >= 0, session, max(target_in_own, -1)]
                values += [start, start + cell["offset"] + 1]
            for name, value in zip(names, values, strict=True):
                rows[name].append(value)
        for name in names:
            result[name].append(rows[name])
    dtypes = {"inputs": np.int32, "targets": np.int32, "reset": bool, "valid": bool}
    dtypes |= {"score": bool, "session_index": np.int64, "position": np.int32}
    dtypes |= {"seen_start": np.int64, "seen_end": np.int64}
    arrays = {
        name: np.array(result[name], dtype=dtypes[name]).reshape(steps, batch_size)
        for name in names
    }
    arrays["seen_items"] = np.array(seen_items, dtype=np.int32)
    return arrays


def reference_concat(logs: list[tuple[list[int], list[list[int]]]]) -> list[tuple[int, list]]:
    """Merge (session_ids, sessions) logs: sessions by first appearance, events log by log."""
    merged: dict[int, list[int]] = {}
    for session_ids, sessions in logs:
        for session_id, items in zip(session_ids, sessions, strict=True):
            merged.setdefault(session_id, []).extend(items)
    return list(merged.items())
