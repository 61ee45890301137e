"""`sessrec run` on the real ML-1M files: one epoch, seed preset, two cheap baselines."""

from __future__ import annotations

import json
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest

from sessrec.cli import main

# A small, fast GRU4Rec: this test checks the pipeline on real data, not the model's quality.
LIGHT_CONFIG = """
[gru4rec]
layers = [32]
n_sample = 0
batch_size = 512
"""


@pytest.mark.slow
@pytest.mark.realdata
def test_one_epoch_run_on_ml1m(ml1m_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    config = tmp_path / "light.toml"
    config.write_text(LIGHT_CONFIG, encoding="utf-8")
    args = ["--data", str(ml1m_folder), "--preset", "seed", "--epochs", "1"]
    args += ["--config", str(config)]
    args += ["--baselines", "pop,markov", "--bootstrap", "100", "--out", str(out)]
    with (
        mock.patch.object(sys, "argv", ["sessrec", "--quiet", "run", *args]),
        mock.patch("sys.stdout", new=StringIO()) as printed,
    ):
        try:
            main()
        except SystemExit as stop:
            assert not stop.code, printed.getvalue()

    meta = json.loads((out / "data" / "meta.json").read_text())
    assert meta["stats"]["train"]["events"] == 833_300
    assert meta["stats"]["test"]["events"] == 489 and meta["stats"]["test"]["sessions"] == 41

    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["models"]) == ["gru4rec", "pop", "markov"]
    for results in metrics["models"].values():
        # The seed preset is reported with warm-up off (448 predictions) and on (489).
        counts = [result["metrics"]["metrics"]["n_predictions"] for result in results]
        assert [result["warmup"] for result in results] == [False, True]
        assert counts == [448, 489]
        assert all(result["metrics"]["settings"]["exclude_seen"] is False for result in results)

    history = json.loads((out / "history.json").read_text())
    assert len(history) == 1 and history[0]["train_loss"] > 0
    assert (out / "gru4rec" / "model" / "model.json").is_file()
    report = (out / "report.md").read_text()
    assert "| gru4rec (warm-up) " in report and "| markov " in report
    assert f"report: {out / 'report.md'}" in printed.getvalue()
