"""SessionLog: a session log as flat numpy arrays (offsets into one item array per event)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from native_loader.errors import LoaderError


@dataclass(frozen=True, eq=False)
class SessionLog:
    """Events grouped by session and ordered by time, stored as offsets into one item array.

    Session `s` holds the items `item_ids[session_offsets[s]:session_offsets[s + 1]]`; every
    session has at least one event, so `session_offsets` rises strictly from 0 to `n_events`.
    `session_ids` are unique; `start_times` (the time of each session's first event) may be None.
    """

    session_offsets: np.ndarray  # int64 [n_sessions + 1]
    item_ids: np.ndarray  # int32 [n_events]
    session_ids: np.ndarray  # int64 [n_sessions]
    start_times: np.ndarray | None = None  # int64 [n_sessions]

    def __post_init__(self) -> None:
        offsets = _as_array(self.session_offsets, np.int64, "session_offsets")
        items = _as_array(self.item_ids, np.int32, "item_ids")
        ids = _as_array(self.session_ids, np.int64, "session_ids")
        object.__setattr__(self, "session_offsets", offsets)
        object.__setattr__(self, "item_ids", items)
        object.__setattr__(self, "session_ids", ids)
        if self.start_times is not None:
            starts = _as_array(self.start_times, np.int64, "start_times")
            object.__setattr__(self, "start_times", starts)
        _validate(self)

    @property
    def n_sessions(self) -> int:
        """Number of sessions."""
        return len(self.session_ids)

    @property
    def n_events(self) -> int:
        """Number of events (items) over all sessions."""
        return len(self.item_ids)

    @property
    def n_pairs(self) -> int:
        """Number of (item, next item) pairs: each session of length L contributes L - 1."""
        return self.n_events - self.n_sessions

    @property
    def session_lengths(self) -> np.ndarray:
        """Events per session (int64 [n_sessions])."""
        return np.diff(self.session_offsets)

    @classmethod
    def from_arrays(
        cls,
        session_ids: np.ndarray,
        item_ids: np.ndarray,
        timestamps: np.ndarray | None = None,
    ) -> SessionLog:
        """Build a log from per-event columns already grouped by session and ordered by time.

        Raises LoaderError when a session's rows are not contiguous, when the columns differ
        in length, or when timestamps decrease inside a session.
        """
        session_column = np.asarray(session_ids)
        item_column = np.asarray(item_ids)
        if session_column.ndim != 1 or item_column.ndim != 1:
            raise LoaderError("session_ids and item_ids must be one-dimensional arrays")
        if len(session_column) != len(item_column):
            raise LoaderError(
                f"session_ids has {len(session_column)} rows but item_ids has {len(item_column)}"
            )

        boundaries = np.flatnonzero(session_column[1:] != session_column[:-1]) + 1
        n_events = len(session_column)
        starts = np.concatenate([[0], boundaries]) if n_events else np.zeros(0, np.int64)
        offsets = np.concatenate([starts, [n_events]]).astype(np.int64)
        ids = session_column[starts].astype(np.int64)
        _check_contiguous(ids)

        start_times = None
        if timestamps is not None:
            times = np.asarray(timestamps).astype(np.int64)
            if times.shape != session_column.shape:
                raise LoaderError(
                    f"timestamps has {len(times)} rows but session_ids has {n_events}"
                )
            within = np.ones(max(n_events - 1, 0), dtype=bool)
            within[boundaries - 1] = False
            backwards = np.flatnonzero((np.diff(times) < 0) & within)
            if len(backwards):
                row = int(backwards[0]) + 1
                raise LoaderError(
                    f"timestamps go back in time inside session {session_column[row]} at row "
                    f"{row}; sort events by session, then time"
                )
            start_times = times[starts]
        return cls(offsets, item_column, ids, start_times)

    @classmethod
    def from_parquet(
        cls,
        path: str | os.PathLike[str],
        session_column: str = "session_id",
        item_column: str = "item_id",
        time_column: str | None = "timestamp",
    ) -> SessionLog:
        """Read a Parquet file of events sorted by session, then time (time_column may be None)."""
        import pyarrow.parquet as parquet

        try:
            schema_names = parquet.read_schema(path).names
        except (OSError, ValueError) as error:
            raise LoaderError(f"{path}: cannot read Parquet file ({error})") from error
        wanted = [session_column, item_column] + ([time_column] if time_column else [])
        missing = [name for name in wanted if name not in schema_names]
        if missing:
            raise LoaderError(
                f"{path}: no column {', '.join(missing)} (columns: {', '.join(schema_names)})"
            )

        table = parquet.read_table(path, columns=wanted)
        columns = [table.column(name).to_numpy() for name in wanted]
        try:
            return cls.from_arrays(*columns)
        except LoaderError as error:
            raise LoaderError(f"{path}: {error}") from error


def _as_array(values: np.ndarray, dtype: type, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise LoaderError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size and not np.can_cast(array.dtype, dtype, casting="same_kind"):
        raise LoaderError(f"{name} must hold integers, got dtype {array.dtype}")
    if dtype is np.int32 and array.size and (array.min() < 0 or array.max() > 2**31 - 1):
        raise LoaderError(f"{name} must lie in 0..2**31-1, got {array.min()}..{array.max()}")
    return np.ascontiguousarray(array, dtype=dtype)


def _check_contiguous(session_ids: np.ndarray) -> None:
    unique_ids, counts = np.unique(session_ids, return_counts=True)
    if len(unique_ids) < len(session_ids):
        repeated = unique_ids[counts > 1][0]
        raise LoaderError(
            f"the rows of session {repeated} are not contiguous; group events by session first"
        )


def _validate(log: SessionLog) -> None:
    offsets = log.session_offsets
    if len(offsets) != len(log.session_ids) + 1:
        raise LoaderError(
            f"session_offsets needs n_sessions + 1 = {len(log.session_ids) + 1} entries, "
            f"got {len(offsets)}"
        )
    if offsets[0] != 0 or offsets[-1] != len(log.item_ids):
        raise LoaderError(f"session_offsets must run from 0 to n_events = {len(log.item_ids)}")
    if np.any(np.diff(offsets) < 1):
        raise LoaderError("session_offsets must rise strictly: every session needs an event")
    if log.start_times is not None and len(log.start_times) != len(log.session_ids):
        raise LoaderError("start_times needs one entry per session")
    _check_contiguous(log.session_ids)
