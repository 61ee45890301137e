"""Write a prepared folder atomically: three splits, items.parquet and meta.json."""

from __future__ import annotations

import hashlib
import logging
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from sessrec import __version__
from sessrec.data.options import PrepOptions
from sessrec.data.result import SPLITS, EngineResult
from sessrec.data.sources import LogSource
from sessrec.utils.atomic import atomic_folder, write_json

logger = logging.getLogger(__name__)
LIBRARIES = ("polars", "pandas", "pyarrow", "numpy")
ITEM_RULES = {
    "drop": "ids 0..n_items-1 over train's items in key order; validation and test events "
    "whose item is not in train were removed, then those splits cleansed again",
    "keep": "ids 0..n_items-1 over the items of all three splits in key order; no event was "
    "removed for an item unseen in train (its train_count is 0)",
}


def write_prepared(
    folder: Path,
    result: EngineResult,
    item_metadata: pl.DataFrame,
    options: PrepOptions,
    source: LogSource,
    stats: dict[str, dict[str, Any]],
) -> Path:
    """Write everything into a temporary folder and rename it to `folder` at the end."""
    items = (
        result.items.join(item_metadata, on="item_key", how="left")
        .select("item_id", "item_key", "title", "genres", "train_count")
        .sort("item_id")
    )
    meta = {
        "format": "sessrec-prepared-1",
        "created": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "sessrec_version": __version__,
        "options": options.to_dict(),
        "source": {
            "reader": source.name,
            "path": str(source.path),
            "columns": {role: column for role, column in source.columns.items()},
        },
        "inputs": {str(path): sha256_of(path) for path in source.inputs()},
        "item_ids": {
            "over": result.item_rule,
            "rule": ITEM_RULES[options.unseen_items],
        },
        "n_items": items.height,
        "rows": {name: result.split(name).height for name in SPLITS},
        **result.log.to_dict(),
        "stats": stats,
        "versions": library_versions(),
    }
    with atomic_folder(folder) as temporary:
        for name in SPLITS:
            result.split(name).write_parquet(temporary / f"{name}.parquet")
        items.write_parquet(temporary / "items.parquet")
        write_json(temporary / "meta.json", meta)
    logger.info("wrote %s", folder)
    return folder


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Python and the versions of the libraries that shaped the output."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
