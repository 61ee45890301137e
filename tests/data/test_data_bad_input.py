"""Bad input gives one line naming the file, line or option, exit status 2, and no output folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sessrec.cli import main
from sessrec.data import prepare, preset_options, resolve_source, run_engine
from sessrec.errors import SessrecError

GOOD_LINES = ["1::10::4::1000", "1::20::5::1001", "2::10::3::1002"]
ENGINES = ["polars", "pandas"]


def ratings_folder(tmp_path: Path, lines: list[str]) -> Path:
    """A folder holding a ratings.dat with the given lines."""
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n")
    return folder


def engine_error(path: Path, engine: str, **options: object) -> str:
    """The message of the SessrecError that preparing `path` raises."""
    with pytest.raises(SessrecError) as caught:
        run_engine(resolve_source(path), preset_options("loo", engine=engine, **options))
    return str(caught.value)


def run_cli(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """Run `sessrec ARGUMENTS` in this process and return its exit status."""
    monkeypatch.setattr(sys, "argv", ["sessrec", "-q", *arguments])
    with pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code


@pytest.mark.parametrize("engine", ENGINES)
def test_malformed_line_is_named(tmp_path: Path, engine: str) -> None:
    folder = ratings_folder(tmp_path, [*GOOD_LINES[:2], "2::10::3", GOOD_LINES[2]])

    message = engine_error(folder, engine)

    assert "ratings.dat, line 3: expected 4 fields separated by '::', found 3" in message


@pytest.mark.parametrize("engine", ENGINES)
def test_wrong_separator_is_reported_on_the_first_line(tmp_path: Path, engine: str) -> None:
    folder = ratings_folder(tmp_path, [line.replace("::", ",") for line in GOOD_LINES])

    message = engine_error(folder, engine)

    assert "ratings.dat, line 1: expected 4 fields separated by '::', found 1" in message


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("bad_line", "found"), [("2:10:3:1002:7:8:9", 1), ("2::10::3:1002:7", 3), ("2::10:3::1002", 3)]
)
def test_single_colons_are_not_taken_for_the_double_separator(
    tmp_path: Path, engine: str, bad_line: str, found: int
) -> None:
    # polars scans '::' files as ':' with an empty field between fields; a line whose split
    # on ':' has the right count but a filled in-between field must still be refused.
    folder = ratings_folder(tmp_path, [*GOOD_LINES, bad_line])

    message = engine_error(folder, engine)

    assert f"ratings.dat, line 4: expected 4 fields separated by '::', found {found}" in message


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("bad_line", "field"), [("2::10::x::1003", "rating"), ("2::10::3::soon", "time")]
)
def test_non_numeric_field_is_named(tmp_path: Path, engine: str, bad_line: str, field: str) -> None:
    folder = ratings_folder(tmp_path, [*GOOD_LINES, bad_line])

    message = engine_error(folder, engine)

    assert f"ratings.dat, line 4: the {field} field" in message
    assert "is not a number" in message


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_result_after_filtering_names_the_option(tmp_path: Path, engine: str) -> None:
    folder = ratings_folder(tmp_path, GOOD_LINES)

    assert "--min-rating 6" in engine_error(folder, engine, min_rating=6)
    assert "no events left after cleansing" in engine_error(folder, engine, min_item_support=9)


def test_unknown_column_in_mapping_is_named(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("user,item,when\n1,2,3\n")

    with pytest.raises(SessrecError, match=r"--columns: time=stamp is not a column of .*log.csv"):
        resolve_source(log, None, "session=user,item=item,time=stamp")
    with pytest.raises(SessrecError, match=r"no column for time; name it with --columns"):
        resolve_source(log, None, None)
    with pytest.raises(SessrecError, match=r"--columns: cannot read 'when'"):
        resolve_source(log, None, "when")


def test_missing_data_is_one_line_and_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    status = run_cli(
        ["prep", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")], monkeypatch
    )

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error == f"error: --data {tmp_path / 'nowhere'}: no such file or folder"
    assert not (tmp_path / "o").exists()


def test_folder_without_a_known_log_says_what_it_expects(tmp_path: Path) -> None:
    with pytest.raises(SessrecError, match="holds no known log: expected ratings.dat"):
        resolve_source(tmp_path)


def test_bad_line_through_the_cli_leaves_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    folder = ratings_folder(tmp_path, [*GOOD_LINES, "2::oops"])
    out = tmp_path / "prepared"

    status = run_cli(
        ["prep", "--data", str(folder), "--out", str(out), "--preset", "loo"], monkeypatch
    )

    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith("error: ") and "line 4" in lines[0]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["raw"]


def test_bad_option_values_name_the_option() -> None:
    with pytest.raises(SessrecError, match="--split: cannot read 'weeks:2'"):
        preset_options("seed", split="weeks:2")
    with pytest.raises(SessrecError, match="--session: cannot read duration '30x'"):
        preset_options("seed", session="gap:30x")
    with pytest.raises(SessrecError, match="--min-item-support must be at least 1"):
        preset_options("seed", min_item_support=0)
    with pytest.raises(SessrecError, match="--preset: unknown preset 'best'"):
        preset_options("best")


@pytest.mark.parametrize("engine", ENGINES)
def test_blank_line_is_named(tmp_path: Path, engine: str) -> None:
    folder = ratings_folder(tmp_path, [GOOD_LINES[0], "", *GOOD_LINES[1:]])

    message = engine_error(folder, engine)

    assert "ratings.dat, line 2: expected 4 fields separated by '::', found 1" in message


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("bad_line", "field", "value"),
    [("12::abc::4::1003", "item", "abc"), ("x7::10::4::1003", "session", "x7")],
)
def test_movielens_ids_must_be_integers(
    tmp_path: Path, engine: str, bad_line: str, field: str, value: str
) -> None:
    folder = ratings_folder(tmp_path, [*GOOD_LINES, bad_line])

    message = engine_error(folder, engine)

    assert f"ratings.dat, line 4: the {field} field '{value}' is not an integer" in message


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("bad_line", "found"), [("v3,p4", 2), ("v3,p4,1003,9", 4)])
def test_csv_line_with_a_wrong_field_count_is_named(
    tmp_path: Path, engine: str, bad_line: str, found: int
) -> None:
    lines = ["visitor,product,ts", "v1,p1,1000", "v1,p2,1001", bad_line, "v2,p1,1002"]
    (tmp_path / "clicks.csv").write_text("\n".join(lines) + "\n")
    source = resolve_source(tmp_path / "clicks.csv", None, "session=visitor,item=product,time=ts")

    with pytest.raises(SessrecError) as caught:
        run_engine(source, preset_options("loo", engine=engine))

    assert f"clicks.csv, line 4: expected 3 fields separated by a comma, found {found}" in str(
        caught.value
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "time",
    ["99999999999999", "9223372036854775807", "-9223372036854775808", "-62135596801", "1e14"],
)
def test_time_outside_the_calendar_is_named(tmp_path: Path, engine: str, time: str) -> None:
    # Such times fit int64 but no date: they used to crash the report's date formatting.
    folder = ratings_folder(tmp_path, [*GOOD_LINES, "2::20::4::1003", f"3::10::4::{time}"])

    message = engine_error(folder, engine)

    assert message.endswith(
        f"ratings.dat, line 5: the time field '{time}' is out of range "
        "(must be between 0001-01-01 and 9999-12-31 in Unix seconds)"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("time", ["99999999999999999999999", "9223372036854775808", "inf", "nan"])
def test_time_beyond_int64_is_not_a_number(
    tmp_path: Path, engine: str, time: str, recwarn: pytest.WarningsRecorder
) -> None:
    folder = ratings_folder(tmp_path, [*GOOD_LINES, "2::20::4::1003", f"3::10::4::{time}"])

    message = engine_error(folder, engine)

    assert message.endswith(f"ratings.dat, line 5: the time field '{time}' is not a number")
    assert not [str(warning.message) for warning in recwarn]


@pytest.mark.parametrize("engine", ENGINES)
def test_times_before_1970_and_at_the_calendar_ends_are_kept(tmp_path: Path, engine: str) -> None:
    ends = {0: -62135596800, 1: -86400, 14: 253402300799}
    times = [ends.get(position, 1000 + position) for position in range(15)]
    lines = [f"{1 + p // 5}::{10 + p % 5}::4::{time}" for p, time in enumerate(times)]
    folder = ratings_folder(tmp_path, lines)

    report = prepare(resolve_source(folder), preset_options("loo", engine=engine))

    assert report.stats["train"]["first_time"] == "0001-01-01 00:00:00"
    assert report.stats["test"]["last_time"] == "9999-12-31 23:59:59"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("rating", "complaint"),
    [
        ("inf", "is not a finite number"),
        ("-inf", "is not a finite number"),
        ("1e39", "is not a finite number"),
        ("NaN", "is not a number"),
    ],
)
def test_rating_must_be_finite(
    tmp_path: Path, engine: str, rating: str, complaint: str, recwarn: pytest.WarningsRecorder
) -> None:
    folder = ratings_folder(tmp_path, [*GOOD_LINES, "2::20::4::1003", f"3::10::{rating}::1004"])

    message = engine_error(folder, engine)

    assert message.endswith(f"ratings.dat, line 5: the rating field '{rating}' {complaint}")
    assert not [str(warning.message) for warning in recwarn]
