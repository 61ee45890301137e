"""Hand-computed metric values, coverage, popularity and bootstrap intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sessrec.errors import ConfigError
from sessrec.evaluation import EvaluationResult, summarise
from sessrec.evaluation.metrics import (
    bootstrap_intervals,
    canonical_name,
    parse_cutoffs,
    rank_metric_values,
)


def test_no_hit_hit_at_one_and_two_and_cutoff_truncation():
    values = rank_metric_values(np.array([1.0, 2.0, 7.0, 30.0]), cutoffs=(1, 5, 10))
    assert values["recall@1"].tolist() == [1, 0, 0, 0]
    assert values["recall@5"].tolist() == [1, 1, 0, 0]
    assert values["recall@10"].tolist() == [1, 1, 1, 0]
    assert values["mrr@5"].tolist() == [1.0, 0.5, 0.0, 0.0]
    assert values["mrr@10"].tolist() == pytest.approx([1.0, 0.5, 1 / 7, 0.0])
    assert values["ndcg@10"].tolist() == pytest.approx([1.0, 1 / math.log2(3), 1 / 3, 0.0])


def test_average_ties_give_fractional_ranks():
    values = rank_metric_values(np.array([1.5, 10.5]), cutoffs=(10,))
    assert values["recall@10"].tolist() == [1.0, 0.0]
    assert values["mrr@10"].tolist() == pytest.approx([1 / 1.5, 0.0])
    assert values["ndcg@10"].tolist() == pytest.approx([1 / math.log2(2.5), 0.0])


def test_summary_means_coverage_and_popularity():
    ranks = np.array([1.0, 3.0, 25.0])
    top_items = np.array([[0, 1, 2], [0, 2, 3], [1, 0, 4]], dtype=np.int32)
    counts = np.array([10, 5, 5, 0, 0, 0, 0, 0, 0, 0])
    result = summarise(ranks, top_items, (1, 3), n_items=10, item_counts=counts, bootstrap=0)
    assert result["recall@1"] == pytest.approx(1 / 3)
    assert result["hr@3"] == pytest.approx(2 / 3)
    assert result["mrr@3"] == pytest.approx((1 + 1 / 3) / 3)
    assert result["coverage@1"] == pytest.approx(2 / 10)  # items 0 and 1
    assert result["coverage@3"] == pytest.approx(5 / 10)  # items 0..4
    # popularity@1: (1 + 1 + 0.5) / 3; popularity@3: ((1+.5+.5) + (1+.5+0) + (.5+1+0)) / 9
    assert result["popularity@1"] == pytest.approx(2.5 / 3)
    assert result["popularity@3"] == pytest.approx(5.0 / 9)
    assert result.n_predictions == 3
    assert result.intervals == {}


def test_bootstrap_interval_contains_mean_and_is_reproducible():
    rng = np.random.default_rng(3)
    values = np.column_stack([rng.random(500) < 0.2, rng.random(500)]).astype(float)
    first = bootstrap_intervals(values, resamples=400, seed=11)
    second = bootstrap_intervals(values, resamples=400, seed=11)
    assert np.array_equal(first, second)
    for column, (low, high) in zip(values.T, first, strict=True):
        assert low < column.mean() < high
    # A proportion p from n draws has a standard error sqrt(p(1-p)/n); 95 % is about 4 of them.
    width = first[0, 1] - first[0, 0]
    standard_error = math.sqrt(values[:, 0].mean() * (1 - values[:, 0].mean()) / 500)
    assert width == pytest.approx(3.92 * standard_error, rel=0.2)


def test_constant_values_give_a_zero_width_interval():
    assert bootstrap_intervals(np.ones((50, 1)), resamples=50).tolist() == [[1.0, 1.0]]


def test_cutoff_parsing_and_names():
    assert parse_cutoffs("20,1,5,5") == (1, 5, 20)
    assert canonical_name("HR@20") == "recall@20"
    with pytest.raises(ConfigError, match="--cutoffs"):
        parse_cutoffs("1,x")
    with pytest.raises(ConfigError, match="--cutoffs"):
        parse_cutoffs([0, 5])


def test_result_round_trips_through_a_dict():
    result = summarise(np.array([1.0, 4.0]), np.zeros((2, 5), np.int32), (1, 5), 10, bootstrap=20)
    again = EvaluationResult.from_dict(result.to_dict())
    assert again.metrics == result.metrics
    assert again.intervals == result.intervals
    headers, rows = again.table()
    assert headers[:4] == ["K", "Recall", "MRR", "NDCG"]
    assert rows[0][1].startswith("0.5000 [")
