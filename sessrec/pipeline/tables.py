"""Tables of metrics as Markdown and CSV, shared by the run report, the sweep and the tuner."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

TABLE_METRICS = (
    "recall@10",
    "mrr@10",
    "ndcg@10",
    "recall@20",
    "mrr@20",
    "ndcg@20",
    "coverage@20",
)
SUMMARY_METRICS = ("recall@10", "ndcg@10", "recall@20", "mrr@20", "ndcg@20", "coverage@20")
ALIASES = {"hr": "recall"}


def _canonical(name: str) -> str:
    """`hr@10` reads as `recall@10` (one target per prediction makes them equal)."""
    prefix, _, cutoff = name.partition("@")
    return f"{ALIASES.get(prefix, prefix)}@{cutoff}" if cutoff else name


def metric_value(
    metrics: dict[str, Any], name: str
) -> tuple[float | None, tuple[float, float] | None]:
    """A metric and its 95 % interval from an evaluator result dict (None when absent).

    Accepts the layouts the evaluator and the trainer write: `{"recall@20": 0.2,
    "ci": {"recall@20": [low, high]}}`, `{"metrics": {...}, "ci": {...}}`, a `"recall@20_ci"`
    key beside the value, or `{"recall@20": {"value": 0.2, "ci": [low, high]}}`.
    """
    name = _canonical(name)
    values = metrics.get("metrics", metrics)
    raw = values.get(name)
    if raw is None:
        raw = next((v for k, v in values.items() if _canonical(k) == name), None)
    if raw is None:
        return None, None

    interval: Any = None
    if isinstance(raw, dict):
        interval = raw.get("ci") or raw.get("interval")
        raw = raw.get("value", raw.get("mean"))
    for container in (metrics.get("ci"), metrics.get("intervals"), values.get("ci")):
        if interval is None and isinstance(container, dict):
            interval = container.get(name)
    if interval is None:
        interval = values.get(f"{name}_ci")
    if raw is None:
        return None, None
    bounds = (float(interval[0]), float(interval[1])) if interval else None
    return float(raw), bounds


def format_metric(value: float | None, interval: tuple[float, float] | None = None) -> str:
    """`0.2345 [0.2201, 0.2490]`, or an em dash when the metric is missing."""
    if value is None:
        return "—"
    if interval is None:
        return f"{value:.4f}"
    return f"{value:.4f} [{interval[0]:.4f}, {interval[1]:.4f}]"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub Markdown table with padded columns, so it also reads well as plain text."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(head)] + [len(row[i]) for row in cells]) for i, head in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in cells:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines) + "\n"


def csv_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The same table as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def comparison_table(
    rows: Sequence[tuple[str, dict[str, Any]]],
    metrics: Sequence[str] = TABLE_METRICS,
    with_intervals: bool = True,
) -> tuple[list[str], list[list[str]]]:
    """Headers and cells: one row per (label, metric dict), one column per metric."""
    headers = ["model", *metrics, "predictions"]
    cells = []
    for label, result in rows:
        row = [label]
        for metric in metrics:
            value, interval = metric_value(result, metric)
            row.append(format_metric(value, interval if with_intervals else None))
        count = result.get("n_predictions", result.get("metrics", {}).get("n_predictions"))
        row.append(f"{int(count):,}" if count is not None else "—")
        cells.append(row)
    return headers, cells
