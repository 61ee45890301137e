"""report.md of a run, rendered from plain dicts so it can be tested without training anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from sessrec.pipeline.tables import comparison_table, format_metric, markdown_table, metric_value
from sessrec.utils.atomic import atomic_file


def _data_section(data: dict[str, Any]) -> list[str]:
    headers = ["split", "events", "sessions", "items", "predictions", "first (UTC)", "last (UTC)"]
    headers.append("length min / median / max")
    rows = []
    for name, stats in data.get("splits", {}).items():
        length = "—"
        if "session_length_min" in stats:
            low, high = stats["session_length_min"], stats["session_length_max"]
            length = f"{low} / {stats['session_length_median']:g} / {high}"
        rows.append(
            [
                name,
                f"{stats.get('events', 0):,}",
                f"{stats.get('sessions', 0):,}",
                f"{stats.get('items', 0):,}",
                f"{stats.get('predictions', 0):,}",
                stats.get("first_time") or "—",
                stats.get("last_time") or "—",
                length,
            ]
        )
    lines = ["## Data", ""]
    lines.append(f"Source: `{data.get('source', '?')}`; preset `{data.get('preset', '?')}`.")
    options = data.get("options") or {}
    if options:
        lines.append("Preparation options: " + ", ".join(f"`{k}={v}`" for k, v in options.items()))
    lines += ["", markdown_table(headers, rows)]
    lines.append("Session length counts events. A prediction is one ranked next event: every event")
    lines.append("of a split that follows an earlier event of the same session (with warm-up, the")
    lines.append("earlier event may lie in an earlier split; history itself is never scored).")
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
