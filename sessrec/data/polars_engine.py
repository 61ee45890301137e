"""The default prep engine: rating filter, sessions, cleansing, split and ids as polars queries.

Each step is a lazy query over the frame the step before produced (the read itself is one lazy
scan of the file). Frames are collected between steps because every step reports how many
events it removed, and a cleansing round must see its count to know the fixed point is reached.
Events are put in session and time order once, right after sessions are formed; every later
step keeps that order, which lets polars count per session over contiguous slices.
"""

from __future__ import annotations

import logging

import polars as pl

from sessrec.data.options import PrepOptions
from sessrec.data.polars_reader import read_events
from sessrec.data.polars_split import split_events, with_item_ids
from sessrec.data.prepared import EngineResult, StepLog
from sessrec.data.sources import LogSource
from sessrec.errors import DataError

logger = logging.getLogger(__name__)
# A training session needs two events to give one (input, next item) pair.
MIN_TRAIN_SESSION_LENGTH = 2


def prepare_polars(source: LogSource, options: PrepOptions) -> EngineResult:
    """Run every prep step on `source` with polars and return the three splits."""
    log = StepLog()
    events = read_events(source)
    log.record("read", events.height, events.height)

    events = _sessions(events, _rating_filter(events, options.min_rating), options, log)
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

    train, train_counts = cleanse_counting(
        train,
        max(MIN_TRAIN_SESSION_LENGTH, options.train_min_session_length),
        options.train_min_item_support,
        "train_cleanse",
        log,
    )
    if train.height == 0:
        raise DataError("no training events left after cleansing; loosen --train-min-* options")
    train_items = train_counts["item_key"].implode()
    evaluation = {}
    for name, frame in (("valid", valid), ("test", test)):
        if options.unseen_items == "drop":
            kept = frame.filter(pl.col("item_key").is_in(train_items))
            log.record(f"{name}_unseen_items", frame.height, kept.height)
            frame = kept
        evaluation[name] = cleanse(
            frame,
            options.eval_min_session_length,
            options.eval_min_item_support,
            f"{name}_cleanse",
            log,
        )
    return with_item_ids(train, evaluation["valid"], evaluation["test"], train_counts, options, log)


def _rating_filter(events: pl.DataFrame, min_rating: float) -> pl.Expr | None:
    """The condition `--min-rating` puts on events, or None when it keeps every event."""
    if min_rating <= 0:
        return None
    if events["rating"].null_count() == events.height:
        logger.warning("the log has no ratings, so --min-rating %s keeps every event", min_rating)
        return None
    return pl.col("rating") >= min_rating


def _sessions(
    events: pl.DataFrame, keep: pl.Expr | None, options: PrepOptions, log: StepLog
) -> pl.DataFrame:
    """Keep the events `keep` selects, then form sessions and put them in order, in one query.

    `user_key` becomes `session_key`: the user, or a running number that grows after each long
    gap. Events are ordered by session, then stable time; every later step keeps this order,
    and `session_key` carries polars' sorted flag, so counting events per session runs over
    contiguous slices instead of a hash table. The sort key's bounds come from the unfiltered
    frame, which holds the filtered one.
    """
    if events.height == 0:
        raise DataError("the log holds no events")
    query = events.lazy() if keep is None else events.lazy().filter(keep)
    gap_seconds = options.session_gap_seconds()
    if gap_seconds is None:
        keyed = events.rename({"user_key": "session_key"})
        query = query.rename({"user_key": "session_key"})
        query = query.sort(_session_time_key(keyed, "session_key"), maintain_order=True)
    else:
        query = (
            query.sort(_session_time_key(events, "user_key"), maintain_order=True)
            .with_columns(
                (
                    (pl.col("user_key") != pl.col("user_key").shift(1))
                    | (pl.col("timestamp") - pl.col("timestamp").shift(1) > gap_seconds)
                )
                .fill_null(True)
                .cum_sum()
                .alias("session_key")
            )
            .drop("user_key")
        )
    ordered = _collect(query.with_columns(pl.col("session_key").set_sorted()))

    if keep is not None:
        log.record("min_rating", events.height, ordered.height)
        if ordered.height == 0:
            raise DataError(
                f"no events left after --min-rating {options.min_rating:g}; lower it (0 keeps all)"
            )
    return ordered


def _collect(query: pl.LazyFrame) -> pl.DataFrame:
    """Run on the in-memory engine, which uses sorted flags that the streaming engine ignores."""
    return query.collect(engine="in-memory")


def cleanse(
    events: pl.DataFrame, min_length: int, min_support: int, step: str, log: StepLog
) -> pl.DataFrame:
    """Drop short sessions, then rare items, again and again until nothing changes."""
    return cleanse_counting(events, min_length, min_support, step, log)[0]


def cleanse_counting(
    events: pl.DataFrame, min_length: int, min_support: int, step: str, log: StepLog
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The cleansed events and their per-item event counts (`item_key`, `train_count`).

    A round that removes no rare item leaves every session as long as the session filter
    just made it, and a session filter that removes nothing after a round leaves every item
    as frequent as the item filter just made it: either way the fixed point is reached, so
    the round that would only confirm it is not run. In both cases the last item counts
    taken are still those of the result (an item filter changes no surviving item's count),
    so they are returned instead of being counted again.
    """
    session_column = "session_id" if "session_id" in events.columns else "session_key"
    before = events.height
    rounds = []
    counts = None
    while True:
        short = _keep_long_sessions(events, session_column, min_length)
        if rounds and short.height == events.height:
            break
        rare, counts = _keep_frequent_items(short, min_support)
        if rare.height == events.height:
            break
        rounds.append(
            {
                "short_sessions": events.height - short.height,
                "rare_items": short.height - rare.height,
            }
        )
        events = rare
        if rare.height == short.height:
            break
    log.record(step, before, events.height, rounds=rounds)
    if counts is None:
        counts = _item_counts(events)
    counts = counts.lazy().filter(pl.col("train_count") >= max(1, min_support))
    return events, _collect(counts.with_columns(pl.col("train_count").cast(pl.Int64)))


def _keep_long_sessions(events: pl.DataFrame, column: str, minimum: int) -> pl.DataFrame:
    """Events of sessions with at least `minimum` events; a minimum of 1 keeps all.

    When the session column is flagged sorted (every frame the engine makes is), a session's
    events are one contiguous run, so its length is read off run-length encoding, which is
    several times cheaper than grouping, and a frame with no short session is returned as it is.
    """
    if minimum <= 1 or events.height == 0:
        return events
    if events[column].flags["SORTED_ASC"]:
        run_lengths = pl.col(column).rle().struct.field("len")
        if events.select(run_lengths.min()).item() >= minimum:
            return events
        length = run_lengths.gather(pl.col(column).rle_id())
    else:
        length = pl.len().over(column)
    return _collect(events.lazy().filter(length >= minimum))


def _keep_frequent_items(
    events: pl.DataFrame, minimum: int
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Events of items with at least `minimum` events, and the item counts taken to decide.

    A minimum of 1 keeps all and counts nothing (None).
    """
    if minimum <= 1:
        return events, None
    counts = _item_counts(events)
    frequent = counts.filter(pl.col("train_count") >= minimum)["item_key"]
    if frequent.len() == counts.height:
        return events, counts
    return events.filter(pl.col("item_key").is_in(frequent.implode())), counts


def _item_counts(events: pl.DataFrame) -> pl.DataFrame:
    """Events per item (`item_key`, `train_count`), in no particular order."""
    return events["item_key"].value_counts(name="train_count")


def _number_sessions(events: pl.DataFrame) -> pl.DataFrame:
    """Dense session ids in key order (user, then start time); events are already in order."""
    if events.height == 0:
        raise DataError(
            "no events left after cleansing; loosen --min-session-length, "
            "--min-item-support or --min-rating"
        )
    session_id = pl.col("session_key").rle_id().cast(pl.Int64).set_sorted()
    return _collect(events.lazy().with_columns(session_id.alias("session_id")).drop("session_key"))


def _session_time_key(events: pl.DataFrame, session: str) -> pl.Expr | list[str]:
    """One integer sort key (session, then time) when it fits in 63 bits, else two columns.

    Sorting on one integer is about twice as fast; `maintain_order` keeps the file order of
    equal timestamps either way.
    """
    if events.schema[session].is_integer():
        first_key, last_key, first_time, last_time = events.select(
            pl.col(session).min().alias("first_key"),
            pl.col(session).max().alias("last_key"),
            pl.col("timestamp").min().alias("first_time"),
            pl.col("timestamp").max().alias("last_time"),
        ).row(0)
        span = last_time - first_time + 1
        if (last_key - first_key + 1) * span < 2**62:
            key = pl.col(session).cast(pl.Int64) - first_key
            return key * span + (pl.col("timestamp") - first_time)
    return [session, "timestamp"]
