"""Exact figures of the presets on the real MovieLens 1M files (skipped when they are absent)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sessrec.data import load_prepared, prepare, preset_options, resolve_source

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


def test_loo_preset_keeps_every_user(ml1m_folder: Path) -> None:
    report = prepare(resolve_source(ml1m_folder), preset_options("loo"))
    result = report.result

    assert (result.train.height, result.valid.height, result.test.height) == (
        988_129,
        6_040,
        6_040,
    )
    assert result.items.height == 3_706
    assert report.stats["test"]["predictions"] == 6_040
    assert result.item_rule == "all items"
