"""Evaluation speed: the numba ranking kernel against a numpy argsort reference, then whole
evaluations (most popular, Markov) on ML-1M, in scored events (predictions) per second."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks.common import print_table, real_ml1m_folder, time_call
from sessrec.evaluation import evaluate, rank_targets
from sessrec.utils.progress import set_progress_enabled

BATCH = 512
SEEN_PER_ROW = 50


def argsort_ranks(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Reference: sort each row, then find the target (optimistic ties, no exclusion)."""
    order = np.argsort(-scores, axis=1)
    return np.argmax(order == targets[:, None], axis=1) + 1


def kernel_rows(n_items: int) -> list[list]:
    """Scored events/s of each kernel variant and of the argsort reference at `n_items`."""
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((BATCH, n_items)).astype(np.float32)
    rows = np.arange(BATCH)
    targets = rng.integers(0, n_items, size=BATCH)
    seen = {
        "seen_items": rng.integers(0, n_items, size=BATCH * SEEN_PER_ROW),
        "seen_start": rows * SEEN_PER_ROW,
        "seen_end": (rows + 1) * SEEN_PER_ROW,
    }
    variants = {
        "rank only": {},
        "rank + top-20": {"top_k": 20},
        f"rank + top-20, {SEEN_PER_ROW} seen items left out": {"top_k": 20, **seen},
    }
    for name in list(variants):
        variants[f"{name}, one thread"] = {**variants[name], "parallel": False}
        variants[f"{name}, threads"] = {**variants.pop(name), "parallel": True}
    reference = time_call(lambda: argsort_ranks(scores, targets), repeats=3, warmup=1).best
    table = [[n_items, "numpy argsort reference", BATCH / reference, 1.0]]
    for name, options in variants.items():
        timing = time_call(
            lambda options=options: rank_targets(scores, rows, targets, **options),
            repeats=20,
            warmup=1,
        )
        table.append([n_items, f"numba: {name}", BATCH / timing.best, reference / timing.best])
    return table


def end_to_end_rows() -> list[list]:
    """Whole evaluations of most-popular and Markov on the ML-1M seed and loo presets."""
    from sessrec.data import load_prepared, prepare, preset_options, resolve_source
    from sessrec.evaluation.compare import history_for
    from sessrec.models.baselines import Markov, Popularity

    folder = real_ml1m_folder()
    if folder is None:
        print("\n(real ML-1M not found: end-to-end rows skipped)")
        return []
    table = []
    with tempfile.TemporaryDirectory() as temporary:
        for preset, exclude_seen in (("seed", False), ("loo", True)):
            target = Path(temporary) / preset
            prepare(resolve_source(folder), preset_options(preset), target)
            dataset = load_prepared(target)
            history = history_for(dataset, "test")
            log = dataset.log("test")
            for model in (Popularity(dataset.n_items), Markov(dataset.n_items)):
                model.fit(dataset.log("train"))
                timing = time_call(
                    partial(evaluate, model, log, history, exclude_seen=exclude_seen, bootstrap=0),
                    repeats=2,
                    warmup=1,
                )
                predictions = timing.result.n_predictions
                table.append(
                    [preset, model.kind, predictions, timing.best, predictions / timing.best]
                )
    return table


def main() -> None:
    """Print the kernel table and the end-to-end table."""
    set_progress_enabled(False)
    kernel = kernel_rows(3706) + kernel_rows(3416)
    print_table(
        f"Ranking kernel, batch of {BATCH} rows of random float32 scores",
        ["items", "variant", "scored events/s", "x argsort"],
        kernel,
    )
    end_to_end = end_to_end_rows()
    if end_to_end:
        print_table(
            "Whole evaluation on ML-1M test with warm-up (bootstrap off)",
            ["preset", "model", "predictions", "seconds", "predictions/s"],
            end_to_end,
        )
