"""Hypothesis strategies and helpers for the native_loader tests: small generated session logs."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from native_loader import SessionLog


def session_lists(min_length: int = 2, max_sessions: int = 25) -> st.SearchStrategy:
    """Sessions as lists of item ids from a small vocabulary, so that items repeat often."""
    session = st.lists(st.integers(0, 12), min_size=min_length, max_size=7)
    return st.lists(session, min_size=1, max_size=max_sessions)


def build_log(
    sessions: list[list[int]],
    session_ids: list[int] | None = None,
    start_times: list[int] | None = None,
) -> SessionLog:
    """A SessionLog from Python lists, with time stamps rising by one inside each session."""
    ids = session_ids if session_ids is not None else [100 + i for i in range(len(sessions))]
    starts = start_times if start_times is not None else [0] * len(sessions)
    event_ids = [ids[index] for index, items in enumerate(sessions) for _ in items]
    event_items = [item for items in sessions for item in items]
    event_times = [
        starts[index] + offset
        for index, items in enumerate(sessions)
        for offset in range(len(items))
    ]
    return SessionLog.from_arrays(
        np.array(event_ids, np.int64), np.array(event_items, np.int32), np.array(event_times)
    )
