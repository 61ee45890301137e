"""A hand-worked example through every prep step, the written folder, and load_prepared."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import pytest

from sessrec.cli import main
from sessrec.data import load_prepared, prepare, preset_options, resolve_source, run_engine
from sessrec.data.prepared import EVENT_SCHEMA

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "tiny-ml"
T0 = 1_000_000_000
DAY = 86_400

# The tiny log, by hand: ratings below 3 go (user 1's item 30, user 3's item 20); user 3 is
# then a one-event session and item 40 has one event, so the first cleansing round drops both.
# Users 1, 2, 4 become sessions 0, 1, 2; items 10, 20, 30 become 0, 1, 2. The last event is at
# T0+9d+1, so test holds events from T0+7d+1 on; inside the rest (last event T0+6d+10) the
# validation cut is T0+4d+10. User 1's two test events share a timestamp and keep file order.
TINY_OPTIONS = dict(
    min_rating=3,
    min_session_length=2,
    min_item_support=2,
    split="days:2",
    train_min_session_length=2,
    train_min_item_support=1,
    eval_min_session_length=2,
    eval_min_item_support=1,
)
EXPECTED = {
    "train": [
        (0, 0, T0, 5.0),
        (0, 1, T0 + 100, 4.0),
        (1, 0, T0 + DAY, 3.0),
        (1, 1, T0 + DAY + 50, 5.0),
        (2, 2, T0 + 3 * DAY, 4.0),
        (2, 0, T0 + 3 * DAY + 1, 3.0),
    ],
    "valid": [(1, 2, T0 + 6 * DAY, 4.0), (1, 0, T0 + 6 * DAY + 10, 4.0)],
    "test": [
        (0, 1, T0 + 8 * DAY, 3.0),
        (0, 0, T0 + 8 * DAY, 4.0),
        (2, 1, T0 + 9 * DAY, 4.0),
        (2, 2, T0 + 9 * DAY + 1, 5.0),
    ],
}
EXPECTED_REMOVED = {
    "read": 0,
    "min_rating": 2,
    "cleanse": 2,
    "train_cleanse": 0,
    "valid_unseen_items": 0,
    "valid_cleanse": 0,
    "test_unseen_items": 0,
    "test_cleanse": 0,
}


def rows(frame: pl.DataFrame) -> list[tuple]:
    """The events as (session_id, item_id, timestamp, rating) tuples."""
    return [tuple(row) for row in frame.select(list(EVENT_SCHEMA)).iter_rows()]


@pytest.mark.parametrize("engine", ["polars", "pandas"])
@pytest.mark.parametrize("split", ["days:2", "fraction:0.25"])
def test_tiny_log_gives_the_hand_computed_splits(engine: str, split: str) -> None:
    # fraction:0.25 of the 12 cleansed events puts the cut at the 10th time in order, T0+8d;
    # the tie there pulls 4 events into test. Of the 8 left, the last 2 (T0+6d on) become
    # validation: the same splits as days:2 on this log.
    options = preset_options("seed", engine=engine, **{**TINY_OPTIONS, "split": split})
    result = run_engine(resolve_source(TINY), options)

    for name, expected in EXPECTED.items():
        assert rows(result.split(name)) == expected, name
    assert result.items.rows() == [(0, "10", 3), (1, "20", 2), (2, "30", 1)]
    removed = {step["step"]: step["removed"] for step in result.log.steps}
    assert removed == EXPECTED_REMOVED
    cleanse_step = next(step for step in result.log.steps if step["step"] == "cleanse")
    assert cleanse_step["rounds"] == [{"short_sessions": 1, "rare_items": 1}]


def test_written_folder_round_trips_through_load_prepared(tmp_path: Path) -> None:
    options = preset_options("seed", **TINY_OPTIONS)
    report = prepare(resolve_source(TINY), options, tmp_path / "prepared")
    dataset = load_prepared(report.folder)

    assert dataset.n_items == 3
    for name, expected in EXPECTED.items():
        assert dict(dataset.split(name).schema) == EVENT_SCHEMA
        assert rows(dataset.split(name)) == expected
    assert dataset.items["title"].to_list()[0] == "Café Society (1995)"
    assert dataset.items["genres"].to_list()[1] == "Animation|Comedy"
    assert dataset.items.schema["item_key"] == pl.String
    meta = json.loads((tmp_path / "prepared" / "meta.json").read_text())
    assert meta["options"]["split"] == "days:2"
    assert meta["rows"] == {"train": 6, "valid": 2, "test": 4}
    assert len(meta["inputs"]) == 2
    assert all(len(digest) == 64 for digest in meta["inputs"].values())
    assert report.stats["test"]["predictions"] == 4
    assert report.stats["valid"]["predictions"] == 2
    assert report.stats["test"]["predictions_without_warmup"] == 2
    assert report.stats["train"]["session_length_median"] == 2.0
    assert any("test split has only 4 predictions" in warning for warning in report.warnings)


def test_log_returns_a_session_log(tmp_path: Path) -> None:
    native_loader = pytest.importorskip("native_loader")
    if not hasattr(native_loader, "SessionLog"):
        pytest.skip("native_loader.SessionLog is not available yet")
    report = prepare(resolve_source(TINY), preset_options("seed", **TINY_OPTIONS), tmp_path / "p")

    log = load_prepared(report.folder).log("test")

    assert log.session_ids.tolist() == [0, 2]
    assert log.session_offsets.tolist() == [0, 2, 4]
    assert log.item_ids.tolist() == [1, 0, 1, 2]


def test_a_failed_prep_leaves_no_folder_behind(tmp_path: Path) -> None:
    options = preset_options("seed", **{**TINY_OPTIONS, "min_item_support": 100})

    with pytest.raises(Exception, match="no events left"):
        prepare(resolve_source(TINY), options, tmp_path / "prepared")

    assert list(tmp_path.iterdir()) == []


def test_cli_prints_the_statistics_and_writes_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in TINY_OPTIONS.items()]
    arguments = ["sessrec", "-q", "prep", "--data", str(TINY), "--out", str(tmp_path / "p")]
    monkeypatch.setattr(sys, "argv", [*arguments, *flags, "--engine", "pandas"])

    with pytest.raises(SystemExit) as exited:
        main()

    printed = capsys.readouterr().out
    assert exited.value.code == 0
    assert printed.splitlines()[1].split()[:5] == ["train", "6", "3", "3", "3"]
    assert "min_rating 2, cleanse 2" in printed
    meta = json.loads((tmp_path / "p" / "meta.json").read_text())
    assert meta["options"]["engine"] == "pandas"
    assert meta["options"]["min_item_support"] == 2


def test_cli_out_replaces_only_a_prepared_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in TINY_OPTIONS.items()]
    user_folder, user_file, prepared = tmp_path / "mine", tmp_path / "notes.txt", tmp_path / "p"
    user_folder.mkdir()
    (user_folder / "keep.txt").write_text("mine")
    user_file.write_text("mine")

    def status(out: Path) -> int:
        arguments = ["sessrec", "-q", "prep", "--data", str(TINY), "--out", str(out), *flags]
        monkeypatch.setattr(sys, "argv", arguments)
        with pytest.raises(SystemExit) as exited:
            main()
        return exited.value.code

    assert [status(prepared), status(prepared)] == [0, 0]
    capsys.readouterr()
    expected = {
        user_folder: f"error: option --out: {user_folder} holds other files and is not a "
        "prepared-data folder; choose a new or empty folder, or one written by sessrec prep",
        user_file: f"error: option --out: {user_file} is a file, not a prepared-data folder",
    }
    for out, message in expected.items():
        assert status(out) == 2
        assert capsys.readouterr().err.strip().splitlines() == [message]
    assert (user_folder / "keep.txt").read_text() == user_file.read_text() == "mine"
