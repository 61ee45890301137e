"""The polars and pandas engines agree on generated logs; outputs are cleansed and leak-free."""

from __future__ import annotations

import tempfile
from pathlib import Path

import hypothesis
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessrec.data import preset_options, resolve_source, run_engine
from sessrec.data.polars_engine import _keep_long_sessions, cleanse, cleanse_counting
from sessrec.data.prepared import StepLog
from sessrec.errors import DataError

DAY = 86_400
T0 = 1_100_000_000

# One event: user, item, rating and a jitter; `spread_in_time` lays the events over 12 days on
# a 6-hour grid, so equal timestamps are frequent and every split has something on each side.
events_strategy = st.tuples(
    st.integers(1, 4),
    st.integers(1, 6),
    st.integers(1, 5),
    st.integers(0, 2),
)
QUARTER_DAY = DAY // 4


def spread_in_time(events: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Give each (user, item, rating, jitter) a timestamp that grows with its position."""
    count = max(1, len(events))
    return [
        (user, item, rating, T0 + (position * 48 // count + jitter) * QUARTER_DAY)
        for position, (user, item, rating, jitter) in enumerate(events)
    ]


option_sets = st.fixed_dictionaries(
    {
        "min_rating": st.sampled_from([0, 2, 3]),
        "session": st.sampled_from(["user", "gap:1d", "gap:12h"]),
        "min_session_length": st.integers(1, 3),
        "min_item_support": st.integers(1, 2),
        "split": st.sampled_from(["days:2", "session-days:2", "fraction:0.25", "loo"]),
        "train_min_session_length": st.integers(1, 2),
        "train_min_item_support": st.integers(1, 2),
        "eval_min_session_length": st.integers(1, 2),
        "eval_min_item_support": st.integers(1, 2),
        "unseen_items": st.sampled_from(["drop", "keep"]),
    }
)


def write_log(folder: Path, events: list[tuple[int, int, int, int]]) -> Path:
    """Write events in the ML-1M `::` format and return the folder."""
    lines = [f"{user}::{item}::{rating}::{time}" for user, item, rating, time in events]
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n")
    return folder


def write_text_keyed_log(folder: Path, events: list[tuple[int, int, int, int]]) -> Path:
    """Write events as a CSV with a header and non-numeric keys; return the file."""
    lines = ["user,item,rating,time"]
    lines += [f"u{user},i{item},{rating},{time}" for user, item, rating, time in events]
    (folder / "log.csv").write_text("\n".join(lines) + "\n")
    return folder / "log.csv"


def outcome(path: Path, engine: str, options: dict) -> object:
    """The engine's result, or the text of the DataError it raised."""
    try:
        return run_engine(resolve_source(path), preset_options("seed", engine=engine, **options))
    except DataError as error:
        return str(error)


def check_cleansed(result, options: dict) -> None:
    """Cleansing the output again would change nothing, and items are where the rules put them."""
    train_items = set(result.train["item_id"].to_list())
    for name, prefix in (("train", "train"), ("valid", "eval"), ("test", "eval")):
        frame = result.split(name)
        if frame.height == 0:
            continue
        assert (
            frame.group_by("session_id").len()["len"].min()
            >= options[f"{prefix}_min_session_length"]
        )
        assert frame.group_by("item_id").len()["len"].min() >= options[f"{prefix}_min_item_support"]
        if options["unseen_items"] == "drop":
            assert set(frame["item_id"].to_list()) <= train_items
        assert frame.sort(["session_id", "timestamp"], maintain_order=True).equals(frame)
        again = cleanse(
            frame.rename({"item_id": "item_key"}),
            options[f"{prefix}_min_session_length"],
            options[f"{prefix}_min_item_support"],
            "again",
            StepLog(),
        )
        assert again.height == frame.height
    assert result.items["item_id"].to_list() == list(range(result.items.height))


def check_no_leakage(result, split: str) -> None:
    """Every train event is earlier than every test event it was split against."""
    train, valid, test = result.train, result.valid, result.test
    if split in ("days:2", "fraction:0.25"):
        for earlier, later in ((train, valid), (train, test), (valid, test)):
            if earlier.height and later.height:
                assert earlier["timestamp"].max() < later["timestamp"].min()
    elif split == "session-days:2":
        for earlier, later in ((train, valid), (train, test), (valid, test)):
            shared = set(earlier["session_id"]) & set(later["session_id"])
            assert not shared
    else:
        for earlier, later in ((train, valid), (train, test), (valid, test)):
            last_times = earlier.group_by("session_id").agg(pl.col("timestamp").max())
            joined = later.join(last_times, on="session_id", suffix="_earlier")
            assert (joined["timestamp"] >= joined["timestamp_earlier"]).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(events_strategy, min_size=10, max_size=80),
    options=option_sets,
    text=st.booleans(),
)
def test_engines_agree_on_generated_logs(events: list, options: dict, text: bool) -> None:
    events = spread_in_time(events)
    with tempfile.TemporaryDirectory() as folder:
        path = (
            write_text_keyed_log(Path(folder), events) if text else write_log(Path(folder), events)
        )
        fast = outcome(path, "polars", options)
        reference = outcome(path, "pandas", options)

    if isinstance(fast, str) or isinstance(reference, str):
        hypothesis.event("both engines refuse the log")
        assert fast == reference
        return
    hypothesis.event("both engines prepare the log")
    for name in ("train", "valid", "test"):
        assert fast.split(name).equals(reference.split(name)), name
    assert fast.items.equals(reference.items)
    assert fast.log.steps == reference.log.steps
    check_cleansed(fast, options)
    check_no_leakage(fast, options["split"])


@pytest.mark.parametrize("engine", ["polars", "pandas"])
def test_items_vanish_over_several_cleansing_rounds(tmp_path: Path, engine: str) -> None:
    # Each round's removal shortens the next session below 2 events: a, then b, then c go;
    # the last three sessions keep two train events after leave-one-out twice.
    sessions = [
        ["a"],
        ["a", "b"],
        ["b", "c"],
        ["c", "d"],
        ["d", "d", "d", "d"],
        ["f", "g", "f", "g"],
        ["g", "f", "g", "f"],
    ]
    lines = ["user,item,time"] + [
        f"u{number},{item},{T0 + position}"
        for number, items in enumerate(sessions)
        for position, item in enumerate(items)
    ]
    (tmp_path / "log.csv").write_text("\n".join(lines) + "\n")
    options = preset_options("loo", engine=engine, min_session_length=2, min_item_support=2)

    result = run_engine(resolve_source(tmp_path / "log.csv", None, "session=user"), options)

    cleanse = next(step for step in result.log.steps if step["step"] == "cleanse")
    assert cleanse["rounds"] == [
        {"short_sessions": 1, "rare_items": 1},
        {"short_sessions": 1, "rare_items": 1},
        {"short_sessions": 1, "rare_items": 1},
        {"short_sessions": 1, "rare_items": 0},
    ]
    assert result.items["item_key"].to_list() == ["d", "f", "g"]
    assert result.test["session_id"].to_list() == [0, 1, 2]


@pytest.mark.parametrize("engine", ["polars", "pandas"])
def test_gap_sessions_split_a_user_after_the_gap(tmp_path: Path, engine: str) -> None:
    times = [0, 60, 1800, 1900, 1900 + 1801, 1900 + 1801 + 10]
    lines = [
        f"1::{item}::5::{T0 + time}" for item, time in zip([1, 2, 3, 1, 4, 5], times, strict=True)
    ]
    lines += ["2::1::5::" + str(T0 + 5), "2::2::5::" + str(T0 + 4000)]
    write_log(tmp_path, [])
    (tmp_path / "ratings.dat").write_text("\n".join(lines) + "\n")
    options = preset_options("loo", engine=engine, session="gap:30m")

    result = run_engine(resolve_source(tmp_path), options)

    # User 1: gaps of 60 s, 1,740 s and 100 s stay inside, 1,801 s starts a second session;
    # user 2's 3,995 s gap makes two one-event sessions. Ids follow user, then start time.
    every = pl.concat([result.train, result.valid, result.test]).sort("session_id", "timestamp")
    assert every["session_id"].to_list() == [0, 0, 0, 0, 1, 1, 2, 3]


@pytest.mark.parametrize("engine", ["polars", "pandas"])
def test_train_drops_one_event_sessions_whatever_the_option(tmp_path: Path, engine: str) -> None:
    # Leave-one-out twice leaves session u0 one train event: it gives no training pair, so
    # train cleansing drops it even with train_min_session_length=1 (the loo preset's value).
    sessions = [["x", "y", "z"], ["x", "y", "x", "y"], ["y", "x", "y", "x"]]
    lines = ["user,item,time"] + [
        f"u{number},{item},{T0 + position}"
        for number, items in enumerate(sessions)
        for position, item in enumerate(items)
    ]
    (tmp_path / "log.csv").write_text("\n".join(lines) + "\n")
    options = preset_options("loo", engine=engine, train_min_session_length=1)

    result = run_engine(resolve_source(tmp_path / "log.csv", None, "session=user"), options)

    train_cleanse = next(step for step in result.log.steps if step["step"] == "train_cleanse")
    assert train_cleanse["rounds"] == [{"short_sessions": 1, "rare_items": 0}]
    assert result.train["session_id"].to_list() == [1, 1, 2, 2]
    assert result.valid["session_id"].to_list() == [0, 1, 2]
    assert result.test["session_id"].to_list() == [0, 1, 2]


def test_session_lengths_from_runs_match_grouping() -> None:
    # Sessions 7 and 9 are split into two runs each; without the sorted flag the filter must
    # group (7 has 3 events in all), with it the runs are the sessions.
    scattered = pl.DataFrame({"session_key": [7, 9, 7, 9, 7], "item_key": [1, 2, 3, 4, 5]})
    kept = _keep_long_sessions(scattered, "session_key", 3)
    assert kept["item_key"].to_list() == [1, 3, 5]

    ordered = scattered.sort("session_key", maintain_order=True).with_columns(
        pl.col("session_key").set_sorted()
    )
    assert _keep_long_sessions(ordered, "session_key", 3)["item_key"].to_list() == [1, 3, 5]
    assert _keep_long_sessions(ordered, "session_key", 2).height == 5
    assert _keep_long_sessions(ordered, "session_key", 4).height == 0


@pytest.mark.parametrize("min_support", [1, 2, 3])
def test_cleansing_returns_the_item_counts_of_its_result(min_support: int) -> None:
    # Item 3 is rare; once it goes, session 2 is short, which leaves item 2 only 2 events.
    events = pl.DataFrame(
        {
            "session_key": [1, 1, 1, 2, 2, 3, 3, 3, 4, 4],
            "item_key": [1, 2, 1, 2, 3, 1, 2, 1, 1, 1],
        }
    ).with_columns(pl.col("session_key").set_sorted())

    result, counts = cleanse_counting(events, 2, min_support, "test", StepLog())

    expected = result.group_by("item_key").len().rename({"len": "train_count"})
    assert counts.sort("item_key").to_dicts() == expected.sort("item_key").to_dicts()
    assert counts.schema["train_count"] == pl.Int64
    expected_items = {1: [1, 2, 3], 2: [1, 2], 3: [1]}[min_support]
    assert sorted(result["item_key"].unique().to_list()) == expected_items
