"""Parse a `LogSource` with polars into typed events, naming the first bad line on failure.

`scan_csv` cannot split on a two-character separator such as MovieLens' '::', so files without
a header are scanned as whole lines and split with polars string expressions; that also gives
every field's line number for free when a line is malformed.
"""

from __future__ import annotations

import logging

import polars as pl

from sessrec.data.sources import LogSource
from sessrec.errors import DataError

logger = logging.getLogger(__name__)
KEY_ROLES = ("session", "item")


def read_events(source: LogSource) -> pl.DataFrame:
    """Columns `user_key`, `item_key`, `timestamp` (Int64 s), `rating` (Float32), `row`."""
    if not source.path.is_file():
        raise DataError(f"{source.path}: file not found")
    if source.kind == "parquet":
        raw = _scan_parquet(source)
    elif source.has_header:
        raw = _scan_with_header(source)
    else:
        raw = _scan_lines(source)
    events = _typed(raw, source)
    if events.height == 0:
        raise DataError(f"{source.path}: the log holds no events")
    logger.info("read %s events from %s", f"{events.height:,}", source.path)
    return events


def _scan_lines(source: LogSource) -> pl.DataFrame:
    """Split each line on the separator; check every line has exactly the expected fields."""
    field_count = max(int(position) for position in source.columns.values()) + 1
    lines = pl.scan_csv(
        source.path,
        has_header=False,
        new_columns=["line"],
        separator="\x1f",
        quote_char=None,
        schema={"line": pl.String},
    ).with_row_index("row")
    parts = lines.with_columns(
        pl.col("line").str.count_matches(source.separator, literal=True).alias("separators"),
        pl.col("line").str.split_exact(source.separator, field_count - 1).alias("fields"),
    )
    frame = _collect(parts.unnest("fields"), source)
    bad = frame.filter(pl.col("separators") != field_count - 1).head(1)
    if bad.height:
        found = bad["separators"][0] + 1
        raise DataError(
            f"{source.path}, line {bad['row'][0] + 1}: expected {field_count} fields separated "
            f"by {source.separator_name()}, found {found}: {bad['line'][0][:80]!r}"
        )
    names = {f"field_{position}": role for role, position in source.columns.items()}
    return frame.select("row", *[pl.col(column).alias(role) for column, role in names.items()])


def _scan_with_header(source: LogSource) -> pl.DataFrame:
    """CSV/TSV with a header: every field read as text, typed afterwards."""
    names = {str(column): role for role, column in source.columns.items()}
    query = pl.scan_csv(source.path, separator=source.separator, infer_schema=False)
    query = query.with_row_index("row").select(
        "row", *[pl.col(column).alias(role) for column, role in names.items()]
    )
    return _collect(query, source)


def _scan_parquet(source: LogSource) -> pl.DataFrame:
    """Parquet keeps its own types; datetimes become Unix seconds."""
    names = {str(column): role for role, column in source.columns.items()}
    frame = _collect(
        pl.scan_parquet(source.path)
        .with_row_index("row")
        .select("row", *[pl.col(column).alias(role) for column, role in names.items()]),
        source,
    )
    if isinstance(frame.schema["time"], pl.Datetime):
        frame = frame.with_columns(pl.col("time").dt.epoch("s"))
    return frame.with_columns(pl.col(role).cast(pl.String) for role in names.values())


def _collect(query: pl.LazyFrame, source: LogSource) -> pl.DataFrame:
    try:
        return query.collect()
    except pl.exceptions.PolarsError as error:
        first_line = str(error).strip().splitlines()[0][:160]
        raise DataError(
            f"{source.path}: cannot parse as fields separated by {source.separator_name()} "
            f"({first_line})"
        ) from error


def _typed(raw: pl.DataFrame, source: LogSource) -> pl.DataFrame:
    """Cast the text fields; keys stay text only when some key is not an integer."""
    header_lines = 1 if source.has_header else 0
    typed = raw.with_columns(
        pl.col("time").str.strip_chars().cast(pl.Float64, strict=False).alias("time_number"),
        (
            pl.col("rating").str.strip_chars().cast(pl.Float32, strict=False)
            if "rating" in raw.columns
            else pl.lit(None, dtype=pl.Float32)
        ).alias("rating_number"),
        *[pl.col(role).str.strip_chars().alias(role) for role in KEY_ROLES],
    )
    checks = [("time", "time_number"), *([("rating", "rating_number")] * ("rating" in raw.columns))]
    for role, number in checks:
        bad = typed.filter(pl.col(number).is_null() | pl.col(number).is_nan()).head(1)
        if bad.height:
            line = bad["row"][0] + 1 + header_lines
            raise DataError(
                f"{source.path}, line {line}: the {role} field {bad[role][0]!r} is not a number"
            )
    empty = typed.filter(
        pl.any_horizontal(pl.col(role).is_null() | (pl.col(role) == "") for role in KEY_ROLES)
    )
    if empty.height:
        line = empty["row"][0] + 1 + header_lines
        raise DataError(f"{source.path}, line {line}: a session/user or item field is empty")
    keys = [
        _key_column(typed[role]).alias(f"{'user' if role == 'session' else role}_key")
        for role in KEY_ROLES
    ]
    return pl.DataFrame(
        [
            *keys,
            typed["time_number"].floor().cast(pl.Int64).alias("timestamp"),
            typed["rating_number"].alias("rating"),
            typed["row"].cast(pl.Int64).alias("row"),
        ]
    )


def _key_column(keys: pl.Series) -> pl.Series:
    """Integer keys when every key is an integer (so they sort numerically), else text."""
    as_integers = keys.cast(pl.Int64, strict=False)
    return as_integers if as_integers.null_count() == 0 else keys
