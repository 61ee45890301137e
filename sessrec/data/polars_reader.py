"""Parse a `LogSource` with polars into typed events, naming the first bad line on failure.

`scan_csv` cannot split on a two-character separator such as MovieLens' '::', so files without
a header are scanned as whole lines and split with polars string expressions. The fast path
is one lazy query from the file to typed columns; only when a check fails is the file scanned
again to quote the offending line.
"""

from __future__ import annotations

import csv
import logging
import math

import polars as pl

from sessrec.data.sources import EARLIEST_SECOND, LATEST_SECOND, TIME_RANGE, LogSource
from sessrec.errors import DataError

logger = logging.getLogger(__name__)
KEY_COLUMNS = {"session": "user_key", "item": "item_key"}


def read_events(source: LogSource) -> pl.DataFrame:
    """Columns `user_key`, `item_key`, `timestamp` (Int64 s), `rating` (Float32), in file order.

    Keys are integers when every key is one, else text.
    """
    if not source.path.is_file():
        raise DataError(f"{source.path}: file not found")
    fast = _fast_typed_read(source)
    if fast is not None:
        logger.info("read %s events from %s", f"{fast.height:,}", source.path)
        return fast
    raw = _raw_query(source)
    typed = _collect(raw.select(_typed_columns(raw.collect_schema().names())), source)
    if typed.height == 0:
        raise DataError(f"{source.path}: the log holds no events")
    _check(typed, raw, source)

    for role, column in KEY_COLUMNS.items():
        if typed[column].null_count():
            # Some key is not an integer: keep every key of this column as text.
            text = _collect(raw.select(_text(role)), source)[role]
            if source.name.startswith("movielens"):
                first = typed[column].is_null().arg_true()[0]
                line = typed["row"][first] + 1 + (1 if source.has_header else 0)
                raise DataError(
                    f"{source.path}, line {line}: the {role} field {text[first]!r} "
                    "is not an integer (MovieLens ids are integers)"
                )
            empty = (text.is_null() | (text == "")).arg_true()
            if empty.len():
                _raise_on_ragged_line(source)
                line = typed["row"][empty[0]] + 1 + (1 if source.has_header else 0)
                raise DataError(f"{source.path}, line {line}: the {role} field is empty")
            typed = typed.with_columns(text.alias(column))
    logger.info("read %s events from %s", f"{typed.height:,}", source.path)
    return typed.select("user_key", "item_key", "timestamp", "rating")


def _fast_typed_read(source: LogSource) -> pl.DataFrame | None:
    """The common case, a headerless file of integer fields: one typed, lazy CSV scan.

    A doubled separator such as '::' is scanned as ':' with an empty column between fields,
    which is faster than rewriting the bytes; those columns must then be empty. Anything
    unusual (a bad line, a text key, a fractional time) returns None, and the general path
    reads the file again and names the problem.
    """
    separator = source.separator
    doubled = len(separator) == 2 and separator[0] == separator[1]
    if source.kind != "text" or source.has_header or len(source.columns) != 4:
        return None
    if len(separator) != 1 and not doubled:
        return None
    # 32-bit keys parse faster; a key that does not fit falls back to the general path.
    types = {"session": pl.Int32, "item": pl.Int32, "time": pl.Int64, "rating": pl.Float32}
    schema: dict[str, pl.DataType] = {}
    for position, (role, _) in enumerate(sorted(source.columns.items(), key=lambda p: int(p[1]))):
        if doubled and position:
            schema[f"between_{position}"] = pl.Int8
        schema[role] = types[role]
    query = pl.scan_csv(
        source.path, has_header=False, separator=separator[0], quote_char=None, schema=schema
    )
    try:
        frame = query.collect()
    except pl.exceptions.PolarsError:
        return None
    # Null counts are kept with each column, so these checks cost nothing per row.
    between = [name for name in schema if name.startswith("between_")]
    if frame.height == 0 or any(frame[name].null_count() != frame.height for name in between):
        return None
    frame = frame.select(
        pl.col("session").alias("user_key"),
        pl.col("item").alias("item_key"),
        pl.col("time").alias("timestamp"),
        "rating",
    )
    if any(column.null_count() for column in frame.iter_columns()):
        return None
    if frame["rating"].is_nan().any() or frame["rating"].is_infinite().any():
        return None
    time_min, time_max = frame["timestamp"].min(), frame["timestamp"].max()
    if time_min < EARLIEST_SECOND or time_max > LATEST_SECOND:
        return None
    return frame


def _raw_query(source: LogSource) -> pl.LazyFrame:
    """A lazy frame with a `row` number and one text (or Parquet-typed) column per role."""
    names = {str(column): role for role, column in source.columns.items()}
    if source.kind == "parquet":
        query = pl.scan_parquet(source.path)
        time_column = str(source.columns["time"])
        if isinstance(query.collect_schema()[time_column], pl.Datetime):
            query = query.with_columns(pl.col(time_column).dt.epoch("s"))
        return query.with_row_index("row").select(
            "row", *[pl.col(column).alias(role) for column, role in names.items()]
        )
    if source.has_header:
        query = pl.scan_csv(source.path, separator=source.separator, infer_schema=False)
        return query.with_row_index("row").select(
            "row", *[pl.col(column).alias(role) for column, role in names.items()]
        )
    field_count = max(int(position) for position in source.columns.values()) + 1
    lines = pl.scan_csv(
        source.path,
        has_header=False,
        new_columns=["line"],
        separator="\x1f",
        quote_char=None,
        schema={"line": pl.String},
    ).with_row_index("row")
    fields = pl.col("line").str.split_exact(source.separator, field_count - 1)
    return lines.select(
        "row",
        "line",
        pl.col("line")
        .str.count_matches(source.separator, literal=True)
        .fill_null(0)
        .alias("separators"),
        *[fields.struct.field(f"field_{position}").alias(role) for position, role in names.items()],
    )


def _typed_columns(raw_columns: list[str]) -> list[pl.Expr]:
    """Casts that never fail: a field that does not parse becomes null and is reported later."""
    columns = [pl.col("row").cast(pl.Int64)]
    if "separators" in raw_columns:
        columns.append(pl.col("separators"))
    for role, column in KEY_COLUMNS.items():
        columns.append(_text(role).cast(pl.Int64, strict=False).alias(column))
    time = _text("time")
    time_number = pl.coalesce(
        time.cast(pl.Int64, strict=False),
        time.cast(pl.Float64, strict=False).floor().cast(pl.Int64, strict=False),
    )
    columns.append(time_number.alias("timestamp"))
    rating = (
        _text("rating").cast(pl.Float32, strict=False)
        if "rating" in raw_columns
        else pl.lit(None, dtype=pl.Float32)
    )
    columns.append(rating.alias("rating"))
    if "rating" in raw_columns:
        columns.append(rating.is_null().alias("rating_bad"))
    return columns


def _text(role: str) -> pl.Expr:
    return pl.col(role).cast(pl.String).str.strip_chars()


def _check(typed: pl.DataFrame, raw: pl.LazyFrame, source: LogSource) -> None:
    """Raise a DataError naming the first malformed line, if there is one."""
    header_lines = 1 if source.has_header else 0
    suspicious = typed["timestamp"].null_count() > 0
    if "rating_bad" in typed.columns:
        suspicious = suspicious or bool(typed["rating_bad"].any())
    if suspicious:
        _raise_on_ragged_line(source)
    if "separators" in typed.columns:
        field_count = max(int(position) for position in source.columns.values()) + 1
        bad_rows = typed.filter(pl.col("separators") != field_count - 1)
        if bad_rows.height:
            row = bad_rows["row"][0]
            line = _collect(raw.filter(pl.col("row") == row).select("line"), source)["line"][0]
            line = line or ""
            raise DataError(
                f"{source.path}, line {row + 1}: expected {field_count} fields separated by "
                f"{source.separator_name()}, found {bad_rows['separators'][0] + 1}: {line[:80]!r}"
            )
    time_bad = pl.col("timestamp").is_null() | ~pl.col("timestamp").is_between(
        EARLIEST_SECOND, LATEST_SECOND
    )
    checks = [("time", time_bad)]
    if "rating_bad" in typed.columns:
        rating_bad = pl.col("rating_bad") | ~pl.col("rating").is_finite()
        checks.append(("rating", rating_bad))
    for role, condition in checks:
        bad_rows = typed.filter(condition)
        if bad_rows.height:
            row = bad_rows["row"][0]
            value = _collect(raw.filter(pl.col("row") == row).select(role), source)[role][0]
            raise DataError(
                f"{source.path}, line {row + 1 + header_lines}: the {role} field {value!r} "
                f"{_complaint(role, bad_rows.row(0, named=True))}"
            )


def _complaint(role: str, typed_row: dict) -> str:
    """Why the typed values of a bad line are refused, worded as the pandas reader words it."""
    if role == "time":
        if typed_row["timestamp"] is None:
            return "is not a number"
        return f"is out of range ({TIME_RANGE})"
    if typed_row["rating_bad"] or math.isnan(typed_row["rating"]):
        return "is not a number"
    return "is not a finite number"


def _collect(query: pl.LazyFrame, source: LogSource) -> pl.DataFrame:
    try:
        return query.collect()
    except pl.exceptions.PolarsError as error:
        _raise_on_ragged_line(source)
        first_line = str(error).strip().splitlines()[0][:160]
        raise DataError(
            f"{source.path}: cannot parse as fields separated by {source.separator_name()} "
            f"({first_line})"
        ) from error


def _raise_on_ragged_line(source: LogSource) -> None:
    """In a CSV/TSV with a header, name the first line whose field count differs from it.

    polars fills a short line with nulls and stops on a long one without its number, so this
    slow scan runs only once something is already wrong.
    """
    if source.kind != "text" or not source.has_header:
        return
    with open(source.path, encoding="utf-8", errors="replace", newline="") as stream:
        lines = csv.reader(stream, delimiter=source.separator)
        expected = len(next(lines, []))
        for fields in lines:
            if fields and len(fields) != expected:
                raise DataError(
                    f"{source.path}, line {lines.line_num}: expected {expected} fields "
                    f"separated by {source.separator_name()}, found {len(fields)}"
                )
