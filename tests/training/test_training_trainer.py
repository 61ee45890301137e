"""train(): the run folder, early stopping, save/load and an exact resume; `sessrec fit`."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest
from training_data import cyclic_dataset
from typer.testing import CliRunner

from sessrec.cli import app
from sessrec.errors import CheckpointError, ConfigError
from sessrec.models.gru4rec import GRU4Rec, GRU4RecConfig
from sessrec.models.registry import load_model
from sessrec.training import train
from sessrec.utils.atomic import current_umask

CONFIG = GRU4RecConfig(
    layers=(16,),
    batch_size=8,
    n_sample=6,
    dropout_hidden=0.2,
    momentum=0.3,
    epochs=2,
    session_order="shuffle",
    steps_per_call=16,
    jit_compile=False,
)


def weights(model: GRU4Rec) -> list[np.ndarray]:
    return [variable.numpy() for variable in model.network.variables]


def test_run_folder_history_and_best_model(tmp_path):
    dataset = cyclic_dataset(tmp_path / "data")
    result = train(CONFIG, dataset, tmp_path / "run")

    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "checkpoint", "config.toml", "history.json", "model",
    ]  # fmt: skip
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2]
    assert set(history[0]["valid"]) == {
        "recall@5", "recall@10", "recall@20", "mrr@5", "mrr@10", "mrr@20", "n_predictions",
    }  # fmt: skip
    assert history[0]["events"] == dataset.train.height - dataset.train["session_id"].n_unique()
    assert GRU4RecConfig.from_toml(tmp_path / "run" / "config.toml") == CONFIG
    for name in ("config.toml", "history.json", "model", "checkpoint"):
        default = 0o777 if (tmp_path / "run" / name).is_dir() else 0o666
        mode = stat.S_IMODE(os.stat(tmp_path / "run" / name).st_mode)
        assert mode == default & ~current_umask(), name

    best = max(history, key=lambda entry: entry["valid"]["mrr@20"])
    assert result.best_epoch == best["epoch"]
    loaded = load_model(tmp_path / "run" / "model")
    assert isinstance(loaded, GRU4Rec)
    assert loaded.items is not None and loaded.items.height == dataset.n_items
    for saved, returned in zip(weights(loaded), weights(result.model), strict=True):
        np.testing.assert_array_equal(saved, returned)


def test_resume_continues_exactly(tmp_path):
    dataset = cyclic_dataset(tmp_path / "data")
    straight = train(CONFIG.replace(patience=0), dataset, tmp_path / "straight")

    train(CONFIG.replace(epochs=1, patience=0), dataset, tmp_path / "resumed")
    resumed = train(CONFIG.replace(patience=0), dataset, tmp_path / "resumed", resume=True)

    assert [e["train_loss"] for e in resumed.history] == [e["train_loss"] for e in straight.history]
    for expected, actual in zip(weights(straight.model), weights(resumed.model), strict=True):
        np.testing.assert_array_equal(actual, expected)


def test_resume_refuses_changed_options_and_fresh_runs_refuse_old_folders(tmp_path):
    dataset = cyclic_dataset(tmp_path / "data")
    train(CONFIG.replace(epochs=1), dataset, tmp_path / "run")
    with pytest.raises(ConfigError, match="option learning_rate"):
        train(CONFIG.replace(learning_rate=0.5), dataset, tmp_path / "run", resume=True)
    with pytest.raises(CheckpointError, match="--resume"):
        train(CONFIG, dataset, tmp_path / "run")
    with pytest.raises(CheckpointError, match="nothing to resume|not a training checkpoint"):
        train(CONFIG, dataset, tmp_path / "empty", resume=True)


def test_early_stopping_stops_after_patience(tmp_path):
    dataset = cyclic_dataset(tmp_path / "data")
    # A learning rate this small leaves the metric flat, so patience 1 stops after epoch 2.
    config = CONFIG.replace(learning_rate=1e-9, epochs=5, patience=1, dropout_hidden=0.0)
    result = train(config, dataset, tmp_path / "run")
    assert len(result.history) == 2
    assert result.best_epoch == 1


def test_fit_command_flags_override_the_config_file(tmp_path, monkeypatch):
    dataset = cyclic_dataset(tmp_path / "data")
    dataset.train.write_parquet(tmp_path / "data" / "train.parquet")
    dataset.valid.write_parquet(tmp_path / "data" / "valid.parquet")
    dataset.test.write_parquet(tmp_path / "data" / "test.parquet")
    dataset.items.write_parquet(tmp_path / "data" / "items.parquet")
    (tmp_path / "data" / "meta.json").write_text(json.dumps(dataset.meta))
    CONFIG.replace(epochs=3, batch_size=4).to_toml(tmp_path / "base.toml")

    arguments = ["-q", "fit", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "run")]
    arguments += ["--config", str(tmp_path / "base.toml"), "--epochs", "1"]
    outcome = CliRunner().invoke(app, arguments)
    assert outcome.exit_code == 0, outcome.output
    assert "best epoch 1 of 1" in outcome.output
    stored = GRU4RecConfig.from_toml(tmp_path / "run" / "config.toml")
    assert (stored.epochs, stored.batch_size) == (1, 4)
