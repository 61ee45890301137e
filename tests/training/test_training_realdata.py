"""One GRU4Rec epoch on the real ML-1M seed preset, end to end (skipped without the files)."""

from __future__ import annotations

import json

import pytest

from sessrec.data import load_prepared, prepare, preset_options, resolve_source
from sessrec.models.gru4rec import GRU4RecConfig
from sessrec.models.registry import load_model
from sessrec.training import train


@pytest.mark.slow
@pytest.mark.realdata
def test_one_epoch_on_ml1m_seed_preset(ml1m_folder, tmp_path):
    prepare(resolve_source(ml1m_folder), preset_options("seed"), tmp_path / "data")
    dataset = load_prepared(tmp_path / "data")
    config = GRU4RecConfig(layers=(32,), batch_size=256, n_sample=0, epochs=1)

    result = train(config, dataset, tmp_path / "run")

    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history) == 1 and result.best_epoch == 1
    # Every (item, next item) pair of the seed preset's train split, once.
    assert history[0]["events"] == 827_262
    valid = history[0]["valid"]
    assert valid["n_predictions"] == 626
    # One small epoch already ranks the next movie in the top 20 far above chance (20/3,123).
    assert valid["recall@20"] > 0.05
    assert 0 < valid["mrr@20"] <= valid["recall@20"]
    assert load_model(tmp_path / "run" / "model").n_items == dataset.n_items == 3_123
