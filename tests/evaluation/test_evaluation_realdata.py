"""On the real ML-1M seed preset, the evaluator agrees with a slow computation written here."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sessrec.data import load_prepared, prepare, preset_options, resolve_source
from sessrec.evaluation import evaluate
from sessrec.evaluation.compare import history_for
from sessrec.models.baselines import Markov, Popularity

pytestmark = [pytest.mark.slow, pytest.mark.realdata]


@pytest.fixture(scope="module")
def seed_dataset(ml1m_folder: Path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ml1m") / "seed"
    prepare(resolve_source(ml1m_folder), preset_options("seed"), folder)
    return load_prepared(folder)


def sessions_of(frame) -> dict[int, list[int]]:
    """Each session's items in order, from a split's rows (already sorted by session, time)."""
    sessions: dict[int, list[int]] = {}
    pairs = zip(frame["session_id"].to_list(), frame["item_id"].to_list(), strict=True)
    for session, item in pairs:
        sessions.setdefault(session, []).append(item)
    return sessions


def slow_metrics(dataset, score_after, warmup: bool, exclude_seen: bool) -> dict[str, float]:
    """Recall, MRR, NDCG at 20 by looping over every prediction, pessimistic ties."""
    history = sessions_of(dataset.train)
    for session, items in sessions_of(dataset.valid).items():
        history.setdefault(session, []).extend(items)
    hits, reciprocal, gains = [], [], []
    for session, items in sessions_of(dataset.test).items():
        earlier = history.get(session, []) if warmup else []
        sequence = earlier + items
        for index in range(max(len(earlier), 1), len(sequence)):
            scores = score_after(sequence[index - 1]).astype(np.float64)
            target = sequence[index]
            others = np.ones(len(scores), dtype=bool)
            others[target] = False
            if exclude_seen:
                others[list(set(sequence[:index]) - {target})] = False
            rank = 1 + int(np.sum(others & (scores >= scores[target])))
            hits.append(rank <= 20)
            reciprocal.append(1 / rank if rank <= 20 else 0.0)
            gains.append(1 / math.log2(rank + 1) if rank <= 20 else 0.0)
    return {
        "n_predictions": len(hits),
        "recall@20": float(np.mean(hits)),
        "mrr@20": float(np.mean(reciprocal)),
        "ndcg@20": float(np.mean(gains)),
    }


def through_evaluator(model, dataset, warmup: bool, exclude_seen: bool) -> dict[str, float]:
    history = history_for(dataset, "test") if warmup else None
    result = evaluate(
        model, dataset.log("test"), history=history, exclude_seen=exclude_seen, bootstrap=0
    )
    return {
        name: result.metrics[name] for name in ("n_predictions", "recall@20", "mrr@20", "ndcg@20")
    }


def test_most_popular_matches_a_slow_loop(seed_dataset):
    counts = seed_dataset.items["train_count"].to_numpy()
    model = Popularity(seed_dataset.n_items)
    model.fit(seed_dataset.log("train"))
    for warmup in (False, True):
        expected = slow_metrics(seed_dataset, lambda item: counts, warmup, exclude_seen=False)
        assert through_evaluator(model, seed_dataset, warmup, False) == pytest.approx(expected)
    assert expected["n_predictions"] == 489


def test_markov_matches_a_slow_loop(seed_dataset):
    transitions: dict[int, Counter] = {}
    for items in sessions_of(seed_dataset.train).values():
        for previous, following in zip(items[:-1], items[1:], strict=True):
            transitions.setdefault(previous, Counter())[following] += 1
    counts = seed_dataset.items["train_count"].to_numpy().astype(np.float64)
    tie_break = 0.5 * counts / counts.max()

    def score_after(item: int) -> np.ndarray:
        scores = tie_break.astype(np.float32).astype(np.float64)
        for following, count in transitions.get(item, {}).items():
            scores[following] += count
        return scores.astype(np.float32)

    model = Markov(seed_dataset.n_items)
    model.fit(seed_dataset.log("train"))
    for warmup, exclude_seen in ((False, False), (True, True)):
        expected = slow_metrics(seed_dataset, score_after, warmup, exclude_seen)
        actual = through_evaluator(model, seed_dataset, warmup, exclude_seen)
        assert actual == pytest.approx(expected)
    no_warmup = through_evaluator(model, seed_dataset, False, False)
    assert no_warmup["n_predictions"] == 448
    assert round(no_warmup["recall@20"] * 448) == 61
