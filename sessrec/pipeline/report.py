"""report.md of a run, rendered from plain dicts so it can be tested without training anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import tomli_w

from sessrec.pipeline.tables import comparison_table, format_metric, markdown_table, metric_value
from sessrec.utils.atomic import atomic_file


def split_statistics(frame: pl.DataFrame) -> dict[str, Any]:
    """Events, sessions, items, time range and session lengths of one split."""
    if frame.height == 0:
        return {"events": 0, "sessions": 0, "items": 0, "predictions": 0}
    lengths = frame.group_by("session_id").len()["len"]
    first, last = frame["timestamp"].min(), frame["timestamp"].max()
    return {
        "events": frame.height,
        "sessions": lengths.len(),
        "items": frame["item_id"].n_unique(),
        "predictions": frame.height - lengths.len(),
        "first": _utc(first),
        "last": _utc(last),
        "length_min": int(lengths.min()),
        "length_median": float(lengths.median()),
        "length_max": int(lengths.max()),
    }


def _utc(seconds: int | None) -> str | None:
    """Unix seconds as `2003-02-28 17:49:50` UTC."""
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _data_section(data: dict[str, Any]) -> list[str]:
    headers = ["split", "events", "sessions", "items", "first (UTC)", "last (UTC)", "length"]
    rows = []
    for name, stats in data.get("splits", {}).items():
        length = (
            f"{stats['length_min']} / {stats['length_median']:g} / {stats['length_max']}"
            if "length_min" in stats
            else "—"
        )
        rows.append(
            [
                name,
                f"{stats['events']:,}",
                f"{stats['sessions']:,}",
                f"{stats['items']:,}",
                stats.get("first") or "—",
                stats.get("last") or "—",
                length,
            ]
        )
    lines = ["## Data", ""]
    lines.append(f"Source: `{data.get('source', '?')}`; preset `{data.get('preset', '?')}`.")
    options = data.get("options") or {}
    if options:
        lines.append("Preparation options: " + ", ".join(f"`{k}={v}`" for k, v in options.items()))
    lines += ["", markdown_table(headers, rows)]
    lines.append("Session length is min / median / max events. A prediction is made after every")
    lines.append("event of a session except its last, so a split of E events in S sessions has")
    lines.append("E - S predictions (warm-up history is read but never scored).")
    return lines


def _results_section(record: dict[str, Any]) -> list[str]:
    rows = [(row["label"], row["metrics"]) for row in record.get("results", [])]
    headers, cells = comparison_table(rows)
    lines = ["## Test results (full ranking over all items)", ""]
    lines += [f"- {line}" for line in record.get("protocol", [])]
    lines += ["", markdown_table(headers, cells)]
    lines.append("Each cell is the metric with its 95 % bootstrap confidence interval.")
    lines += ["", "![comparison](compare.png)", ""]
    return lines


def _training_section(training: dict[str, Any]) -> list[str]:
    history = training.get("history", [])
    headers = ["epoch", "train loss", "events/s", "seconds", "valid recall@20", "valid mrr@20"]
    rows = []
    for entry in history:
        valid = entry.get("valid") or {}
        rows.append(
            [
                entry.get("epoch"),
                f"{entry.get('train_loss', float('nan')):.4f}",
                f"{entry.get('events_per_second', 0):,.0f}",
                f"{entry.get('seconds', 0):.1f}",
                format_metric(metric_value(valid, "recall@20")[0]),
                format_metric(metric_value(valid, "mrr@20")[0]),
            ]
        )
    lines = ["## GRU4Rec training", ""]
    lines.append(
        f"Best epoch (kept as the model): {training.get('best_epoch', '—')}; "
        f"training took {training.get('seconds', 0):.1f} s."
    )
    lines += ["", markdown_table(headers, rows), "![training curves](curves.png)", ""]
    return lines


def _config_section(config: dict[str, Any]) -> list[str]:
    kept = {key: value for key, value in config.items() if value is not None}
    return ["## GRU4Rec configuration", "", "```toml", tomli_w.dumps(kept).rstrip(), "```", ""]


def _timing_section(timings: dict[str, float]) -> list[str]:
    rows = [[stage, f"{seconds:.1f}"] for stage, seconds in timings.items()]
    rows.append(["total", f"{sum(timings.values()):.1f}"])
    return ["## Wall time per stage", "", markdown_table(["stage", "seconds"], rows)]


def render_report(record: dict[str, Any]) -> str:
    """The whole report.md text of a run record (see `sessrec.pipeline.run` for its fields)."""
    lines = [f"# {record.get('title', 'sessrec run')}", ""]
    lines.append(f"Created {record.get('created', '?')} on {record.get('machine', '?')}.")
    lines += ["", "Reproduce with:", "", "```bash", record.get("command", "sessrec run"), "```", ""]
    lines += _results_section(record)
    if record.get("training"):
        lines += _training_section(record["training"])
    lines += _data_section(record.get("data", {}))
    lines.append("")
    if record.get("config"):
        lines += _config_section(record["config"])
    lines += _timing_section(record.get("timings", {}))
    return "\n".join(lines).rstrip() + "\n"


def write_report(path: Path, record: dict[str, Any]) -> None:
    """Render the record and write it to `path` atomically."""
    with atomic_file(path) as stream:
        stream.write(render_report(record))
