"""Session-parallel training batches: one epoch of a SessionLog as [steps, batch_size] arrays."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from native_loader import kernels
from native_loader.errors import LoaderError
from native_loader.log import SessionLog

logger = logging.getLogger(__name__)

ORDERS = ("given", "time", "shuffle")


@dataclass(frozen=True, eq=False)
class EpochBatches:
    """One epoch of session-parallel mini-batches; every array is [steps, batch_size].

    At step `t`, slot `b` feeds `inputs[t, b]` and should predict `targets[t, b]`, the next
    item of the same session. `reset[t, b]` is true when the slot starts a new session at this
    step (zero its hidden state first); `valid[t, b]` is false for padding (item id 0), which
    only happens once no session is left to start.
    """

    inputs: np.ndarray  # int32 [steps, batch_size]
    targets: np.ndarray  # int32 [steps, batch_size]
    reset: np.ndarray  # bool [steps, batch_size]
    valid: np.ndarray  # bool [steps, batch_size]
    n_pairs: int  # number of valid cells: every pair of the scheduled sessions, once

    @property
    def steps(self) -> int:
        """Number of steps (rows) in the epoch."""
        return self.inputs.shape[0]

    @property
    def batch_size(self) -> int:
        """Number of slots (columns)."""
        return self.inputs.shape[1]


def session_parallel_batches(
    log: SessionLog,
    batch_size: int,
    order: str = "given",
    seed: int | None = None,
    shard: tuple[int, int] = (0, 1),
    workers: int = 1,
) -> EpochBatches:
    """Lay out one training epoch of `log` as GRU4Rec session-parallel mini-batches.

    Every (item, next item) pair of every session is emitted exactly once. `order` chooses the
    order in which sessions enter free slots: "given" (as stored), "time" (by start time,
    stable) or "shuffle" (a permutation drawn from `numpy.random.default_rng(seed)`).
    `shard=(k, n)` keeps every n-th session of that order starting at the k-th, so n processes
    using the same order and seed split the sessions between them without overlap.
    `workers > 1` fills large epochs on that many threads (same result, less wall time
    when cores are free, a little more CPU time for the schedule pass).
    Raises LoaderError for an empty log, a session of one event, or invalid options.
    """
    _check_batch_size(batch_size)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise LoaderError(f"workers must be a positive integer, got {workers!r}")
    if log.n_sessions == 0:
        raise LoaderError("the session log is empty: there is nothing to batch")
    lengths = log.session_lengths
    if np.any(lengths < 2):
        short = int(np.flatnonzero(lengths < 2)[0])
        raise LoaderError(
            f"{int(np.sum(lengths < 2))} session(s) have a single event and give no training "
            f"pair (first: session {log.session_ids[short]}); drop sessions shorter than 2 "
            f"events before training"
        )

    session_order = schedule_order(log, order, seed, shard)
    return batches_for_order(log, session_order, batch_size, workers)


def batches_for_order(
    log: SessionLog, session_order: np.ndarray, batch_size: int, workers: int = 1
) -> EpochBatches:
    """Fill an epoch for sessions entering slots in `session_order` (each of length >= 2).

    With `workers > 1` a schedule pass first assigns sessions to slots, then threads fill
    ranges of steps concurrently; the result does not depend on the number of threads.
    """
    started = time.perf_counter()
    offsets = log.session_offsets
    pair_counts = offsets[session_order + 1] - offsets[session_order] - 1
    if workers == 1:
        shape = (kernels.max_steps(pair_counts, batch_size), batch_size)
        arrays = _empty_epoch(shape)
        steps = kernels.fill_training(offsets, log.item_ids, session_order, *arrays)
        arrays = tuple(array[:steps] for array in arrays)
    else:
        arrays = _fill_on_threads(log, session_order, batch_size, workers)
        steps = len(arrays[0])

    n_pairs = int(pair_counts.sum())
    elapsed = time.perf_counter() - started
    logger.debug("%d pairs in %d steps of %d slots, %.3f s", n_pairs, steps, batch_size, elapsed)
    return EpochBatches(*arrays, n_pairs)


def _fill_on_threads(
    log: SessionLog, session_order: np.ndarray, batch_size: int, workers: int
) -> tuple[np.ndarray, ...]:
    """Schedule sessions onto slots, then fill `workers` disjoint ranges of steps at once."""
    offsets = log.session_offsets
    steps, *schedule = kernels.slot_schedule(offsets, session_order, batch_size)
    arrays = _empty_epoch((steps, batch_size))
    bounds = np.linspace(0, steps, workers + 1).astype(np.int64)

    def fill(row_start: int, row_stop: int) -> None:
        kernels.fill_training_rows(
            offsets, log.item_ids, session_order, *schedule, row_start, row_stop, *arrays
        )

    with ThreadPoolExecutor(workers) as pool:
        filling = [
            pool.submit(fill, int(row_start), int(row_stop))
            for row_start, row_stop in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        for future in filling:
            future.result()
    return arrays


def _empty_epoch(shape: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """Uninitialised inputs, targets, reset and valid arrays of one shape."""
    return (
        np.empty(shape, np.int32),
        np.empty(shape, np.int32),
        np.empty(shape, np.bool_),
        np.empty(shape, np.bool_),
    )


def schedule_order(
    log: SessionLog, order: str, seed: int | None, shard: tuple[int, int]
) -> np.ndarray:
    """Session indices (int64) in the order they enter slots, restricted to one shard."""
    if order == "given":
        session_order = np.arange(log.n_sessions, dtype=np.int64)
    elif order == "time":
        if log.start_times is None:
            raise LoaderError('order="time" needs start times: build the log with timestamps')
        session_order = np.argsort(log.start_times, kind="stable").astype(np.int64)
    elif order == "shuffle":
        rng = np.random.default_rng(seed)
        session_order = rng.permutation(log.n_sessions).astype(np.int64)
    else:
        raise LoaderError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")

    shard_index, shard_count = _check_shard(shard)
    if shard_count == 1:
        return session_order
    selected = np.ascontiguousarray(session_order[shard_index::shard_count])
    if len(selected) == 0:
        raise LoaderError(
            f"shard {shard_index} of {shard_count} gets no session: the log has only "
            f"{log.n_sessions}"
        )
    return selected


def _check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise LoaderError(f"batch_size must be an integer, got {batch_size!r}")
    if batch_size < 1:
        raise LoaderError(f"batch_size must be at least 1, got {batch_size}")


def _check_shard(shard: tuple[int, int]) -> tuple[int, int]:
    try:
        shard_index, shard_count = (int(value) for value in shard)
    except (TypeError, ValueError) as error:
        raise LoaderError(f"shard must be a pair (k, n), got {shard!r}") from error
    if shard_count < 1 or not 0 <= shard_index < shard_count:
        raise LoaderError(f"shard (k, n) needs n >= 1 and 0 <= k < n, got {shard!r}")
    return shard_index, shard_count
