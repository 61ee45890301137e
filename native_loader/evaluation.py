"""Evaluation batches: score each session's events after warming up on its earlier history."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from native_loader import kernels
from native_loader.batches import EpochBatches, _check_batch_size
from native_loader.errors import LoaderError
from native_loader.log import SessionLog

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class EvaluationBatches(EpochBatches):
    """Session-parallel batches for scoring, in the sessions' given order (deterministic).

    Besides the training arrays (every [steps, batch_size]): `score` is true where the target
    is an event of the evaluated log (warm-up pairs inside the history are fed, not scored);
    `session_index` is the evaluated session (-1 for padding); `position` is the target's index
    among that session's own events (-1 when not scored). The items a slot has consumed so far,
    its current input included, are `seen_items[seen_start[t, b]:seen_end[t, b]]`, where
    `seen_items` holds each session's history followed by its own events (`seen_offsets`
    delimits them, int64 [n_sessions + 1]).
    """

    score: np.ndarray  # bool [steps, batch_size]
    session_index: np.ndarray  # int64 [steps, batch_size]
    position: np.ndarray  # int32 [steps, batch_size]
    seen_items: np.ndarray  # int32 [sum over sessions of history + own events]
    seen_offsets: np.ndarray  # int64 [n_sessions + 1]
    seen_start: np.ndarray  # int64 [steps, batch_size]
    seen_end: np.ndarray  # int64 [steps, batch_size]
    n_predictions: int  # number of scored cells


def evaluation_batches(
    log: SessionLog, batch_size: int, history: SessionLog | None = None
) -> EvaluationBatches:
    """Batches that feed each session's history (matched by session id) unscored, then score
    every next event of the session in `log`.

    With history, the pair (last history item, first event of `log`) is scored, so a session
    of one event gives one prediction; without history such a session gives none.
    Raises LoaderError for an empty log or a batch size below 1.
    """
    _check_batch_size(batch_size)
    if log.n_sessions == 0:
        raise LoaderError("the session log to evaluate is empty: there is nothing to score")

    history_lengths, seen_offsets, seen_items = _warm_sequences(log, history)
    sequence_lengths = np.diff(seen_offsets)
    order = np.flatnonzero(sequence_lengths >= 2).astype(np.int64)
    shape = (kernels.max_steps(sequence_lengths[order] - 1, batch_size), batch_size)
    arrays = {
        "inputs": np.empty(shape, np.int32),
        "targets": np.empty(shape, np.int32),
        "reset": np.empty(shape, np.bool_),
        "valid": np.empty(shape, np.bool_),
        "score": np.empty(shape, np.bool_),
        "session_index": np.empty(shape, np.int64),
        "position": np.empty(shape, np.int32),
        "seen_start": np.empty(shape, np.int64),
        "seen_end": np.empty(shape, np.int64),
    }
    steps = kernels.fill_evaluation(
        seen_offsets, seen_items, history_lengths, order, *arrays.values()
    )
    arrays = {name: array[:steps] for name, array in arrays.items()}

    n_pairs = int(np.sum(sequence_lengths[order] - 1))
    own_lengths = log.session_lengths[order]
    n_predictions = int(np.sum(np.where(history_lengths[order] > 0, own_lengths, own_lengths - 1)))
    logger.debug("evaluation: %d predictions over %d steps", n_predictions, steps)
    return EvaluationBatches(
        n_pairs=n_pairs,
        seen_items=seen_items,
        seen_offsets=seen_offsets,
        n_predictions=n_predictions,
        **arrays,
    )


def concat_logs(*logs: SessionLog) -> SessionLog:
    """Merge logs by session id: a session's events from the first log, then the next, ...

    Meant for splits of one dataset (train then validation), whose events are already in time
    order across logs. Sessions appear in order of first appearance; a merged session's start
    time is that of its first appearance (None unless every log has start times).
    """
    if not logs:
        raise LoaderError("concat_logs needs at least one log")
    if len(logs) == 1:
        return logs[0]

    all_ids = np.concatenate([log.session_ids for log in logs])
    all_items = np.concatenate([log.item_ids for log in logs])
    all_lengths = np.concatenate([log.session_lengths for log in logs])
    unique_ids, first_seen, inverse = np.unique(all_ids, return_index=True, return_inverse=True)
    appearance_rank = np.empty(len(unique_ids), np.int64)
    appearance_rank[np.argsort(first_seen, kind="stable")] = np.arange(len(unique_ids))

    # A stable sort by merged session keeps the logs' order, then each log's own time order.
    event_rank = np.repeat(appearance_rank[inverse], all_lengths)
    event_order = np.argsort(event_rank, kind="stable")
    counts = np.bincount(event_rank, minlength=len(unique_ids))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    first_rows = np.sort(first_seen)
    start_times = None
    if all(log.start_times is not None for log in logs):
        start_times = np.concatenate([log.start_times for log in logs])[first_rows]
    return SessionLog(offsets, all_items[event_order], all_ids[first_rows], start_times)


def _warm_sequences(
    log: SessionLog, history: SessionLog | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per session of `log`: history length, offsets and items of history + own events."""
    own_lengths = log.session_lengths
    history_lengths = np.zeros(log.n_sessions, np.int64)
    history_starts = np.zeros(log.n_sessions, np.int64)
    if history is not None and history.n_sessions:
        sorter = np.argsort(history.session_ids, kind="stable")
        sorted_ids = history.session_ids[sorter]
        found = np.minimum(np.searchsorted(sorted_ids, log.session_ids), len(sorted_ids) - 1)
        matched = sorted_ids[found] == log.session_ids
        history_sessions = sorter[found[matched]]
        history_lengths[matched] = history.session_lengths[history_sessions]
        history_starts[matched] = history.session_offsets[history_sessions]
    if not history_lengths.any():
        return history_lengths, log.session_offsets, log.item_ids

    # Gather alternating segments (history of s, own events of s) from one source array.
    history_items = history.item_ids
    source = np.concatenate([history_items, log.item_ids])
    segment_starts = np.stack([history_starts, log.session_offsets[:-1] + len(history_items)], 1)
    segment_lengths = np.stack([history_lengths, own_lengths], 1).ravel()
    output_starts = np.concatenate([[0], np.cumsum(segment_lengths)[:-1]])
    total = int(segment_lengths.sum())
    gather = np.repeat(segment_starts.ravel() - output_starts, segment_lengths) + np.arange(total)
    seen_offsets = np.concatenate([[0], np.cumsum(history_lengths + own_lengths)]).astype(np.int64)
    return history_lengths, seen_offsets, source[gather].astype(np.int32)
