"""Sweep files: scalars shared, lists as grid axes, [[runs]] as explicit configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessrec.errors import ConfigError
from sessrec.pipeline.sweep_spec import expand_sweep, load_sweep

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_lists_become_a_grid_and_scalars_are_shared() -> None:
    runs = expand_sweep(
        {"preset": "seed", "epochs": 2, "batch_size": [32, 64], "min_session_length": [2, 3]}
    )
    assert [run.name for run in runs] == [
        "01_batch_size-32_min_session_length-2",
        "02_batch_size-32_min_session_length-3",
        "03_batch_size-64_min_session_length-2",
        "04_batch_size-64_min_session_length-3",
    ]
    assert [(run.trainer["batch_size"], run.prep["min_session_length"]) for run in runs] == [
        (32, 2),
        (32, 3),
        (64, 2),
        (64, 3),
    ]
    assert all(run.trainer["epochs"] == 2 and run.preset == "seed" for run in runs)
    assert all(run.baselines == [] for run in runs)


def test_layers_list_is_one_value_and_a_list_of_lists_is_an_axis() -> None:
    single = expand_sweep({"layers": [100, 100]})
    assert len(single) == 1 and single[0].trainer["layers"] == [100, 100]

    grid = expand_sweep({"layers": [[64], [128, 128]]})
    assert [run.trainer["layers"] for run in grid] == [[64], [128, 128]]
    assert [run.name for run in grid] == ["01_layers-64", "02_layers-128x128"]


def test_explicit_runs_are_crossed_with_the_grid() -> None:
    runs = expand_sweep(
        {
            "epochs": 1,
            "learning_rate": [0.05, 0.1],
            "runs": [{"name": "ce", "loss": "cross-entropy"}, {"name": "bpr", "loss": "bpr-max"}],
        }
    )
    assert [run.name for run in runs] == [
        "01_ce_learning_rate-0.05",
        "02_ce_learning_rate-0.1",
        "03_bpr_learning_rate-0.05",
        "04_bpr_learning_rate-0.1",
    ]
    assert [run.trainer["loss"] for run in runs] == ["cross-entropy"] * 2 + ["bpr-max"] * 2
    assert runs[3].trainer == {"epochs": 1, "learning_rate": 0.1, "loss": "bpr-max"}


def test_run_overrides_win_over_shared_scalars() -> None:
    runs = expand_sweep({"epochs": 5, "runs": [{"epochs": 1}, {}]})
    assert [run.trainer["epochs"] for run in runs] == [1, 5]
    assert [run.name for run in runs] == ["01_run1", "02_run2"]


def test_unknown_key_names_the_file_and_key() -> None:
    with pytest.raises(ConfigError, match=r"my\.toml: unknown key 'batchsize'"):
        expand_sweep({"batchsize": [32, 64]}, source="my.toml")


def test_invalid_values_are_caught_before_anything_runs() -> None:
    with pytest.raises(ConfigError, match="loss"):
        expand_sweep({"loss": ["cross-entropy", "hinge"]})
    with pytest.raises(ConfigError, match="min-session-length"):
        expand_sweep({"min_session_length": [0, 2]})
    with pytest.raises(ConfigError, match="unknown preset"):
        expand_sweep({"preset": "nope"})
    with pytest.raises(ConfigError, match="empty list"):
        expand_sweep({"batch_size": []})


def test_bad_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sweep.toml"
    path.write_text("epochs = [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sweep.toml"):
        load_sweep(path)
    with pytest.raises(ConfigError, match="not found"):
        load_sweep(tmp_path / "missing.toml")


def test_shipped_examples_are_valid() -> None:
    examples = sorted((REPO_ROOT / "examples").glob("sweep-*.toml"))
    assert examples, "examples/ should ship at least one sweep file"
    for example in examples:
        assert load_sweep(example)
