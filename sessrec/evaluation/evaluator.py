"""Full-ranking next-item evaluation of any SessionRecommender on a session log.

After every event of every session the model scores all items; the rank of the true next item
is recorded (nothing is sampled). Optionally each session's earlier history is fed first without
scoring (warm-up), and items already in the session can be left out of the ranking.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sessrec.errors import ConfigError, DataError
from sessrec.evaluation.metrics import (
    bootstrap_intervals,
    list_popularity_values,
    parse_cutoffs,
    rank_metric_values,
)
from sessrec.evaluation.ranking import rank_targets, tie_code
from sessrec.evaluation.result import EvaluationResult
from sessrec.utils.progress import progress

if TYPE_CHECKING:
    from native_loader import SessionLog
    from sessrec.models.base import SessionRecommender

logger = logging.getLogger(__name__)

DEFAULT_CUTOFFS = (1, 5, 10, 20)
# Scores of one step ([batch, n_items] float32) are kept under this many bytes.
SCORE_MEMORY_BYTES = 256 * 2**20
# Target positions are grouped into these buckets for the optional breakdown.
POSITION_EDGES = (0, 1, 2, 3, 4, 5, 10, 20, 50)


def evaluate(
    model: SessionRecommender,
    log: SessionLog,
    history: SessionLog | None = None,
    cutoffs: Sequence[int] | str = DEFAULT_CUTOFFS,
    ties: str = "pessimistic",
    exclude_seen: bool = False,
    batch_size: int | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    item_counts: np.ndarray | None = None,
    by_position: bool = False,
) -> EvaluationResult:
    """Rank every next event of `log` among all items; return metrics with 95 % intervals.

    `history` (for example train plus validation) warms each session up without scoring when
    given. `item_counts` (train counts per item) enables `popularity@K`. `bootstrap` is the
    number of resamples for the intervals (0 skips them); `seed` fixes them. A model with a
    `step_rows(inputs, reset, rows)` method (the baselines) is asked for scored rows only.
    """
    from native_loader import evaluation_batches

    cutoffs = parse_cutoffs(cutoffs)
    tie_code(ties)
    if item_counts is not None and len(item_counts) != model.n_items:
        raise DataError(
            f"item_counts has {len(item_counts)} entries but the model knows {model.n_items} items"
        )
    started = time.perf_counter()
    batch_size = batch_size or default_batch_size(model.n_items, len(log.session_ids))
    if batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {batch_size}")

    try:
        batches = evaluation_batches(log, batch_size, history=history)
    except ValueError as error:  # native_loader's LoaderError
        raise DataError(f"cannot evaluate: {error}") from None
    if batches.n_predictions == 0:
        raise DataError(
            "nothing to evaluate: no session has a next event to predict "
            "(single-event sessions need warm-up on their history)"
        )
    ranks, top_items, positions, sessions = _rank_all(
        model, batches, ties, exclude_seen, max(cutoffs)
    )

    seconds = time.perf_counter() - started
    settings = {
        "ties": ties,
        "exclude_seen": exclude_seen,
        "warmup": history is not None,
        "batch_size": batch_size,
        "bootstrap_resamples": bootstrap,
        "seed": seed,
    }
    result = summarise(
        ranks, top_items, cutoffs, model.n_items, item_counts, bootstrap, seed, settings
    )
    result.metrics["n_sessions"] = int(np.unique(sessions).size)
    if by_position:
        result.by_position = position_breakdown(ranks, positions, cutoffs)
    result.seconds = seconds
    logger.info(
        "evaluated %d predictions in %d sessions in %.1f s (%.0f predictions/s)",
        len(ranks), result.metrics["n_sessions"], seconds, len(ranks) / max(seconds, 1e-9),
    )  # fmt: skip
    return result


def default_batch_size(n_items: int, n_sessions: int) -> int:
    """Slots per step: 512 at most, no more than the sessions, and scores within the budget."""
    by_memory = max(1, SCORE_MEMORY_BYTES // (4 * max(n_items, 1)))
    return int(max(1, min(512, by_memory, n_sessions)))


def _rank_all(model, batches, ties, exclude_seen, top_k):
    """Drive the model through the batches; collect ranks, top-K lists and target positions."""
    ranks, top_items, positions, sessions = [], [], [], []
    model.start(batches.inputs.shape[1])
    # A model that can score chosen slots only (the baselines) skips padded and warm-up rows.
    step_rows = getattr(model, "step_rows", None)
    seen_items = batches.seen_items.astype(np.int64) if exclude_seen else None
    total = int(batches.score.sum())
    with progress(total=total, unit="pred", unit_scale=True, desc="evaluate") as bar:
        for step in range(batches.inputs.shape[0]):
            scored = np.flatnonzero(batches.score[step])
            inputs, reset = batches.inputs[step], batches.reset[step]
            if step_rows is not None:
                scores = step_rows(inputs, reset, scored)
                score_rows = np.arange(scored.size)
            else:
                scores = model.step(inputs, reset, want_scores=bool(scored.size))
                score_rows = scored
            if not scored.size:
                continue

            seen = {}
            if exclude_seen:
                seen = {
                    "seen_items": seen_items,
                    "seen_start": batches.seen_start[step, scored],
                    "seen_end": batches.seen_end[step, scored],
                }
            ranked = rank_targets(
                scores, score_rows, batches.targets[step, scored], ties=ties, top_k=top_k, **seen
            )
            ranks.append(ranked.ranks)
            top_items.append(ranked.top_items)
            positions.append(batches.position[step, scored])
            sessions.append(batches.session_index[step, scored])
            bar.update(scored.size)

    if not ranks:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0), np.zeros((0, top_k), dtype=np.int32), empty, empty

    # Session then position order, so the bootstrap does not depend on the batch size.
    positions, sessions = np.concatenate(positions), np.concatenate(sessions)
    order = np.lexsort((positions, sessions))
    return (
        np.concatenate(ranks)[order],
        np.concatenate(top_items)[order],
        positions[order],
        sessions[order],
    )


def summarise(
    ranks: np.ndarray,
    top_items: np.ndarray,
    cutoffs: Sequence[int],
    n_items: int,
    item_counts: np.ndarray | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    settings: dict | None = None,
) -> EvaluationResult:
    """Turn per-prediction ranks and top-K lists into metric means, intervals and coverage."""
    values = rank_metric_values(ranks, cutoffs)
    if item_counts is not None:
        counts = np.asarray(item_counts, dtype=np.float64)
        normalised = counts / max(float(counts.max()), 1.0)
        values.update(list_popularity_values(top_items, normalised, cutoffs))

    names = list(values)
    matrix = np.column_stack([values[name] for name in names]) if len(ranks) else None
    means = matrix.mean(axis=0) if matrix is not None else np.full(len(names), np.nan)
    metrics = {name: float(mean) for name, mean in zip(names, means, strict=True)}
    intervals = {}
    if matrix is not None and bootstrap > 0:
        bounds = bootstrap_intervals(matrix, resamples=bootstrap, seed=seed)
        pairs = zip(names, bounds, strict=True)
        intervals = {name: (float(low), float(high)) for name, (low, high) in pairs}

    for cutoff in cutoffs:
        listed = top_items[:, : min(cutoff, top_items.shape[1])]
        distinct = np.unique(listed[listed >= 0]).size
        metrics[f"coverage@{cutoff}"] = distinct / max(n_items, 1)
    metrics["n_predictions"] = int(len(ranks))
    return EvaluationResult(
        metrics=_ordered(metrics, cutoffs),
        intervals=intervals,
        cutoffs=tuple(cutoffs),
        settings=dict(settings or {}),
    )


def position_breakdown(
    ranks: np.ndarray, positions: np.ndarray, cutoffs: Sequence[int]
) -> list[dict]:
    """Recall, MRR and NDCG per bucket of target position (0 = a session's first event)."""
    values = rank_metric_values(ranks, cutoffs)
    buckets = []
    edges = [*POSITION_EDGES, np.iinfo(np.int64).max]
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        chosen = (positions >= low) & (positions < high)
        if not chosen.any():
            continue
        label = str(low) if high == low + 1 else f"{low}+" if high > 10**9 else f"{low}-{high - 1}"
        bucket = {"positions": label, "n_predictions": int(chosen.sum())}
        bucket.update({name: float(column[chosen].mean()) for name, column in values.items()})
        buckets.append(bucket)
    return buckets


def _ordered(metrics: dict[str, float], cutoffs: Sequence[int]) -> dict[str, float]:
    """Metrics grouped by kind, then by cut-off, with the counts last."""
    kinds = ("recall", "mrr", "ndcg", "coverage", "popularity")
    ordered = {
        f"{kind}@{cutoff}": metrics[f"{kind}@{cutoff}"]
        for kind in kinds
        for cutoff in cutoffs
        if f"{kind}@{cutoff}" in metrics
    }
    ordered.update({name: value for name, value in metrics.items() if name not in ordered})
    return ordered
