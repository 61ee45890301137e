"""Parse a `LogSource` with pandas, independently of the polars reader, with the same checks.

pandas' fast C parser cannot split on '::' either, so that separator is first replaced by a
control character the MovieLens files never contain.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from sessrec.data.sources import EARLIEST_SECOND, LATEST_SECOND, TIME_RANGE, LogSource
from sessrec.errors import DataError

PLACEHOLDER = "\x1f"
INTEGER = re.compile(r"-?\d+")


def read_events_pandas(source: LogSource) -> pd.DataFrame:
    """Columns `user_key`, `item_key`, `timestamp` (int64 s), `rating` (float32), `row`."""
    if not source.path.is_file():
        raise DataError(f"{source.path}: file not found")
    if source.kind == "parquet":
        raw = _read_parquet(source)
    elif source.has_header:
        raw = _read_with_header(source)
    else:
        raw = _read_without_header(source)
    raw["row"] = np.arange(len(raw), dtype=np.int64)
    events = _typed(raw, source)
    if len(events) == 0:
        raise DataError(f"{source.path}: the log holds no events")
    return events


def _single_byte_separated(source: LogSource) -> tuple[bytes, str]:
    """The file's bytes with a multi-character separator replaced by one control character."""
    data = source.path.read_bytes()
    if len(source.separator) > 1:
        return data.replace(source.separator.encode(), PLACEHOLDER.encode()), PLACEHOLDER
    return data, source.separator


def _read_text(
    source: LogSource,
    header: int | None,
    usecols: list | None = None,
    separated: tuple[bytes, str] | None = None,
) -> pd.DataFrame:
    data, separator = separated or _single_byte_separated(source)
    try:
        return pd.read_csv(
            io.BytesIO(data),
            sep=separator,
            header=header,
            usecols=usecols,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skip_blank_lines=False,
            quoting=3 if header is None else 0,
            engine="c",
        )
    except pd.errors.ParserError as error:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if match is None:
            raise DataError(f"{source.path}: cannot parse ({error})") from error
        expected, line, seen = match.groups()
        raise DataError(
            f"{source.path}, line {line}: expected {expected} fields separated by "
            f"{source.separator_name()}, found {seen}"
        ) from error
    except pd.errors.EmptyDataError as error:
        raise DataError(f"{source.path}: the log holds no events") from error
    except ValueError as error:
        raise DataError(f"{source.path}: {error}") from error


def _read_with_header(source: LogSource) -> pd.DataFrame:
    """All columns, so a long line raises; a short one reads as empty fields, so look closer."""
    raw = _read_text(source, header=0)
    if (raw == "").to_numpy().any():
        with open(source.path, encoding="utf-8", errors="replace", newline="") as stream:
            rows = list(csv.reader(stream, delimiter=source.separator))
        counts = np.array([len(row) for row in rows])
        short = np.flatnonzero((counts != counts[0]) & (counts > 0))
        if len(short):
            raise DataError(
                f"{source.path}, line {short[0] + 1}: expected {counts[0]} fields separated by "
                f"{source.separator_name()}, found {counts[short[0]]}"
            )
    roles = {str(column): role for role, column in source.columns.items()}
    return raw[list(roles)].rename(columns=roles)


def _read_without_header(source: LogSource) -> pd.DataFrame:
    """Every line must have exactly as many fields as the roles' largest position + 1."""
    field_count = max(int(position) for position in source.columns.values()) + 1
    separated = _single_byte_separated(source)
    data, separator = separated
    text = np.frombuffer(data, dtype=np.uint8)
    line_ends = np.flatnonzero(text == ord("\n"))
    if len(text) and text[-1] != ord("\n"):
        line_ends = np.append(line_ends, len(text))
    separator_lines = np.searchsorted(line_ends, np.flatnonzero(text == ord(separator)))
    counts = np.bincount(separator_lines, minlength=len(line_ends)) + 1
    bad = np.flatnonzero(counts != field_count)
    if len(bad):
        raise DataError(
            f"{source.path}, line {bad[0] + 1}: expected {field_count} fields separated by "
            f"{source.separator_name()}, found {counts[bad[0]]}"
        )
    raw = _read_text(source, header=None, separated=separated)
    return pd.DataFrame({role: raw[int(position)] for role, position in source.columns.items()})


def _read_parquet(source: LogSource) -> pd.DataFrame:
    names = {str(column): role for role, column in source.columns.items()}
    frame = pd.read_parquet(source.path, columns=list(names)).rename(columns=names)
    if pd.api.types.is_datetime64_any_dtype(frame["time"]):
        frame["time"] = frame["time"].astype("datetime64[s]").astype("int64")
    for role in names.values():
        frame[role] = frame[role].astype(str).where(frame[role].notna(), None)
    return frame


def _typed(raw: pd.DataFrame, source: LogSource) -> pd.DataFrame:
    header_lines = 1 if source.has_header else 0
    numbers = {}
    for role in ("time", "rating"):
        if role not in raw.columns:
            continue
        text = raw[role].astype("string").str.strip()
        numbers[role] = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy()
        if role == "time":
            # floor() keeps NaN and the infinities, so they fail both bounds.
            floored = np.floor(numbers[role])
            bad = ~((floored >= EARLIEST_SECOND) & (floored <= LATEST_SECOND))
        else:
            # A rating beyond float32's range would become infinite when stored.
            with np.errstate(over="ignore"):
                numbers[role] = numbers[role].astype(np.float32)
            bad = ~np.isfinite(numbers[role])
        bad_rows = np.flatnonzero(bad)
        if len(bad_rows):
            first = bad_rows[0]
            complaint = _complaint(role, text.iloc[first], numbers[role][first])
            raise DataError(
                f"{source.path}, line {first + 1 + header_lines}: the {role} field "
                f"{raw[role].iloc[first]!r} {complaint}"
            )
    keys = {role: raw[role].astype("string").str.strip() for role in ("session", "item")}
    if source.name.startswith("movielens"):
        for role, values in keys.items():
            bad = np.flatnonzero(~values.str.fullmatch(INTEGER.pattern).fillna(False).to_numpy())
            if len(bad):
                raise DataError(
                    f"{source.path}, line {bad[0] + 1 + header_lines}: the {role} field "
                    f"{values.iloc[bad[0]]!r} is not an integer (MovieLens ids are integers)"
                )
    for values in keys.values():
        empty = np.flatnonzero((values.isna() | (values == "")).to_numpy())
        if len(empty):
            raise DataError(
                f"{source.path}, line {empty[0] + 1 + header_lines}: a session/user or item "
                "field is empty"
            )
    rating = numbers.get("rating")
    return pd.DataFrame(
        {
            "user_key": _key_values(keys["session"]),
            "item_key": _key_values(keys["item"]),
            "timestamp": np.floor(numbers["time"]).astype(np.int64),
            "rating": rating if rating is not None else np.full(len(raw), np.nan, np.float32),
            "row": raw["row"].to_numpy(),
        }
    )


def _complaint(role: str, text: str, number: float) -> str:
    """Why a bad field is refused, in the polars reader's words.

    polars reads a time as int64 when it is an integer, else as the floor of a float;
    a time that neither way fits int64 is not a number to it, any other is out of range.
    """
    if np.isnan(number):
        return "is not a number"
    if role == "rating":
        return "is not a finite number"
    if INTEGER.fullmatch(text):
        fits = -(2**63) <= int(text) < 2**63
    else:
        fits = bool(np.isfinite(number)) and -(2**63) <= np.floor(number) < 2**63
    return f"is out of range ({TIME_RANGE})" if fits else "is not a number"


def _key_values(values: pd.Series) -> np.ndarray:
    """int64 when every key is an integer, else Python strings."""
    if values.str.fullmatch(INTEGER.pattern).all():
        return values.astype("int64").to_numpy()
    return values.to_numpy(dtype=object)
