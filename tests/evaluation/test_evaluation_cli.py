"""`sessrec compare` and `sessrec evaluate` end to end on a generated MovieLens-format log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sessrec.cli import app
from sessrec.data import load_prepared, prepare, preset_options, resolve_source
from sessrec.errors import CheckpointError, ConfigError
from sessrec.evaluation.compare import compare_models, comparison_markdown, fit_baselines
from sessrec.evaluation.locate import find_data_folder, find_model_folder, model_name

N_MOVIES = 10


def write_cycle_log(folder: Path, users: int = 30) -> Path:
    """ratings.dat and movies.dat: each user rates movies i, i+1, ... (mod 10), none twice."""
    rng = np.random.default_rng(5)
    folder.mkdir(parents=True)
    lines = []
    for user in range(1, users + 1):
        start, length = int(rng.integers(N_MOVIES)), int(rng.integers(5, N_MOVIES + 1))
        for step in range(length):
            movie = 1 + (start + step) % N_MOVIES
            lines.append(f"{user}::{movie}::4::{978_300_000 + 1000 * user + step}")
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n", encoding="latin-1")
    movies = [f"{movie}::Movie {movie} (1999)::Drama" for movie in range(1, N_MOVIES + 1)]
    (folder / "movies.dat").write_text("\n".join(movies) + "\n", encoding="latin-1")
    return folder


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A leave-one-out prepared folder of the cycle log."""
    root = tmp_path_factory.mktemp("cycle")
    source = resolve_source(write_cycle_log(root / "raw"))
    prepare(source, preset_options("loo"), root / "prepared")
    return root / "prepared"


def test_compare_models_library(prepared):
    dataset = load_prepared(prepared)
    models = fit_baselines(dataset, ["pop", "markov"])
    rows = compare_models(dataset, models, warmups=(True,), exclude_seen=True, bootstrap=0)
    assert [row.label for row in rows] == ["pop (warm-up)", "markov (warm-up)"]
    assert rows[1].result["recall@1"] == 1.0  # the cycle's next movie, every time
    assert rows[1].result.n_predictions == 30
    assert "| markov (warm-up) | 1.0000" in comparison_markdown(rows)


def test_compare_then_evaluate_from_the_command_line(prepared, tmp_path):
    runner = CliRunner()
    out = tmp_path / "compare"
    arguments = ["compare", "--data-dir", str(prepared), "--out", str(out)]
    result = runner.invoke(app, [*arguments, "--baselines", "pop,markov", "--bootstrap", "50"])
    assert result.exit_code == 0, result.output
    assert "markov (warm-up)" in result.output
    assert (out / "compare.png").stat().st_size > 1000
    assert "Recall@20" in (out / "compare.md").read_text()
    metrics = json.loads((out / "metrics.json").read_text())
    assert [entry["warmup"] for entry in metrics["models"]["markov"]] == [True]  # loo data
    assert metrics["models"]["markov"][0]["metrics"]["metrics"]["mrr@20"] == 1.0
    again = runner.invoke(app, [*arguments, "--baselines", "pop", "--bootstrap", "0"])
    assert again.exit_code == 0, again.output  # its own earlier output may be written over

    model_folder = out / "baselines" / "markov"
    result = runner.invoke(app, ["evaluate", str(model_folder), "--cutoffs", "1,3"])
    assert result.exit_code == 0, result.output
    written = json.loads((model_folder / "metrics.json").read_text())
    assert written["data_dir"] == str(prepared.resolve())
    assert written["results"][0]["metrics"]["metrics"]["recall@1"] == 1.0
    assert written["results"][0]["metrics"]["settings"]["exclude_seen"] is True


def test_command_line_errors_name_the_problem(prepared, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", str(tmp_path)])
    assert isinstance(result.exception, CheckpointError)
    result = runner.invoke(
        app, ["compare", "--data-dir", str(prepared), "--out", str(tmp_path), "--baselines", "x"]
    )
    assert isinstance(result.exception, ConfigError)
    assert "unknown baseline 'x'" in str(result.exception)


def test_run_folders_lead_to_their_model_and_data(prepared, tmp_path):
    dataset = load_prepared(prepared)
    run = tmp_path / "run"
    shutil.copytree(prepared, run / "data")
    model = fit_baselines(dataset, ["pop"])["pop"]
    model.data_dir = None  # found through the run layout instead
    model.save(run / "gru4rec" / "model")
    model_folder = find_model_folder(run / "gru4rec")
    assert model_folder == run / "gru4rec" / "model"
    assert find_model_folder(run) == model_folder
    assert model_name(model_folder) == "gru4rec"
    assert find_data_folder(model_folder) == (run / "data").resolve()
    with pytest.raises(ConfigError, match="--data-dir"):
        find_data_folder(model_folder, tmp_path)


def test_saved_baselines_carry_the_item_map_for_recommend(prepared, tmp_path):
    from sessrec.pipeline.recommend import Recommender

    fit_baselines(load_prepared(prepared), ["markov"], tmp_path / "baselines")
    moved = tmp_path / "elsewhere" / "deep" / "markov"
    shutil.copytree(tmp_path / "baselines" / "markov", moved)

    recommender = Recommender(moved)
    session = recommender.session_ids(items=["1", "2", "3"])
    assert recommender.recommend(session, k=1)[0].title == "Movie 4 (1999)"


def test_compare_refuses_an_out_of_other_files_or_a_file(prepared, tmp_path):
    runner = CliRunner()
    (tmp_path / "keep.txt").write_text("mine\n")
    arguments = ["compare", "--data-dir", str(prepared), "--baselines", "pop"]
    result = runner.invoke(app, [*arguments, "--out", str(tmp_path)])
    assert isinstance(result.exception, ConfigError)
    assert f"option --out: {tmp_path} holds other files" in str(result.exception)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.txt"]

    result = runner.invoke(app, [*arguments, "--out", str(tmp_path / "keep.txt")])
    assert isinstance(result.exception, ConfigError)
    assert "keep.txt is a file, not a compare output folder" in str(result.exception)


@pytest.mark.parametrize("command", ["evaluate", "compare"])
def test_negative_bootstrap_is_a_usage_error(prepared, tmp_path, command):
    arguments = {
        "evaluate": ["evaluate", str(tmp_path)],
        "compare": ["compare", "--data-dir", str(prepared), "--out", str(tmp_path / "out")],
    }[command]
    result = CliRunner().invoke(app, [*arguments, "--bootstrap", "-1"])
    assert result.exit_code == 2
    assert "--bootstrap" in result.output and not (tmp_path / "out").exists()
