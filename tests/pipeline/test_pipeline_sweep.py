"""`sessrec sweep` end to end: two tiny configurations, one table and plot, resumable."""

from __future__ import annotations

import csv
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

from conftest import write_cyclic_movielens

from sessrec.cli import main

TINY_CONFIG = """
[gru4rec]
layers = [8]
n_sample = 0
epochs = 1
eval_batch_size = 64
jit_compile = false
"""
SWEEP = """
preset = "default"
batch_size = [4, 16]
min_item_support = 5
"""


def run_sweep(args: list[str]) -> str:
    with (
        mock.patch.object(sys, "argv", ["sessrec", "--quiet", "sweep", *args]),
        mock.patch("sys.stdout", new=StringIO()) as printed,
    ):
        try:
            main()
        except SystemExit as stop:
            assert not stop.code, printed.getvalue()
    return printed.getvalue()


def test_sweep_runs_each_config_and_compares_them(tmp_path: Path) -> None:
    data = write_cyclic_movielens(tmp_path / "cyclic-ml", users=30)
    (tmp_path / "tiny.toml").write_text(TINY_CONFIG, encoding="utf-8")
    (tmp_path / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "sweep"
    args = [str(tmp_path / "sweep.toml"), "--data", str(data), "--out", str(out)]
    args += ["--config", str(tmp_path / "tiny.toml"), "--bootstrap", "20"]

    printed = run_sweep(args)

    names = ["01_batch_size-4", "02_batch_size-16"]
    assert sorted(path.name for path in out.iterdir() if path.is_dir()) == names
    for name, batch_size in zip(names, (4, 16), strict=True):
        config = (out / name / "gru4rec" / "config.toml").read_text()
        assert f"batch_size = {batch_size}\n" in config and "layers = [\n    8,\n]" in config
        assert "min_item_support=5" in (out / name / "report.md").read_text()

    with open(out / "sweep.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["run"], row["model"], row["batch_size"]) for row in rows] == [
        ("01_batch_size-4", "gru4rec (warm-up)", "4"),
        ("02_batch_size-16", "gru4rec (warm-up)", "16"),
    ]
    assert all(float(row["recall@20"]) == 1.0 and row["best epoch"] == "1" for row in rows)
    assert (out / "sweep.png").stat().st_size > 1000
    assert "| 01_batch_size-4 " in printed
    assert "| 02_batch_size-16 " in (out / "sweep.md").read_text()

    # A second call keeps the finished runs instead of training them again.
    stamp = (out / names[0] / "meta.json").stat().st_mtime_ns
    run_sweep(args)
    assert (out / names[0] / "meta.json").stat().st_mtime_ns == stamp
