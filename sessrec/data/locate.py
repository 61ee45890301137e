"""Find the raw log: --data, then $SESSREC_DATA, then the cache, then a download of ML-1M."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sessrec.data import download as ml1m_download
from sessrec.data.sources import (
    LogSource,
    detect_source,
    generic_source,
    parse_column_mapping,
)
from sessrec.errors import DataError

logger = logging.getLogger(__name__)
BUILT_IN_FILES = ("ratings.dat", "u.data", "ratings.csv")


def cache_folder() -> Path:
    """Where a downloaded ML-1M lives: $SESSREC_CACHE/ml-1m, else ~/.cache/sessrec/ml-1m."""
    root = os.environ.get("SESSREC_CACHE") or Path.home() / ".cache" / "sessrec"
    return Path(root).expanduser() / "ml-1m"


def locate_data(data: str | Path | None = None, download: bool = True) -> Path:
    """The folder or file to read, trying each place in turn; download ML-1M as a last resort."""
    if data:
        path = Path(data).expanduser()
        if not path.exists():
            raise DataError(f"--data {path}: no such file or folder")
        return path
    environment = os.environ.get("SESSREC_DATA")
    if environment:
        path = Path(environment).expanduser()
        if not path.exists():
            raise DataError(f"SESSREC_DATA={environment}: no such file or folder")
        return path
    cache = cache_folder()
    if (cache / "ratings.dat").is_file():
        logger.info("using the cached MovieLens 1M in %s", cache)
        return cache
    if not download:
        raise DataError(_where_to_put_it(cache, "downloads are switched off"))
    try:
        return ml1m_download.download_movielens_1m(cache)
    except DataError as error:
        raise DataError(_where_to_put_it(cache, str(error))) from error


def _where_to_put_it(cache: Path, reason: str) -> str:
    return (
        f"MovieLens 1M not found and not downloaded ({reason}). Get "
        f"{ml1m_download.ML1M_URL}, unpack ratings.dat, movies.dat and users.dat into {cache}, "
        "or point SESSREC_DATA "
        "(or --data) at the folder that holds them"
    )


def resolve_source(
    path: Path, file_format: str | None = None, columns: str | None = None
) -> LogSource:
    """A LogSource for a folder (built-in MovieLens readers) or a single log file."""
    mapping = parse_column_mapping(columns)
    if path.is_dir():
        if file_format or mapping:
            raise DataError(f"--data {path} is a folder; --format/--columns need a single file")
        source = detect_source(path)
        if source is None:
            raise DataError(
                f"{path} holds no known log: expected ratings.dat (ML-1M/10M), u.data "
                "(ML-100K) or ratings.csv (ML-20M/25M/latest); or pass a CSV/TSV/Parquet file"
            )
        return source
    if path.name in BUILT_IN_FILES and not file_format and not mapping:
        source = detect_source(path.parent)
        if source is not None and source.path == path:
            return source
    return generic_source(path, file_format, mapping)
