"""The reference prep engine: the same rules as the polars engine, written again with pandas.

It shares no filtering, cleansing or splitting code with the polars engine, so the property
tests that compare the two catch a mistake in either.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import polars as pl

from sessrec.data.options import PrepOptions, SplitSpec
from sessrec.data.pandas_reader import read_events_pandas
from sessrec.data.prepared import EngineResult, StepLog
from sessrec.data.sources import LogSource
from sessrec.errors import DataError

logger = logging.getLogger(__name__)
# A training session needs two events to give one (input, next item) pair.
MIN_TRAIN_SESSION_LENGTH = 2
ORDER = ["session_id", "timestamp", "row"]


def prepare_pandas(source: LogSource, options: PrepOptions) -> EngineResult:
    """Run every prep step on `source` with pandas and return the three splits."""
    log = StepLog()
    events = read_events_pandas(source)
    log.record("read", len(events), len(events))

    if options.min_rating > 0 and events["rating"].notna().any():
        kept = events[events["rating"] >= options.min_rating]
        log.record("min_rating", len(events), len(kept))
        if len(kept) == 0:
            raise DataError(
                f"no events left after --min-rating {options.min_rating:g}; lower it (0 keeps all)"
            )
        events = kept
    events = _add_session_keys(events, options.session_gap_seconds())
    events = _cleanse(
        events, "session_key", options.min_session_length, options.min_item_support, "cleanse", log
    )
    if len(events) == 0:
        raise DataError(
            "no events left after cleansing; loosen --min-session-length, "
            "--min-item-support or --min-rating"
        )
    events = events.assign(session_id=pd.factorize(events["session_key"], sort=True)[0])
    events = events.sort_values(ORDER, kind="mergesort").reset_index(drop=True)

    spec = options.split_spec()
    rest, test = _split(events, spec)
    train, valid = _split(rest, spec)
    log.split_counts = {"train": len(train), "valid": len(valid), "test": len(test)}

    train = _cleanse(
        train,
        "session_id",
        max(MIN_TRAIN_SESSION_LENGTH, options.train_min_session_length),
        options.train_min_item_support,
        "train_cleanse",
        log,
    )
    if len(train) == 0:
        raise DataError("no training events left after cleansing; loosen --train-min-* options")
    known_items = set(train["item_key"].tolist())
    evaluation = {}
    for name, frame in (("valid", valid), ("test", test)):
        if options.unseen_items == "drop":
            kept = frame[frame["item_key"].isin(known_items)]
            log.record(f"{name}_unseen_items", len(frame), len(kept))
            frame = kept
        evaluation[name] = _cleanse(
            frame,
            "session_id",
            options.eval_min_session_length,
            options.eval_min_item_support,
            f"{name}_cleanse",
            log,
        )
    return _number_items(train, evaluation["valid"], evaluation["test"], options, log)


def _add_session_keys(events: pd.DataFrame, gap_seconds: int | None) -> pd.DataFrame:
    if gap_seconds is None:
        return events.assign(session_key=events["user_key"])
    ordered = events.sort_values(["user_key", "timestamp", "row"], kind="mergesort")
    user = ordered["user_key"].to_numpy()
    time = ordered["timestamp"].to_numpy()
    starts = np.ones(len(ordered), dtype=bool)
    starts[1:] = (user[1:] != user[:-1]) | (time[1:] - time[:-1] > gap_seconds)
    return ordered.assign(session_key=np.cumsum(starts))


def _cleanse(
    events: pd.DataFrame,
    session_column: str,
    min_length: int,
    min_support: int,
    step: str,
    log: StepLog,
) -> pd.DataFrame:
    """The notebook's loop: keep long-enough sessions, then supported items, until stable."""
    before = len(events)
    rounds = []
    while True:
        lengths = events.groupby(session_column)[session_column].transform("size")
        long_enough = events[lengths.to_numpy() >= min_length]
        supports = long_enough["item_key"].map(long_enough["item_key"].value_counts())
        supported = long_enough[supports.to_numpy() >= min_support]
        if len(supported) == len(events):
            break
        rounds.append(
            {
                "short_sessions": len(events) - len(long_enough),
                "rare_items": len(long_enough) - len(supported),
            }
        )
        events = supported
    log.record(step, before, len(events), rounds=rounds)
    return events


def _split(events: pd.DataFrame, spec: SplitSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(earlier, later); `events` are sorted by session id, time and file row."""
    if len(events) == 0:
        return events, events
    time = events["timestamp"]
    if spec.kind == "loo":
        later = events.groupby("session_id").cumcount(ascending=False).to_numpy() == 0
    elif spec.kind == "fraction":
        ordered = np.sort(time.to_numpy())
        later_count = max(1, round(spec.fraction * len(events)))
        later = (time >= ordered[max(0, len(events) - later_count)]).to_numpy()
    else:
        cut = int(time.max()) - round(spec.days * 86400)
        if spec.kind == "session-days":
            time = events.groupby("session_id")["timestamp"].transform("max")
        later = (time >= cut).to_numpy()
    return events[~later], events[later]


def _number_items(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    test: pd.DataFrame,
    options: PrepOptions,
    log: StepLog,
) -> EngineResult:
    if len(test) == 0:
        raise DataError(
            "the test split is empty after filtering; use a longer --split window "
            "or loosen the --eval-min-* options"
        )
    frames = [train] if options.unseen_items == "drop" else [train, valid, test]
    keys = pd.Index(sorted(pd.unique(pd.concat([frame["item_key"] for frame in frames])).tolist()))
    item_ids = pd.Series(np.arange(len(keys), dtype=np.int32), index=keys)
    counts = train["item_key"].value_counts().reindex(keys, fill_value=0)

    def converted(frame: pd.DataFrame) -> pl.DataFrame:
        frame = frame.assign(item_id=frame["item_key"].map(item_ids).to_numpy(np.int32))
        frame = frame.sort_values(ORDER, kind="mergesort")
        return pl.from_pandas(frame[["session_id", "item_id", "timestamp", "rating"]])

    items = pl.DataFrame(
        {
            "item_id": np.arange(len(keys), dtype=np.int32),
            "item_key": [str(key) for key in keys.tolist()],
            "train_count": counts.to_numpy(np.int64),
        }
    )
    rule = "train items only" if options.unseen_items == "drop" else "all items"
    return EngineResult(
        converted(train), converted(valid), converted(test), items=items, log=log, item_rule=rule
    )
