"""The prepared dataset: the engines' in-memory result, writing the folder and reading it back.

`load_prepared(folder)` is what every later stage calls.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from sessrec import __version__
from sessrec.data.options import PrepOptions
from sessrec.data.sources import LogSource
from sessrec.errors import DataError
from sessrec.utils.atomic import atomic_folder, check_output_folder, write_json

logger = logging.getLogger(__name__)
LIBRARIES = ("polars", "pandas", "pyarrow", "numpy")
PREPARED_FORMAT = "sessrec-prepared-1"
ITEM_RULES = {
    "drop": "ids 0..n_items-1 over train's items in key order; validation and test events "
    "whose item is not in train were removed, then those splits cleansed again",
    "keep": "ids 0..n_items-1 over the items of all three splits in key order; no event was "
    "removed for an item unseen in train (its train_count is 0)",
}

EVENT_SCHEMA = {
    "session_id": pl.Int64,
    "item_id": pl.Int32,
    "timestamp": pl.Int64,
    "rating": pl.Float32,
}
ITEM_SCHEMA = {"item_id": pl.Int32, "item_key": pl.String, "train_count": pl.Int64}
SPLITS = ("train", "valid", "test")
REQUIRED_FILES = (*[f"{name}.parquet" for name in SPLITS], "items.parquet", "meta.json")


@dataclass
class StepLog:
    """How many events each step removed, in order; both engines must produce the same log."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    split_counts: dict[str, int] = field(default_factory=dict)

    def record(self, step: str, before: int, after: int, **detail: Any) -> None:
        """Note that `step` took the event count from `before` to `after`, and log it."""
        entry = {"step": step, "removed": before - after, "remaining": after, **detail}
        self.steps.append(entry)
        rounds = detail.get("rounds")
        extra = f" in {len(rounds)} cleansing round(s)" if rounds else ""
        logger.info(
            "%-20s removed %9s events, %9s left%s", step, f"{before - after:,}", f"{after:,}", extra
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for meta.json."""
        return {"steps": self.steps, "split_counts": self.split_counts}


@dataclass
class EngineResult:
    """Train, validation and test events (EVENT_SCHEMA) plus items (ITEM_SCHEMA)."""

    train: pl.DataFrame
    valid: pl.DataFrame
    test: pl.DataFrame
    items: pl.DataFrame
    log: StepLog
    item_rule: str

    def split(self, name: str) -> pl.DataFrame:
        """One of the three splits by name."""
        return {"train": self.train, "valid": self.valid, "test": self.test}[name]

    def conformed(self) -> EngineResult:
        """The same result with the exact column order and dtypes of the folder contract."""
        frames = {
            name: self.split(name).select(
                pl.col(column).cast(dtype) for column, dtype in EVENT_SCHEMA.items()
            )
            for name in SPLITS
        }
        items = self.items.select(
            pl.col(column).cast(dtype) for column, dtype in ITEM_SCHEMA.items()
        )
        return EngineResult(**frames, items=items, log=self.log, item_rule=self.item_rule)


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
        "format": PREPARED_FORMAT,
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


def check_replaceable_output(folder: Path) -> None:
    """Refuse an --out path that is a file or a folder of other files: prep replaces it whole."""
    check_output_folder(folder, _is_prepared_folder, "a prepared-data folder", "sessrec prep")


def _is_prepared_folder(folder: Path) -> bool:
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("format") == PREPARED_FORMAT


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


@dataclass
class PreparedDataset:
    """The train, validation and test events of one prepared folder, with its items and meta."""

    folder: Path
    train: pl.DataFrame
    valid: pl.DataFrame
    test: pl.DataFrame
    items: pl.DataFrame
    meta: dict[str, Any]

    @property
    def n_items(self) -> int:
        """Number of item ids; every item_id lies in 0..n_items-1."""
        return self.items.height

    def split(self, name: str) -> pl.DataFrame:
        """The events of 'train', 'valid' or 'test'."""
        if name not in SPLITS:
            raise DataError(f"unknown split {name!r}; choose from {', '.join(SPLITS)}")
        return getattr(self, name)

    def log(self, name: str) -> Any:
        """The split as a `native_loader.SessionLog` (events grouped by session, time order)."""
        from native_loader import SessionLog

        frame = self.split(name)
        return SessionLog.from_arrays(
            frame["session_id"].to_numpy(),
            frame["item_id"].to_numpy(),
            frame["timestamp"].to_numpy(),
        )


def load_prepared(folder: str | Path) -> PreparedDataset:
    """Load a folder written by `sessrec prep`, checking the files and column types."""
    folder = Path(folder)
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise DataError(
            f"{folder} is not a prepared dataset (missing {', '.join(missing)}); "
            "create it with `sessrec prep --out FOLDER`"
        )
    frames = {name: _read_split(folder / f"{name}.parquet") for name in SPLITS}
    items = pl.read_parquet(folder / "items.parquet")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return PreparedDataset(folder=folder, items=items, meta=meta, **frames)


def _read_split(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    wrong = {
        column: str(frame.schema.get(column))
        for column, dtype in EVENT_SCHEMA.items()
        if frame.schema.get(column) != dtype
    }
    if wrong:
        raise DataError(f"{path}: unexpected column types {wrong}; prepare the folder again")
    return frame
