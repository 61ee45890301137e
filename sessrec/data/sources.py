"""What a raw log looks like: detect the MovieLens release in a folder, or map a generic file.

A `LogSource` says which file holds the events, how its fields are separated and which column
plays which role (session or user, item, time, optional rating). Each engine parses it with its
own code; item metadata (titles, genres) is read here, once, for both.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from sessrec.errors import DataError

logger = logging.getLogger(__name__)
ROLES = ("session", "item", "time", "rating")
REQUIRED_ROLES = ("session", "item", "time")
FORMATS = ("csv", "tsv", "parquet")
# The Unix seconds that Python's datetime can show: reports print times as calendar dates.
EARLIEST_SECOND = int(datetime(1, 1, 1, tzinfo=UTC).timestamp())
LATEST_SECOND = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
TIME_RANGE = "must be between 0001-01-01 and 9999-12-31 in Unix seconds"
MOVIELENS_COLUMNS = {"session": 0, "item": 1, "rating": 2, "time": 3}
MOVIELENS_CSV_COLUMNS = {
    "session": "userId",
    "item": "movieId",
    "rating": "rating",
    "time": "timestamp",
}
COMMON_NAMES = {
    "session": ("session_id", "SessionId", "session", "user_id", "userId", "UserId", "user"),
    "item": ("item_id", "ItemId", "item", "movieId", "MovieId", "movie_id"),
    "time": ("timestamp", "Timestamp", "time", "Time", "ts"),
    "rating": ("rating", "Rating", "score"),
}
METADATA_SCHEMA = {"item_key": pl.String, "title": pl.String, "genres": pl.String}


@dataclass(frozen=True)
class LogSource:
    """One event file and how to read it.

    `columns` maps each role to a column position (files without a header) or a column name;
    `rating` may be absent. `items_path` / `items_kind` point to optional item metadata.
    """

    name: str
    path: Path
    kind: str  # "text" (delimited, any separator) or "parquet"
    separator: str = ","
    has_header: bool = False
    columns: dict[str, int | str] = field(default_factory=dict)
    items_path: Path | None = None
    items_kind: str | None = None  # "ml-dat", "ml-csv" or "ml-100k"
    other_inputs: tuple[Path, ...] = ()

    def inputs(self) -> list[Path]:
        """Every file this source reads or describes, for meta.json's checksums."""
        paths = [self.path, *([self.items_path] if self.items_path else []), *self.other_inputs]
        return [path for path in paths if path.is_file()]

    def separator_name(self) -> str:
        """The separator as people write it in messages."""
        return {"\t": "a tab", ",": "a comma", "::": "'::'"}.get(
            self.separator, repr(self.separator)
        )


def detect_source(path: Path) -> LogSource | None:
    """The built-in MovieLens reader that fits the files in `path`, or None."""
    if (path / "ratings.dat").is_file():
        movies = path / "movies.dat"
        return LogSource(
            name="movielens-dat",
            path=path / "ratings.dat",
            kind="text",
            separator="::",
            columns=dict(MOVIELENS_COLUMNS),
            items_path=movies if movies.is_file() else None,
            items_kind="ml-dat",
            other_inputs=tuple(p for p in (path / "users.dat", path / "tags.dat") if p.is_file()),
        )
    if (path / "u.data").is_file():
        items = path / "u.item"
        return LogSource(
            name="movielens-100k",
            path=path / "u.data",
            kind="text",
            separator="\t",
            columns={"session": 0, "item": 1, "rating": 2, "time": 3},
            items_path=items if items.is_file() else None,
            items_kind="ml-100k",
            other_inputs=tuple(p for p in (path / "u.genre", path / "u.user") if p.is_file()),
        )
    if (path / "ratings.csv").is_file():
        movies = path / "movies.csv"
        return LogSource(
            name="movielens-csv",
            path=path / "ratings.csv",
            kind="text",
            separator=",",
            has_header=True,
            columns=dict(MOVIELENS_CSV_COLUMNS),
            items_path=movies if movies.is_file() else None,
            items_kind="ml-csv",
        )
    return None


def parse_column_mapping(text: str | None) -> dict[str, str]:
    """'session=user_id,item=movie,time=ts' -> {'session': 'user_id', ...}."""
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for part in text.split(","):
        role, equals, column = part.partition("=")
        role, column = role.strip(), column.strip()
        if not equals or role not in ROLES or not column:
            raise DataError(
                f"--columns: cannot read {part!r}; write ROLE=COLUMN with ROLE one of "
                f"{', '.join(ROLES)}, e.g. session=user_id,item=item_id,time=timestamp"
            )
        mapping[role] = column
    return mapping


def generic_source(path: Path, file_format: str | None, mapping: dict[str, str]) -> LogSource:
    """A CSV/TSV/Parquet log whose columns are named in `mapping` (or have common names)."""
    file_format = file_format or _format_from_suffix(path)
    if file_format not in FORMATS:
        raise DataError(f"--format must be one of {', '.join(FORMATS)}, got {file_format!r}")
    available = _column_names(path, file_format)
    columns: dict[str, int | str] = {}
    for role in ROLES:
        if role in mapping:
            if mapping[role] not in available:
                raise DataError(
                    f"--columns: {role}={mapping[role]} is not a column of {path} "
                    f"(it has: {', '.join(available)})"
                )
            columns[role] = mapping[role]
            continue
        guess = next((name for name in COMMON_NAMES[role] if name in available), None)
        if guess is not None:
            columns[role] = guess
        elif role in REQUIRED_ROLES:
            raise DataError(
                f"{path}: no column for {role}; name it with --columns {role}=COLUMN "
                f"(columns: {', '.join(available)})"
            )
    separator = "\t" if file_format == "tsv" else ","
    kind = "parquet" if file_format == "parquet" else "text"
    return LogSource(
        name=file_format,
        path=path,
        kind=kind,
        separator=separator,
        has_header=True,
        columns=columns,
    )


def _format_from_suffix(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "tsv", "parquet"):
        return suffix
    if suffix in ("tab", "txt"):
        return "tsv"
    raise DataError(f"{path}: cannot tell the format from the name; pass --format csv|tsv|parquet")


def _column_names(path: Path, file_format: str) -> list[str]:
    if file_format == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception as error:
            raise DataError(f"{path}: not a readable Parquet file ({error})") from error
    with open(path, encoding="utf-8", errors="replace") as stream:
        header = stream.readline().rstrip("\r\n")
    if not header:
        raise DataError(f"{path}: the file is empty; expected a header line with column names")
    separator = "\t" if file_format == "tsv" else ","
    return [name.strip().strip('"') for name in header.split(separator)]


def read_item_metadata(source: LogSource) -> pl.DataFrame:
    """`item_key`, `title`, `genres` (strings) for the source's items; empty when unknown."""
    if source.items_path is None or source.items_kind is None:
        return pl.DataFrame(schema=METADATA_SCHEMA)
    text = _decode(source.items_path)
    if source.items_kind == "ml-dat":
        rows = [line.split("::", 2) for line in text.splitlines() if line]
    elif source.items_kind == "ml-csv":
        rows = [row[:3] for row in csv.reader(io.StringIO(text))][1:]
    else:
        rows = _movielens_100k_rows(source.items_path, text)
    bad = next((number for number, row in enumerate(rows, 1) if len(row) < 3), None)
    if bad is not None:
        raise DataError(f"{source.items_path}, line {bad}: expected id, title and genres")
    frame = pl.DataFrame(
        {
            "item_key": [row[0].strip() for row in rows],
            "title": [row[1] for row in rows],
            "genres": [row[2] for row in rows],
        },
        schema=METADATA_SCHEMA,
    )
    logger.debug("read %d item titles from %s", frame.height, source.items_path)
    return frame.unique("item_key", keep="first", maintain_order=True)


def _decode(path: Path) -> str:
    """UTF-8 where it is valid (newer releases), else Latin-1 (ML-100K and ML-1M)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _movielens_100k_rows(path: Path, text: str) -> list[list[str]]:
    """u.item: id|title|date|video date|url|19 genre flags; genre names come from u.genre."""
    genre_file = path.with_name("u.genre")
    genre_names: list[str] = []
    if genre_file.is_file():
        for line in _decode(genre_file).splitlines():
            name, _, index = line.partition("|")
            if name and index.strip().isdigit():
                genre_names.append(name)
    rows = []
    for line in text.splitlines():
        if not line:
            continue
        fields = line.split("|")
        flags = fields[5:]
        genres = "|".join(
            name for name, flag in zip(genre_names, flags, strict=False) if flag.strip() == "1"
        )
        rows.append([fields[0], fields[1] if len(fields) > 1 else "", genres])
    return rows
