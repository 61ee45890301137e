"""SessionLog construction and every bad-input error of the batch API."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from loader_strategies import build_log

from native_loader import LoaderError, SessionLog, evaluation_batches, session_parallel_batches


def test_from_arrays_groups_contiguous_rows_into_sessions() -> None:
    log = SessionLog.from_arrays(
        np.array([42, 42, 7, 7, 7, 9]), np.array([3, 1, 4, 1, 5, 9]), np.array([5, 6, 1, 1, 2, 0])
    )

    assert log.session_ids.tolist() == [42, 7, 9]
    assert log.session_offsets.tolist() == [0, 2, 5, 6]
    assert log.start_times.tolist() == [5, 1, 0]
    assert (log.n_sessions, log.n_events, log.n_pairs) == (3, 6, 3)
    assert log.item_ids.dtype == np.int32 and log.session_offsets.dtype == np.int64
    assert issubclass(LoaderError, ValueError)


def test_from_parquet_reads_the_prepared_columns(tmp_path) -> None:
    table = pa.table(
        {
            "session_id": pa.array([1, 1, 2], pa.int64()),
            "item_id": pa.array([0, 2, 1], pa.int32()),
            "timestamp": pa.array([10, 20, 5], pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "train.parquet")

    log = SessionLog.from_parquet(tmp_path / "train.parquet")

    assert log.session_offsets.tolist() == [0, 2, 3]
    assert log.item_ids.tolist() == [0, 2, 1]
    assert log.start_times.tolist() == [10, 5]
    with pytest.raises(LoaderError, match="no column user"):
        SessionLog.from_parquet(tmp_path / "train.parquet", session_column="user")
    with pytest.raises(LoaderError, match="missing.parquet"):
        SessionLog.from_parquet(tmp_path / "missing.parquet")


@pytest.mark.parametrize(
    ("session_ids", "item_ids", "timestamps", "message"),
    [
        ([1, 2, 1], [0, 1, 2], None, "session 1 are not contiguous"),
        ([1, 1], [0, 1, 2], None, "session_ids has 2 rows but item_ids has 3"),
        ([1, 1, 2], [0, 1, 2], [5, 4, 1], "back in time inside session 1 at row 1"),
        ([1, 1], [0, -1], None, "item_ids must lie in"),
        ([1, 1], [0.5, 1.0], None, "item_ids must hold integers"),
    ],
)
def test_from_arrays_rejects_bad_columns(session_ids, item_ids, timestamps, message) -> None:
    times = None if timestamps is None else np.array(timestamps)
    with pytest.raises(LoaderError, match=message):
        SessionLog.from_arrays(np.array(session_ids), np.array(item_ids), times)


def test_constructor_rejects_inconsistent_offsets() -> None:
    with pytest.raises(LoaderError, match="rise strictly"):
        SessionLog(np.array([0, 2, 2, 3]), np.zeros(3, np.int32), np.array([1, 2, 3]))
    with pytest.raises(LoaderError, match="from 0 to n_events = 3"):
        SessionLog(np.array([0, 2]), np.zeros(3, np.int32), np.array([1]))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"batch_size": 0}, "batch_size must be at least 1, got 0"),
        ({"batch_size": 2.5}, "batch_size must be an integer"),
        ({"batch_size": 2, "order": "random"}, "order must be one of given, time, shuffle"),
        ({"batch_size": 2, "shard": (2, 2)}, "0 <= k < n"),
        ({"batch_size": 2, "shard": (3, 5)}, "shard 3 of 5 gets no session"),
        ({"batch_size": 2, "workers": 0}, "workers must be a positive integer"),
    ],
)
def test_training_batches_reject_bad_options(options, message) -> None:
    log = build_log([[1, 2], [3, 4], [5, 6]])
    with pytest.raises(LoaderError, match=message):
        session_parallel_batches(log, **options)


def test_training_batches_reject_short_sessions_empty_logs_and_missing_times() -> None:
    with pytest.raises(
        LoaderError, match=r"1 session\(s\) have a single event .*first: session 101"
    ):
        session_parallel_batches(build_log([[1, 2], [3]]), 2)
    empty = SessionLog.from_arrays(np.zeros(0, np.int64), np.zeros(0, np.int32))
    with pytest.raises(LoaderError, match="empty"):
        session_parallel_batches(empty, 2)
    with pytest.raises(LoaderError, match="empty"):
        evaluation_batches(empty, 2)
    untimed = SessionLog.from_arrays(np.array([1, 1]), np.array([1, 2]))
    with pytest.raises(LoaderError, match="needs start times"):
        session_parallel_batches(untimed, 2, order="time")
    with pytest.raises(LoaderError, match="batch_size must be at least 1"):
        evaluation_batches(build_log([[1, 2]]), -1)
