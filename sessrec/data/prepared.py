"""Read a prepared folder back: `load_prepared(folder)` is what every later stage calls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sessrec.data.result import EVENT_SCHEMA, SPLITS
from sessrec.errors import DataError

REQUIRED_FILES = (*[f"{name}.parquet" for name in SPLITS], "items.parquet", "meta.json")


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
