"""Find the raw log: --data, then $SESSREC_DATA, then the cache, then a download of ML-1M.

The download comes from GroupLens with a progress bar, is checked against the published md5
and the release's row count, and is unpacked into the cache atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from sessrec.data.sources import (
    LogSource,
    detect_source,
    generic_source,
    parse_column_mapping,
)
from sessrec.errors import DataError
from sessrec.utils.atomic import atomic_folder
from sessrec.utils.progress import progress

logger = logging.getLogger(__name__)
BUILT_IN_FILES = ("ratings.dat", "u.data", "ratings.csv")
ML1M_URL = "https://files.grouplens.org/datasets/movielens/ml-1m.zip"
# GroupLens publishes this digest beside the archive as ml-1m.zip.md5.
ML1M_MD5 = "c4d9eecfca2ab87c1945afe126590906"
ML1M_FILES = ("ratings.dat", "movies.dat", "users.dat")
ML1M_RATING_LINES = 1_000_209
BLOCK = 1 << 16


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
        return download_movielens_1m(cache)
    except DataError as error:
        raise DataError(_where_to_put_it(cache, str(error))) from error


def _where_to_put_it(cache: Path, reason: str) -> str:
    return (
        f"MovieLens 1M not found and not downloaded ({reason}). Get "
        f"{ML1M_URL}, unpack ratings.dat, movies.dat and users.dat into {cache}, "
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


def download_movielens_1m(
    target: Path, url: str | None = None, md5: str | None = None, expected_lines: int | None = None
) -> Path:
    """Fetch the archive into a temporary file, verify it, and unpack it to `target`.

    The defaults are read from this module when called: the GroupLens address, its published
    md5 and the 1,000,209 lines of the release's ratings.dat.
    """
    url = url or ML1M_URL
    md5 = md5 or ML1M_MD5
    expected_lines = expected_lines or ML1M_RATING_LINES
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".ml-1m.", suffix=".zip", dir=target.parent)
    os.close(handle)
    try:
        digest = _fetch(url, Path(temporary))
        if digest != md5:
            raise DataError(
                f"the download from {url} is corrupt (md5 {digest}, expected {md5}); "
                "try again, or put the unpacked files in the folder yourself"
            )
        _unpack(Path(temporary), target, expected_lines)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    logger.info("MovieLens 1M is now in %s", target)
    return target


def _fetch(url: str, destination: Path) -> str:
    """Stream `url` into `destination` with a progress bar; return the md5 of the bytes."""
    digest = hashlib.md5()
    logger.info("downloading %s", url)
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(destination, "wb") as out:
            size = int(response.headers.get("Content-Length") or 0) or None
            with progress(total=size, unit="B", unit_scale=True, desc="ml-1m.zip") as bar:
                for block in iter(lambda: response.read(BLOCK), b""):
                    out.write(block)
                    digest.update(block)
                    bar.update(len(block))
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise DataError(f"cannot download {url} ({error})") from error
    return digest.hexdigest()


def _unpack(archive: Path, target: Path, expected_lines: int) -> None:
    """Extract the three .dat files (and README) into a temporary folder, then rename it."""
    try:
        with zipfile.ZipFile(archive) as bundle, atomic_folder(target) as folder:
            members = {
                Path(name).name: name for name in bundle.namelist() if not name.endswith("/")
            }
            missing = [name for name in ML1M_FILES if name not in members]
            if missing:
                raise DataError(f"{archive.name} lacks {', '.join(missing)}")
            for name in (*ML1M_FILES, "README"):
                if name in members:
                    with bundle.open(members[name]) as source, open(folder / name, "wb") as out:
                        shutil.copyfileobj(source, out)
            lines = _count_lines(folder / "ratings.dat")
            if lines != expected_lines:
                raise DataError(
                    f"the downloaded ratings.dat has {lines:,} lines, expected {expected_lines:,}"
                )
    except zipfile.BadZipFile as error:
        raise DataError(f"the downloaded archive is not a zip file ({error})") from error


def _count_lines(path: Path) -> int:
    with open(path, "rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
