"""Generated logs and prepared datasets for the training tests (no real data involved)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from native_loader import SessionLog
from sessrec.data.prepared import PreparedDataset


def cyclic_sessions(
    n_items: int, n_sessions: int, seed: int, first_session: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Sessions that walk the fixed cycle 0 → 1 → … → n_items-1 → 0 from a random start."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 9, size=n_sessions)
    starts = rng.integers(0, n_items, size=n_sessions)
    session_ids = np.repeat(np.arange(first_session, first_session + n_sessions), lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(lengths.sum()) - np.repeat(offsets, lengths)
    items = (np.repeat(starts, lengths) + position) % n_items
    return session_ids.astype(np.int64), items.astype(np.int32)


def cyclic_log(n_items: int, n_sessions: int, seed: int, first_session: int = 0) -> SessionLog:
    """A SessionLog of `cyclic_sessions`, with increasing timestamps."""
    session_ids, items = cyclic_sessions(n_items, n_sessions, seed, first_session)
    return SessionLog.from_arrays(session_ids, items, np.arange(len(items)))


def random_log(n_items: int, n_sessions: int, seed: int) -> SessionLog:
    """Sessions of 2 to 8 random items (nothing to learn beyond popularity)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 9, size=n_sessions)
    session_ids = np.repeat(np.arange(n_sessions), lengths)
    items = rng.integers(0, n_items, size=int(lengths.sum()))
    return SessionLog.from_arrays(session_ids, items, np.arange(len(items)))


def _frame(session_ids: np.ndarray, items: np.ndarray, time_offset: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "session_id": session_ids.astype(np.int64),
            "item_id": items.astype(np.int32),
            "timestamp": np.arange(len(items), dtype=np.int64) + time_offset,
            "rating": np.full(len(items), None, dtype=object),
        },
        schema={
            "session_id": pl.Int64,
            "item_id": pl.Int32,
            "timestamp": pl.Int64,
            "rating": pl.Float32,
        },
    )


def cyclic_dataset(folder: Path, n_items: int = 12, n_train: int = 60) -> PreparedDataset:
    """A prepared dataset in memory: cyclic train, valid and test sessions of new users."""
    train = _frame(*cyclic_sessions(n_items, n_train, seed=1), time_offset=0)
    valid = _frame(*cyclic_sessions(n_items, 10, seed=2, first_session=10_000), 100_000)
    test = _frame(*cyclic_sessions(n_items, 10, seed=3, first_session=20_000), 200_000)
    counts = np.bincount(train["item_id"].to_numpy(), minlength=n_items)
    items = pl.DataFrame(
        {
            "item_id": np.arange(n_items, dtype=np.int32),
            "item_key": [str(item + 1) for item in range(n_items)],
            "title": [f"Item {item}" for item in range(n_items)],
            "genres": ["Drama"] * n_items,
            "train_count": counts.astype(np.int64),
        }
    )
    meta = {"options": {"preset": "seed", "split": "days:2/1"}}
    folder.mkdir(parents=True, exist_ok=True)
    return PreparedDataset(folder, train, valid, test, items, meta)
