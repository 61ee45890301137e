"""Pictures of a run: training curves per epoch and bar charts comparing models or configs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sessrec.pipeline.tables import metric_value  # noqa: E402
from sessrec.utils.atomic import atomic_file  # noqa: E402

CURVE_METRICS = ("recall@20", "mrr@20")


def plot_curves(history: Sequence[dict[str, Any]], path: Path) -> None:
    """Train loss and validation Recall@20 / MRR@20 per epoch, side by side, as a PNG."""
    epochs = [entry["epoch"] for entry in history]
    figure, (loss_axes, metric_axes) = plt.subplots(1, 2, figsize=(10, 3.8))

    loss_axes.plot(epochs, [entry.get("train_loss") for entry in history], marker="o")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("train loss")
    loss_axes.set_title("Training loss")
    loss_axes.grid(alpha=0.3)

    for metric in CURVE_METRICS:
        values = [metric_value(entry.get("valid") or {}, metric)[0] for entry in history]
        if any(value is not None for value in values):
            metric_axes.plot(epochs, values, marker="o", label=metric)
    metric_axes.set_xlabel("epoch")
    metric_axes.set_title("Validation (full ranking)")
    metric_axes.grid(alpha=0.3)
    if metric_axes.get_legend_handles_labels()[0]:
        metric_axes.legend()
    for axes in (loss_axes, metric_axes):
        if 0 < len(epochs) <= 20:
            axes.set_xticks(epochs)
            axes.set_xlim(min(epochs) - 0.5, max(epochs) + 0.5)
        else:
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))

    _save(figure, path)


def plot_bars(
    rows: Sequence[tuple[str, dict[str, Any]]],
    path: Path,
    metrics: Sequence[str] = CURVE_METRICS,
    title: str = "Test split, full ranking",
) -> None:
    """A grouped bar chart of `metrics` for each (label, metrics) row, with 95 % CI whiskers."""
    labels = [label for label, _ in rows]
    width = 0.8 / max(len(metrics), 1)
    figure, axes = plt.subplots(figsize=(max(6.0, 1.1 * len(rows) + 3), 4.2))

    for index, metric in enumerate(metrics):
        values, lower, upper = [], [], []
        for _, row in rows:
            value, interval = metric_value(row, metric)
            value = value or 0.0
            low, high = interval if interval else (value, value)
            values.append(value)
            lower.append(max(value - low, 0.0))
            upper.append(max(high - value, 0.0))
        positions = [row + (index - (len(metrics) - 1) / 2) * width for row in range(len(rows))]
        axes.bar(positions, values, width, yerr=[lower, upper], capsize=3, label=metric)

    axes.set_xticks(range(len(rows)))
    axes.set_xticklabels(labels, rotation=20 if len(rows) > 4 else 0, ha="right")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    axes.legend()
    _save(figure, path)


def _save(figure: plt.Figure, path: Path) -> None:
    """Write the figure as a PNG atomically and free its memory."""
    figure.tight_layout()
    with atomic_file(path, "wb") as stream:
        figure.savefig(stream, format="png", dpi=110)
    plt.close(figure)
