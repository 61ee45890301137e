"""Item titles and genres from the MovieLens metadata files, keyed by the original item id."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import polars as pl

from sessrec.data.sources import LogSource
from sessrec.errors import DataError

logger = logging.getLogger(__name__)
METADATA_SCHEMA = {"item_key": pl.String, "title": pl.String, "genres": pl.String}


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
