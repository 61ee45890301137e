"""Exact figures of the presets on the real MovieLens 1M files (skipped when they are absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sessrec.data import load_prepared, prepare, preset_options, resolve_source, run_engine

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

# The original notebook's figures: events, sessions, items, first and last time (UTC).
SEED_FIGURES = {
    "train": (833_300, 6_038, 3_123, "2000-04-25 23:05:32", "2003-01-31 12:16:30"),
    "valid": (658, 32, 540, "2003-01-31 17:23:06", "2003-02-14 02:02:32"),
    "test": (489, 41, 416, "2003-02-15 00:15:09", "2003-02-28 17:49:50"),
}


def figures(stats: dict) -> tuple:
    """The five figures the notebook reported for one split."""
    return (
        stats["events"],
        stats["sessions"],
        stats["items"],
        stats["first_time"],
        stats["last_time"],
    )


def test_seed_preset_reproduces_the_notebook(ml1m_folder: Path, tmp_path: Path) -> None:
    report = prepare(resolve_source(ml1m_folder), preset_options("seed"), tmp_path / "seed")

    assert {name: figures(report.stats[name]) for name in SEED_FIGURES} == SEED_FIGURES
    dataset = load_prepared(tmp_path / "seed")
    assert dataset.n_items == 3_123
    assert dataset.items["train_count"].sum() == 833_300
    assert dataset.items.filter(pl.col("item_key") == "2858")["title"].item() == (
        "American Beauty (1999)"
    )


def stable_histories(ratings: Path) -> tuple[np.ndarray, np.ndarray]:
    """(user, movie) of every rating, ordered by user, time, then line: computed with numpy."""
    text = ratings.read_bytes().replace(b"::", b" ").decode()
    table = np.array(text.split(), dtype=np.int64).reshape(-1, 4)
    order = np.lexsort((np.arange(len(table)), table[:, 3], table[:, 0]))
    return table[order, 0], table[order, 1]


def test_loo_preset_keeps_every_user(ml1m_folder: Path) -> None:
    report = prepare(resolve_source(ml1m_folder), preset_options("loo"))
    result = report.result
    keys = result.items["item_key"].cast(pl.Int64).to_numpy()

    # Train, then validation, then test, per session, is exactly each user's history in
    # stable time order: the test target is the latest event (ties broken by file order) and
    # no target sits in that user's training rows at a later position.
    splits = [result.train, result.valid, result.test]
    every = pl.concat(
        [frame.with_columns(pl.lit(rank).alias("split")) for rank, frame in enumerate(splits)]
    ).sort("session_id", "split", maintain_order=True)
    users, movies = stable_histories(ml1m_folder / "ratings.dat")
    assert np.array_equal(every["session_id"].to_numpy(), users - 1)
    assert np.array_equal(keys[every["item_id"].to_numpy()], movies)

    assert (result.train.height, result.valid.height, result.test.height) == (
        988_129,
        6_040,
        6_040,
    )
    assert result.items.height == 3_706
    assert report.stats["test"]["predictions"] == 6_040
    assert result.item_rule == "all items"


def test_engines_agree_on_the_real_log(ml1m_folder: Path) -> None:
    source = resolve_source(ml1m_folder)
    options = preset_options("default")

    fast = run_engine(source, options)
    reference = run_engine(source, options.replace(engine="pandas"))

    for name in ("train", "valid", "test"):
        assert fast.split(name).equals(reference.split(name)), name
    assert fast.items.equals(reference.items)
    assert fast.log.steps == reference.log.steps
    assert (fast.train.height, fast.valid.height, fast.test.height) == (822_416, 6_038, 6_038)


def test_movielens_100k_beside_it(ml1m_folder: Path) -> None:
    folder = ml1m_folder.parent / "ml-100k"
    if not (folder / "u.data").is_file():
        pytest.skip(f"real ML-100K not found at {folder}")

    report = prepare(resolve_source(folder), preset_options("loo"))

    result = report.result
    assert (result.train.height, result.valid.height, result.test.height) == (98_114, 943, 943)
    assert result.items.height == 1_682
