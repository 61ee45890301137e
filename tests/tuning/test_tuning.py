"""`sessrec tune`: the search space file, and a search that resumes from its SQLite storage."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import optuna
import polars as pl
import pytest

from sessrec.cli import main
from sessrec.errors import ConfigError
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.tuning.space import default_space_path, load_space

TINY_SPACE = """
metric = "mrr@20"

[fixed]
n_sample = 0
batch_size = 8
epochs = 1
eval_batch_size = 64
jit_compile = false

[params.layers]
type = "categorical"
choices = ["8", "16"]

[params.learning_rate]
type = "float"
low = 0.01
high = 0.3
log = true
"""


def write_generic_log(path: Path, sessions: int = 40, items: int = 10, seed: int = 3) -> Path:
    """A CSV click log (session_id, item_id, timestamp) where sessions walk a cycle of items."""
    rng = np.random.default_rng(seed)
    rows = []
    for session in range(sessions):
        start, length = int(rng.integers(items)), int(rng.integers(5, items + 1))
        rows += [(session, (start + step) % items, 1_000_000 + 60 * step) for step in range(length)]
    frame = pl.DataFrame(rows, schema=["session_id", "item_id", "timestamp"], orient="row")
    frame.write_csv(path)
    return path


def run_cli(*args: str) -> int:
    with mock.patch.object(sys, "argv", ["sessrec", "--quiet", *args]):
        try:
            main()
        except SystemExit as stop:
            return stop.code if isinstance(stop.code, int) else 1
    return 0


def test_shipped_space_is_valid_and_searches_the_issue_options() -> None:
    space = load_space(default_space_path())
    names = {parameter.name for parameter in space.parameters}
    assert {"layers", "embedding", "loss", "n_sample", "sample_alpha", "learning_rate"} <= names
    assert {"momentum", "dropout_hidden", "batch_size", "epochs"} <= names
    trial = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0)).ask()
    config = space.config(GRU4RecConfig(), space.suggest(trial))
    assert isinstance(config, GRU4RecConfig)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('metric = "recall@10"\n[params.hidden]\ntype = "int"\nlow = 1\nhigh = 2\n', "'hidden'"),
        ('metric = "auc"\n[params.epochs]\ntype = "int"\nlow = 1\nhigh = 2\n', "metric 'auc'"),
        ('[params.epochs]\ntype = "int"\nlow = 3\nhigh = 2\n', "needs low < high"),
        ('[params.loss]\ntype = "categorical"\nchoices = []\n', "non-empty list"),
        ('[params.epochs]\ntype = "normal"\n', "type must be one of"),
        ("[fixed]\nepochs = 1\n", "nothing to search"),
        ("direction = 'minimize'\n", "unknown key 'direction'"),
    ],
)
def test_bad_space_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "space.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_space(path)


def test_search_resumes_from_its_storage(tmp_path: Path) -> None:
    log = write_generic_log(tmp_path / "clicks.csv")
    prepared = tmp_path / "prepared"
    assert run_cli("prep", "--data", str(log), "--preset", "loo", "--out", str(prepared)) == 0
    space = tmp_path / "space.toml"
    space.write_text(TINY_SPACE, encoding="utf-8")
    out = tmp_path / "search"
    storage = f"sqlite:///{out / 'optuna.db'}"
    common = ["tune", "--data-dir", str(prepared), "--space", str(space), "--storage", storage]

    assert run_cli(*common, "--trials", "2", "--out", str(out)) == 0
    assert run_cli(*common, "--trials", "1", "--out", str(out)) == 0

    study = optuna.load_study(study_name="sessrec-gru4rec", storage=storage)
    assert [trial.number for trial in study.trials] == [0, 1, 2]
    assert all(trial.state.name == "COMPLETE" for trial in study.trials)
    assert len({trial.params["learning_rate"] for trial in study.trials}) == 3

    best = GRU4RecConfig.from_toml(out / "best.toml")
    assert list(best.layers) == [int(study.best_trial.params["layers"])]
    assert best.learning_rate == pytest.approx(study.best_trial.params["learning_rate"])
    assert best.epochs == 1 and best.n_sample == 0

    trials = json.loads((out / "trials.json").read_text())
    assert [row["number"] for row in trials] == [0, 1, 2]
    summary = json.loads((out / "test_metrics.json").read_text())
    assert summary["trial"] == study.best_trial.number
    assert summary["valid_value"] == pytest.approx(study.best_value)
    assert summary["test"][0]["metrics"]["metrics"]["n_predictions"] == 40
