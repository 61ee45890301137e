"""The polars engine's last steps: split by time or leave-one-out, then dense item ids."""

from __future__ import annotations

import numpy as np
import polars as pl

from sessrec.data.options import PrepOptions, SplitSpec
from sessrec.data.prepared import EngineResult, StepLog
from sessrec.errors import DataError

SECONDS_PER_DAY = 86400


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
    if spec.kind != "session-days":
        # A comparison is cheaper to evaluate twice than a marked copy of the frame.
        return events.filter(~is_later), events.filter(is_later)
    marked = events.lazy().with_columns(is_later.alias("is_later")).collect()
    later = marked.filter(pl.col("is_later")).drop("is_later")
    return marked.filter(~pl.col("is_later")).drop("is_later"), later


def with_item_ids(
    train: pl.DataFrame,
    valid: pl.DataFrame,
    test: pl.DataFrame,
    train_counts: pl.DataFrame,
    options: PrepOptions,
    log: StepLog,
) -> EngineResult:
    """Dense item ids in key order, over train's items or (unseen_items='keep') all items."""
    if test.height == 0:
        raise DataError(
            "the test split is empty after filtering; use a longer --split window "
            "or loosen the --eval-min-* options"
        )
    counts = train_counts.lazy()
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
    frames = [
        frame.with_columns(_item_id_expression(items).alias("item_id"))
        for frame in (train, valid, test)
    ]
    items = items.with_columns(pl.col("item_key").cast(pl.String))
    rule = "train items only" if options.unseen_items == "drop" else "all items"
    return EngineResult(*frames, items=items, log=log, item_rule=rule)


def _item_id_expression(items: pl.DataFrame) -> pl.Expr:
    """`item_key` mapped to `item_id`: a gather from a table indexed by key for small integer
    keys (every key is in `items`), else a strict replace that fails on an unmapped key."""
    keys, ids = items["item_key"], items["item_id"]
    if keys.dtype.is_integer() and keys.min() >= 0 and keys.max() < max(2**20, 8 * keys.len()):
        table = pl.Series(np.full(keys.max() + 1, -1, np.int32)).scatter(keys, ids)
        return pl.lit(table).gather(pl.col("item_key"))
    return pl.col("item_key").replace_strict(keys, ids)
