"""Built-in MovieLens readers and generic CSV/TSV/Parquet logs give the same prepared events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from sessrec.data import preset_options, resolve_source, run_engine
from sessrec.data.sources import read_item_metadata

ENGINES = ["polars", "pandas"]
# (user, item, rating, time): three users, four items; user 3 has a timestamp tie. Each user
# has four events, so two stay in train after leave-one-out twice (train needs two a session).
EVENTS = [
    (1, 40, 3.0, 50),
    (2, 30, 3.0, 60),
    (3, 40, 3.0, 70),
    (1, 10, 4.0, 100),
    (1, 20, 5.0, 200),
    (1, 30, 3.0, 300),
    (2, 20, 4.0, 150),
    (2, 10, 2.0, 250),
    (2, 40, 5.0, 350),
    (3, 30, 5.0, 120),
    (3, 10, 4.0, 120),
    (3, 20, 1.0, 400),
]


def prepared(path: Path, engine: str, columns: str | None = None, file_format: str | None = None):
    """Prepare with the loo preset (every rating, no cleansing, leave-one-out)."""
    source = resolve_source(path, file_format, columns)
    return run_engine(source, preset_options("loo", engine=engine))


def reference(engine: str, tmp_path: Path):
    """The same events read from an ML-1M style ratings.dat."""
    folder = tmp_path / "reference"
    folder.mkdir()
    lines = [f"{user}::{item}::{int(rating)}::{time}" for user, item, rating, time in EVENTS]
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n")
    return prepared(folder, engine)


def same(first, second) -> None:
    """Both results hold identical splits and items."""
    for name in ("train", "valid", "test"):
        assert first.split(name).equals(second.split(name)), name
    assert first.items.equals(second.items)


def test_reference_split_is_leave_one_out(tmp_path: Path) -> None:
    # Sessions are users 1..3 (ids 0..2), items 10..40 are ids 0..3; user 3's tie at time
    # 120 keeps file order (30 then 10), so 10 is its second-to-last event.
    result = reference("polars", tmp_path)

    assert result.test.select("session_id", "item_id").rows() == [(0, 2), (1, 3), (2, 1)]
    assert result.valid.select("session_id", "item_id").rows() == [(0, 1), (1, 0), (2, 0)]
    assert result.train.select("session_id", "item_id").rows() == [
        (0, 3),
        (0, 0),
        (1, 2),
        (1, 1),
        (2, 3),
        (2, 2),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_movielens_100k_folder(tmp_path: Path, engine: str) -> None:
    lines = [f"{user}\t{item}\t{int(rating)}\t{time}" for user, item, rating, time in EVENTS]
    (tmp_path / "u.data").write_text("\n".join(lines) + "\n")
    (tmp_path / "u.genre").write_text("unknown|0\nAction|1\nDrama|2\n\n")
    items = [
        f"{item}|Film {item} (1995)|01-Jan-1995||http://x|0|1|{item % 20 // 10}"
        for item in (10, 20, 30, 40)
    ]
    (tmp_path / "u.item").write_bytes(("\n".join(items) + "\n").encode("latin-1"))

    same(prepared(tmp_path, engine), reference(engine, tmp_path))
    titles = read_item_metadata(resolve_source(tmp_path))
    assert titles.row(0) == ("10", "Film 10 (1995)", "Action|Drama")
    assert titles.row(1) == ("20", "Film 20 (1995)", "Action")


@pytest.mark.parametrize("engine", ENGINES)
def test_movielens_csv_folder(tmp_path: Path, engine: str) -> None:
    lines = ["userId,movieId,rating,timestamp"]
    lines += [f"{user},{item},{rating},{time}" for user, item, rating, time in EVENTS]
    (tmp_path / "ratings.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "movies.csv").write_text('movieId,title,genres\n10,"Heat, The (1995)",Action\n')

    same(prepared(tmp_path, engine), reference(engine, tmp_path))
    titles = read_item_metadata(resolve_source(tmp_path))
    assert titles.row(0) == ("10", "Heat, The (1995)", "Action")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("file_format", ["csv", "tsv", "parquet"])
def test_generic_logs_with_a_column_mapping(tmp_path: Path, engine: str, file_format: str) -> None:
    frame = pl.DataFrame(
        {
            "visitor": [event[0] for event in EVENTS],
            "product": [event[1] for event in EVENTS],
            "stars": [event[2] for event in EVENTS],
            "when": [event[3] for event in EVENTS],
        }
    )
    path = tmp_path / f"log.{'txt' if file_format == 'tsv' else file_format}"
    if file_format == "parquet":
        frame = frame.with_columns(pl.from_epoch("when", time_unit="s"))
        frame.write_parquet(path)
    else:
        frame.write_csv(path, separator="\t" if file_format == "tsv" else ",")
    mapping = "session=visitor,item=product,time=when,rating=stars"

    result = prepared(path, engine, mapping, file_format)

    same(result, reference(engine, tmp_path))


@pytest.mark.parametrize("engine", ENGINES)
def test_text_keys_and_no_rating_column(tmp_path: Path, engine: str) -> None:
    lines = ["session_id,item_id,timestamp"]
    lines += [f"s{user},film-{item},{time}" for user, item, _, time in EVENTS]
    (tmp_path / "clicks.csv").write_text("\n".join(lines) + "\n")

    result = run_engine(
        resolve_source(tmp_path / "clicks.csv"), preset_options("loo", engine=engine, min_rating=3)
    )

    assert result.items["item_key"].to_list() == ["film-10", "film-20", "film-30", "film-40"]
    assert result.train["rating"].null_count() == result.train.height
    assert result.test.select("session_id", "item_id").rows() == [(0, 2), (1, 3), (2, 1)]


def test_timestamps_can_be_parquet_datetimes(tmp_path: Path) -> None:
    moment = datetime(2003, 2, 28, 17, 49, 50, tzinfo=UTC)
    frame = pl.DataFrame({"user": [1] * 4, "item": [5, 6, 7, 8], "time": [moment] * 4})
    frame.write_parquet(tmp_path / "log.parquet")

    result = run_engine(resolve_source(tmp_path / "log.parquet"), preset_options("loo"))

    assert result.test["timestamp"].to_list() == [int(moment.timestamp())]
    assert result.test["item_id"].to_list() == [3]


def test_data_may_name_the_movielens_file_itself(tmp_path: Path) -> None:
    (tmp_path / "ratings.dat").write_text("1::10::4::100\n")

    source = resolve_source(tmp_path / "ratings.dat")

    assert source.name == "movielens-dat"
    assert source.separator == "::"
