"""`sessrec run` end to end on a generated MovieLens-format log: every file of the run folder."""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from pathlib import Path
from unittest import mock

import polars as pl
import pytest
from conftest import write_cyclic_movielens

from sessrec.cli import main

BASELINES = ("pop", "markov", "itemknn", "vsknn")
TINY_CONFIG = """
[gru4rec]
layers = [16]
embedding = "constrained"
loss = "cross-entropy"
n_sample = 0
batch_size = 8
learning_rate = 0.2
momentum = 0.0
dropout_hidden = 0.0
epochs = 12
patience = 12
steps_per_call = 16
eval_batch_size = 64
jit_compile = false
seed = 7
"""


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the sessrec CLI in this process; return (exit status, stdout, stderr)."""
    with mock.patch.object(sys, "argv", ["sessrec", "--quiet", *args]):
        try:
            main()
            status = 0
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One tiny `sessrec run` shared by the tests of this module: (folder, printed output)."""
    root = tmp_path_factory.mktemp("run")
    data = write_cyclic_movielens(root / "cyclic-ml")
    config = root / "tiny.toml"
    config.write_text(TINY_CONFIG, encoding="utf-8")
    out = root / "run"
    args = ["--data", str(data), "--config", str(config), "--bootstrap", "50", "--out", str(out)]
    with mock.patch.object(sys, "argv", ["sessrec", "--quiet", "run", *args]):
        from io import StringIO

        with mock.patch("sys.stdout", new=StringIO()) as printed:
            try:
                main()
            except SystemExit as stop:
                assert not stop.code, printed.getvalue()
    return out, printed.getvalue()


def test_run_folder_holds_every_file(run_folder: tuple[Path, str]) -> None:
    folder, _ = run_folder
    expected = [
        "data/train.parquet",
        "data/valid.parquet",
        "data/test.parquet",
        "data/items.parquet",
        "data/meta.json",
        "gru4rec/config.toml",
        "gru4rec/history.json",
        "gru4rec/model/model.json",
        "gru4rec/model/items.parquet",
        *[f"baselines/{name}/model.json" for name in BASELINES],
        "metrics.json",
        "compare.md",
        "compare.png",
        "curves.png",
        "history.json",
        "meta.json",
        "report.md",
    ]
    missing = [name for name in expected if not (folder / name).is_file()]
    assert missing == []
    leftovers = [path.name for path in folder.parent.iterdir() if path.name.startswith(".")]
    assert leftovers == []


def test_metrics_cover_every_model_under_the_default_protocol(run_folder: tuple[Path, str]) -> None:
    folder, _ = run_folder
    metrics = json.loads((folder / "metrics.json").read_text())
    assert list(metrics["models"]) == ["gru4rec", *BASELINES]
    for results in metrics["models"].values():
        # Leave-one-out: one test event per user, scored after warm-up on its history.
        assert [result["warmup"] for result in results] == [True]
        values = results[0]["metrics"]["metrics"]
        assert values["n_predictions"] == 60
        assert results[0]["metrics"]["settings"]["exclude_seen"] is True
        assert values["recall@20"] == 1.0  # 12 movies: every target is within the top 20

    markov = metrics["models"]["markov"][0]["metrics"]["metrics"]
    assert markov["recall@1"] == 1.0 and markov["mrr@20"] == 1.0


def test_history_meta_and_config_describe_the_training(run_folder: tuple[Path, str]) -> None:
    folder, _ = run_folder
    history = json.loads((folder / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == list(range(1, 13))
    assert all(entry["train_loss"] > 0 and "valid" in entry for entry in history)

    config = tomllib.loads((folder / "gru4rec" / "config.toml").read_text())
    assert config["gru4rec"]["layers"] == [16] and config["gru4rec"]["epochs"] == 12

    meta = json.loads((folder / "meta.json").read_text())
    assert meta["command"].startswith("sessrec run --data ")
    assert meta["command"].endswith(f"--baselines pop,markov,itemknn,vsknn --out {folder}")
    assert list(meta["timings"])[:2] == ["prepare data", "train gru4rec"]
    assert {f"fit {name}" for name in BASELINES} <= set(meta["timings"])
    assert meta["data"]["preset"] == "default" and meta["config"]["layers"] == [16]

    items = pl.read_parquet(folder / "gru4rec" / "model" / "items.parquet")
    assert items.height == 12 and items["item_key"].to_list()[0] == "101"


def test_report_and_summary_show_the_table(run_folder: tuple[Path, str]) -> None:
    folder, printed = run_folder
    report = (folder / "report.md").read_text()
    json_meta = json.loads((folder / "meta.json").read_text())
    assert f"```bash\n{json_meta['command']}\n```" in report
    for heading in ("## Test results", "## GRU4Rec training", "## Data", "## Wall time"):
        assert heading in report
    for model in ("gru4rec", *BASELINES):
        assert f"\n| {model} " in report and f"\n| {model} " in printed
    assert "| train |" in report and "| test  |" in report
    assert f"report: {folder / 'report.md'}" in printed

    compare = (folder / "compare.md").read_text()
    table = [line for line in compare.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| Model ")
    assert [line.split("|")[1].strip() for line in table[1:]] == [
        f"{model} (warm-up)" for model in ("gru4rec", *BASELINES)
    ]


def test_recommend_returns_the_next_movie_of_the_cycle(
    run_folder: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = run_folder
    for model in (folder, folder / "baselines" / "markov"):
        status, out, err = run_cli(capsys, "recommend", str(model), "--items", "104,105,106")
        assert status == 0, err
        first = next(line for line in out.splitlines() if line.startswith("| 1 "))
        assert "| 107 " in first and "Movie 6 (1996)" in first

    status, out, err = run_cli(capsys, "recommend", str(folder), "--titles", "movie 3|Movie 4")
    assert status == 0, err
    rows = [line for line in out.splitlines() if line.startswith("| ") and "rank" not in line]
    assert len(rows) == 10 and "| 106 " in rows[0]
    assert all("| 104 " not in row and "| 105 " not in row for row in rows)


def test_recommend_reads_json_lines(
    run_folder: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, _ = run_folder
    lines = '{"items": [110, 111]}\n\n{"titles": ["Movie 11"], "id": "b"}\n'
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(lines))
    status, out, err = run_cli(capsys, "recommend", str(folder / "baselines/markov"), "--jsonl")
    assert status == 0, err
    answers = [json.loads(line) for line in out.splitlines()]
    assert [answer["session"] for answer in answers] == [[110, 111], [112]]
    assert [answer["recommendations"][0]["item_key"] for answer in answers] == [112, 101]
    assert answers[1]["id"] == "b" and len(answers[0]["recommendations"]) == 10


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('{"items": [110]}\n{"items": [110, 999]}\n', "error: stdin line 2: unknown item id '999'"),
        ('{"items": []}\n', "error: stdin line 1: the session is empty"),
        ('{"titles": ["No Such Film"]}\n', "error: stdin line 1: unknown title 'No Such Film'"),
    ],
)
def test_recommend_json_line_errors_name_the_line(
    run_folder: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lines: str,
    message: str,
) -> None:
    folder, _ = run_folder
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(lines))
    status, _, err = run_cli(capsys, "recommend", str(folder / "baselines/markov"), "--jsonl")
    assert status == 2
    assert err.startswith(message) and len(err.strip().splitlines()) == 1


def test_recommend_keeps_string_item_keys_as_strings(
    run_folder: tuple[Path, str], tmp_path: Path
) -> None:
    from sessrec.pipeline.recommend import Recommender

    folder, _ = run_folder
    copy = tmp_path / "markov"
    shutil.copytree(folder / "baselines" / "markov", copy)
    items = pl.read_parquet(copy / "items.parquet")
    keys = pl.lit("m") + pl.col("item_key").cast(pl.String)
    items.with_columns(item_key=keys).write_parquet(copy / "items.parquet")

    lines = ['{"items": ["m110", "m111"]}']
    answer = next(Recommender(copy).answer_json_lines(lines, k=1))
    assert answer["session"] == ["m110", "m111"]
    assert answer["recommendations"][0]["item_key"] == "m112"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--titles", "No Such Film"], "error: unknown title 'No Such Film'"),
        (["--titles", "movie"], "error: title 'movie' is ambiguous: it matches Movie 0 (1990)"),
        (["--items", "104,999"], "error: unknown item id '999'"),
        (["--items", "104", "--titles", "Movie 3"], "error: give exactly one of"),
        (["--items", " , "], "error: the session is empty"),
        (["--items", "104", "-k", "0"], "error: Invalid value for '-k'"),
    ],
)
def test_recommend_bad_input_is_one_clear_line(
    run_folder: tuple[Path, str], capsys: pytest.CaptureFixture[str], args: list, message: str
) -> None:
    folder, _ = run_folder
    status, _, err = run_cli(capsys, "recommend", str(folder), *args)
    assert status == 2
    assert err.startswith(message) and len(err.strip().splitlines()) == 1


def test_run_rejects_an_unknown_baseline_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_cli(capsys, "run", "--baselines", "pop,oracle", "--out", str(tmp_path))
    assert status == 2 and "unknown baseline 'oracle'" in err
    assert list(tmp_path.iterdir()) == []


def test_sweep_rejects_a_bad_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sweep = tmp_path / "sweep.toml"
    sweep.write_text("epochs = 1\nbatchsize = [8, 16]\n", encoding="utf-8")
    status, _, err = run_cli(capsys, "sweep", str(sweep), "--out", str(tmp_path / "out"))
    assert status == 2 and f"{sweep}: unknown key 'batchsize'" in err
    assert not (tmp_path / "out").exists()


def test_run_never_replaces_a_folder_that_is_not_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    status, _, err = run_cli(capsys, "run", "--baselines", "pop", "--out", str(tmp_path))
    assert status == 2 and "is not a sessrec run folder" in err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
