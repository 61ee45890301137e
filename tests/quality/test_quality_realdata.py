"""The leave-one-out protocol on real ML-1M: one ranked target per user, history left out.

The evaluator (warm-up from the earlier splits, seen items excluded, pessimistic ties) must
give exactly what a per-user loop written here gives, for the validation and test targets.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sessrec.data import load_prepared, prepare, preset_options, resolve_source
from sessrec.evaluation import evaluate
from sessrec.evaluation.compare import history_for
from sessrec.models.baselines import Popularity

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

USERS = 6_040


@pytest.fixture(scope="module")
def loo_dataset(ml1m_folder: Path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ml1m") / "loo"
    prepare(resolve_source(ml1m_folder), preset_options("loo"), folder)
    return load_prepared(folder)


def per_user_items(frame) -> dict[int, list[int]]:
    """Each user's items in order, from a split's rows (sorted by session, then time)."""
    items: dict[int, list[int]] = {}
    pairs = zip(frame["session_id"].to_list(), frame["item_id"].to_list(), strict=True)
    for user, item in pairs:
        items.setdefault(user, []).append(item)
    return items


def slow_popularity_metrics(dataset, split: str) -> dict[str, float]:
    """Most-popular ranks by a loop over users: history items left out, ties pessimistic."""
    counts = dataset.items["train_count"].to_numpy()
    history = per_user_items(dataset.train)
    if split == "test":
        for user, items in per_user_items(dataset.valid).items():
            history[user].extend(items)
    ranks = []
    for user, (target,) in per_user_items(getattr(dataset, split)).items():
        candidates = np.ones(len(counts), dtype=bool)
        candidates[history[user]] = False
        candidates[target] = False
        ranks.append(1 + int(np.sum(candidates & (counts >= counts[target]))))
    ranks = np.array(ranks)
    return {
        "n_predictions": len(ranks),
        "recall@10": float(np.mean(ranks <= 10)),
        "ndcg@10": float(np.mean([1 / math.log2(r + 1) if r <= 10 else 0.0 for r in ranks])),
        "mrr@20": float(np.mean([1 / r if r <= 20 else 0.0 for r in ranks])),
    }


@pytest.mark.parametrize("split", ["valid", "test"])
def test_one_target_per_user_with_history_left_out(loo_dataset, split: str) -> None:
    model = Popularity(loo_dataset.n_items)
    model.fit(loo_dataset.log("train"))

    result = evaluate(
        model,
        loo_dataset.log(split),
        history=history_for(loo_dataset, split),
        exclude_seen=True,
        bootstrap=0,
    )

    expected = slow_popularity_metrics(loo_dataset, split)
    assert expected["n_predictions"] == USERS
    got = {name: result.metrics[name] for name in expected}
    assert got == pytest.approx(expected)
