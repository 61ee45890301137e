"""The default prep engine: rating filter, sessions, cleansing, split and ids as polars queries.

Each step is a lazy query over the frame the step before produced (the read itself is one lazy
scan of the file). Frames are collected between steps because every step reports how many
events it removed, and a cleansing round must see its count to know the fixed point is reached.
"""

from __future__ import annotations

import logging

import polars as pl

from sessrec.data.options import PrepOptions, SplitSpec
from sessrec.data.polars_reader import read_events
from sessrec.data.prepared import EngineResult, StepLog
from sessrec.data.sources import LogSource
from sessrec.errors import DataError

logger = logging.getLogger(__name__)
# A training session needs two events to give one (input, next item) pair.
MIN_TRAIN_SESSION_LENGTH = 2
SECONDS_PER_DAY = 86400


def prepare_polars(source: LogSource, options: PrepOptions) -> EngineResult:
    """Run every prep step on `source` with polars and return the three splits."""
    log = StepLog()
    events = read_events(source)
    log.record("read", events.height, events.height)

    events = _filter_rating(events, options.min_rating, log)
    events = _sessions(events, options.session_gap_seconds())
    events = cleanse(events, options.min_session_length, options.min_item_support, "cleanse", log)
    events = _number_sessions(events)

    spec = options.split_spec()
    rest, test = split_events(events, spec)
    train, valid = split_events(rest, spec)
    log.split_counts = {"train": train.height, "valid": valid.height, "test": test.height}
    logger.info(
        "split %s: train %s, valid %s, test %s",
        options.split,
        *map("{:,}".format, log.split_counts.values()),
    )

    train = cleanse(
        train,
        max(MIN_TRAIN_SESSION_LENGTH, options.train_min_session_length),
        options.train_min_item_support,
        "train_cleanse",
        log,
    )
    if train.height == 0:
        raise DataError("no training events left after cleansing; loosen --train-min-* options")
    evaluation = {}
    for name, frame in (("valid", valid), ("test", test)):
        if options.unseen_items == "drop":
            kept = frame.filter(pl.col("item_key").is_in(train["item_key"].implode()))
            log.record(f"{name}_unseen_items", frame.height, kept.height)
            frame = kept
        evaluation[name] = cleanse(
            frame,
            options.eval_min_session_length,
            options.eval_min_item_support,
            f"{name}_cleanse",
            log,
        )
    return _with_item_ids(train, evaluation["valid"], evaluation["test"], options, log)


def _filter_rating(events: pl.DataFrame, min_rating: float, log: StepLog) -> pl.DataFrame:
    if min_rating <= 0:
        return events
    if events["rating"].null_count() == events.height:
        logger.warning("the log has no ratings, so --min-rating %s keeps every event", min_rating)
        return events
    kept = events.lazy().filter(pl.col("rating") >= min_rating).collect()
    log.record("min_rating", events.height, kept.height)
    if kept.height == 0:
        raise DataError(f"no events left after --min-rating {min_rating:g}; lower it (0 keeps all)")
    return kept


def _sessions(events: pl.DataFrame, gap_seconds: int | None) -> pl.DataFrame:
    """Add `session_key`: the user key, or a running number that grows after each long gap."""
    if gap_seconds is None:
        return events.with_columns(pl.col("user_key").alias("session_key"))
    query = (
        events.lazy()
        .sort(["user_key", "timestamp"], maintain_order=True)
        .with_columns(
            (
                (pl.col("user_key") != pl.col("user_key").shift(1))
                | (pl.col("timestamp") - pl.col("timestamp").shift(1) > gap_seconds)
            )
            .fill_null(True)
            .cum_sum()
            .alias("session_key")
        )
    )
    return query.collect()


def cleanse(
    events: pl.DataFrame, min_length: int, min_support: int, step: str, log: StepLog
) -> pl.DataFrame:
    """Drop short sessions, then rare items, again and again until nothing changes."""
    session_column = "session_id" if "session_id" in events.columns else "session_key"
    before = events.height
    rounds = []
    while True:
        short = events.lazy().filter(pl.len().over(session_column) >= min_length).collect()
        rare = short.lazy().filter(pl.len().over("item_key") >= min_support).collect()
        if rare.height == events.height:
            break
        rounds.append(
            {
                "short_sessions": events.height - short.height,
                "rare_items": short.height - rare.height,
            }
        )
        events = rare
    log.record(step, before, events.height, rounds=rounds)
    return events


def _number_sessions(events: pl.DataFrame) -> pl.DataFrame:
    """Dense session ids in key order (user, then start time), events in stable time order."""
    if events.height == 0:
        raise DataError(
            "no events left after cleansing; loosen --min-session-length, "
            "--min-item-support or --min-rating"
        )
    query = (
        events.lazy()
        .sort(_session_time_key(events), maintain_order=True)
        .with_columns(
            (pl.col("session_key") != pl.col("session_key").shift(1))
            .fill_null(True)
            .cum_sum()
            .sub(1)
            .cast(pl.Int64)
            .alias("session_id")
        )
    )
    return query.collect()


def _session_time_key(events: pl.DataFrame) -> pl.Expr | list[str]:
    """One integer sort key (session, then time) when it fits in 63 bits, else two columns.

    Sorting on one integer is about twice as fast; `maintain_order` keeps the file order of
    equal timestamps either way, because the frame is still in file order within a session.
    """
    if events.schema["session_key"].is_integer():
        first_key, last_key = events["session_key"].min(), events["session_key"].max()
        first_time, last_time = events["timestamp"].min(), events["timestamp"].max()
        span = last_time - first_time + 1
        if (last_key - first_key + 1) * span < 2**62:
            session = pl.col("session_key").cast(pl.Int64) - first_key
            return session * span + (pl.col("timestamp") - first_time)
    return ["session_key", "timestamp"]


def split_events(events: pl.DataFrame, spec: SplitSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(earlier, later) by the split rule; events must be sorted by session and time."""
    if events.height == 0:
        return events, events
    if spec.kind == "loo":
        # Events are grouped by session in time order: the last one is where the id changes.
        is_later = (pl.col("session_id") != pl.col("session_id").shift(-1)).fill_null(True)
    elif spec.kind == "fraction":
        times = events["timestamp"].sort()
        later_count = max(1, round(spec.fraction * events.height))
        cut = times[max(0, events.height - later_count)]
        is_later = pl.col("timestamp") >= cut
    else:
        cut = events["timestamp"].max() - round(spec.days * SECONDS_PER_DAY)
        time = (
            pl.col("timestamp")
            if spec.kind == "days"
            else pl.col("timestamp").max().over("session_id")
        )
        is_later = time >= cut
    marked = events.lazy().with_columns(is_later.alias("is_later")).collect()
    later = marked.filter(pl.col("is_later")).drop("is_later")
    return marked.filter(~pl.col("is_later")).drop("is_later"), later


def _with_item_ids(
    train: pl.DataFrame,
    valid: pl.DataFrame,
    test: pl.DataFrame,
    options: PrepOptions,
    log: StepLog,
) -> EngineResult:
    """Dense item ids in key order, over train's items or (unseen_items='keep') all items."""
    if test.height == 0:
        raise DataError(
            "the test split is empty after filtering; use a longer --split window "
            "or loosen the --eval-min-* options"
        )
    counts = train.lazy().group_by("item_key").agg(pl.len().cast(pl.Int64).alias("train_count"))
    if options.unseen_items == "keep":
        every_key = pl.concat([frame.lazy().select("item_key") for frame in (train, valid, test)])
        counts = (
            every_key.unique()
            .join(counts, on="item_key", how="left")
            .with_columns(pl.col("train_count").fill_null(0))
        )
    items = (
        counts.sort("item_key")
        .with_row_index("item_id")
        .with_columns(pl.col("item_id").cast(pl.Int32))
        .collect()
    )
    keys, ids = items["item_key"], items["item_id"]
    frames = [
        frame.with_columns(pl.col("item_key").replace_strict(keys, ids).alias("item_id"))
        for frame in (train, valid, test)
    ]
    items = items.with_columns(pl.col("item_key").cast(pl.String))
    rule = "train items only" if options.unseen_items == "drop" else "all items"
    return EngineResult(*frames, items=items, log=log, item_rule=rule)
