"""`prepare`: run the chosen engine, compute per-split statistics, warn, write the folder."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from sessrec.data.options import PrepOptions
from sessrec.data.prepared import SPLITS, EngineResult, write_prepared
from sessrec.data.sources import LogSource, read_item_metadata

logger = logging.getLogger(__name__)
FEW_PREDICTIONS = 1000
TYPICAL_RECALL = 0.15


@dataclass
class PrepReport:
    """The engine's result, per-split statistics, warnings given, and the folder written."""

    result: EngineResult
    stats: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    folder: Path | None = None


def run_engine(source: LogSource, options: PrepOptions) -> EngineResult:
    """Run the engine named in `options` and return its result in the folder's exact schema."""
    if options.engine == "pandas":
        from sessrec.data.pandas_engine import prepare_pandas

        result = prepare_pandas(source, options)
    else:
        from sessrec.data.polars_engine import prepare_polars

        result = prepare_polars(source, options)
    return result.conformed()


def prepare(source: LogSource, options: PrepOptions, out: Path | None = None) -> PrepReport:
    """Turn the raw log into train/validation/test; write the prepared folder when `out` is set."""
    result = run_engine(source, options)
    stats = all_split_stats({name: result.split(name) for name in SPLITS})
    warnings = []
    for name in ("valid", "test"):
        message = few_predictions_warning(name, stats[name]["predictions"])
        if message:
            logger.warning(message)
            warnings.append(message)
    folder = None
    if out is not None:
        folder = write_prepared(
            Path(out), result, read_item_metadata(source), options, source, stats
        )
    return PrepReport(result=result, stats=stats, warnings=warnings, folder=folder)


def split_stats(frame: pl.DataFrame, history: list[pl.DataFrame]) -> dict[str, Any]:
    """Events, sessions, items, time range, session lengths and next-item predictions.

    A prediction is an event whose session has an earlier event, in this split or in the
    `history` splits before it (the evaluator warms sessions up on those earlier events);
    without warm-up, the first event of each session in the split is not predicted.
    """
    if frame.height == 0:
        return {
            "events": 0,
            "sessions": 0,
            "items": 0,
            "predictions": 0,
            "predictions_without_warmup": 0,
        }
    lengths = frame.group_by("session_id").len()["len"]
    known = pl.concat([part.select("session_id") for part in history]).unique() if history else None
    fresh_sessions = (
        lengths.len()
        if known is None
        else frame.select("session_id").unique().join(known, on="session_id", how="anti").height
    )
    return {
        "events": frame.height,
        "sessions": lengths.len(),
        "items": frame["item_id"].n_unique(),
        "first_time": _utc(frame["timestamp"].min()),
        "last_time": _utc(frame["timestamp"].max()),
        "session_length_min": int(lengths.min()),
        "session_length_median": float(lengths.median()),
        "session_length_max": int(lengths.max()),
        "predictions": frame.height - fresh_sessions,
        "predictions_without_warmup": frame.height - lengths.len(),
    }


def all_split_stats(splits: dict[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    """split_stats for train, valid and test, each with the splits before it as history."""
    return {
        "train": split_stats(splits["train"], []),
        "valid": split_stats(splits["valid"], [splits["train"]]),
        "test": split_stats(splits["test"], [splits["train"], splits["valid"]]),
    }


def recall_half_width(predictions: int, recall: float = TYPICAL_RECALL) -> float:
    """Half-width of the binomial 95% interval of Recall@20 measured on `predictions` targets."""
    if predictions <= 0:
        return float("inf")
    return 1.96 * math.sqrt(recall * (1.0 - recall) / predictions)


def few_predictions_warning(name: str, predictions: int) -> str | None:
    """A warning text when a split has fewer than 1,000 predictions, else None."""
    if predictions >= FEW_PREDICTIONS:
        return None
    width = recall_half_width(predictions)
    return (
        f"the {name} split has only {predictions:,} predictions (fewer than {FEW_PREDICTIONS:,}):"
        f" at a typical Recall@20 of {TYPICAL_RECALL} its 95% confidence interval is "
        f"+/-{width:.3f}, so differences between models smaller than that are noise"
    )


def format_stats_table(stats: dict[str, dict[str, Any]]) -> str:
    """A fixed-width text table of split_stats, one row per split."""
    headers = [
        "split",
        "events",
        "sessions",
        "items",
        "predictions",
        "first (UTC)",
        "last (UTC)",
        "len min/med/max",
    ]
    rows = []
    for name, entry in stats.items():
        lengths = (
            f"{entry['session_length_min']}/{entry['session_length_median']:g}/"
            f"{entry['session_length_max']}"
            if entry["events"]
            else "-"
        )
        rows.append(
            [
                name,
                f"{entry['events']:,}",
                f"{entry['sessions']:,}",
                f"{entry['items']:,}",
                f"{entry['predictions']:,}",
                entry.get("first_time", "-"),
                entry.get("last_time", "-"),
                lengths,
            ]
        )
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in [headers, *rows]
    ]
    return "\n".join(lines)


def _utc(seconds: int) -> str:
    """'YYYY-MM-DD HH:MM:SS' in UTC; isoformat pads years before 1000, strftime may not."""
    moment = datetime.fromtimestamp(int(seconds), tz=UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="seconds")
