"""Several models on the same split: one table (Markdown), one bar chart (PNG), one metrics.json.

`compare_models` evaluates already built models; `fit_baselines` fits and saves the baselines
first; `write_comparison` writes the three files. `sessrec compare` and the main job use them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sessrec.errors import DataError
from sessrec.evaluation.evaluator import DEFAULT_CUTOFFS, evaluate
from sessrec.evaluation.result import EvaluationResult
from sessrec.models.base import SessionRecommender
from sessrec.utils.atomic import atomic_file, write_json

logger = logging.getLogger(__name__)

TABLE_METRICS = ("recall@10", "mrr@10", "ndcg@10", "recall@20", "mrr@20", "ndcg@20")
PLOT_METRICS = ("recall@20", "mrr@20", "ndcg@20")
HISTORY_SPLITS = {"valid": ("train",), "test": ("train", "valid")}
ITEMS_FILE = "items.parquet"  # the item-id map saved beside a model, read by `recommend`


@dataclass
class ComparisonRow:
    """One model under one warm-up setting, with its evaluation."""

    model: str
    warmup: bool
    result: EvaluationResult

    @property
    def label(self) -> str:
        """`markov` or `markov (warm-up)`."""
        return f"{self.model} (warm-up)" if self.warmup else self.model


def history_for(dataset: Any, split: str) -> Any:
    """The events before `split` as one log: train for valid; train then valid for test."""
    from native_loader import concat_logs

    if split not in HISTORY_SPLITS:
        raise DataError(f"--split: warm-up needs valid or test, got {split!r}")
    return concat_logs(*(dataset.log(name) for name in HISTORY_SPLITS[split]))


def fit_baselines(
    dataset: Any, names: Sequence[str], folder: Path | None = None
) -> dict[str, SessionRecommender]:
    """Fit each named baseline on the train split; save it under `folder/NAME` when given.

    A saved baseline carries the dataset's item table (`items.parquet`) beside its model files,
    as a trained GRU4Rec does, so `sessrec recommend` can map item ids wherever it is moved.
    """
    from sessrec.models.registry import make_baseline

    models = {}
    train, valid = dataset.log("train"), dataset.log("valid")
    for name in names:
        model = make_baseline(name, n_items=dataset.n_items)
        model.fit(train, valid)
        model.data_dir = str(Path(dataset.folder).resolve())
        if folder is not None:
            model.save(Path(folder) / name)
            with atomic_file(Path(folder) / name / ITEMS_FILE, "wb") as stream:
                dataset.items.write_parquet(stream)
        models[name] = model
    return models


def compare_models(
    dataset: Any,
    models: Mapping[str, SessionRecommender],
    split: str = "test",
    warmups: Sequence[bool] = (False, True),
    exclude_seen: bool = False,
    ties: str = "pessimistic",
    cutoffs: Sequence[int] = DEFAULT_CUTOFFS,
    bootstrap: int = 1000,
) -> list[ComparisonRow]:
    """Evaluate every model on the same split under each warm-up setting."""
    log = dataset.log(split)
    counts = dataset.items["train_count"].to_numpy()
    history = history_for(dataset, split) if any(warmups) else None
    rows = []
    for name, model in models.items():
        if model.n_items != dataset.n_items:
            raise DataError(
                f"model {name} knows {model.n_items} items but the data has {dataset.n_items}"
            )
        for warmup in warmups:
            result = evaluate(
                model, log, history=history if warmup else None, cutoffs=cutoffs, ties=ties,
                exclude_seen=exclude_seen, bootstrap=bootstrap, item_counts=counts,
            )  # fmt: skip
            rows.append(ComparisonRow(model=name, warmup=warmup, result=result))
    return rows


def comparison_table(rows: Sequence[ComparisonRow]) -> tuple[list[str], list[list[str]]]:
    """Headers and cells: model, Recall/MRR/NDCG at 10 and 20 with intervals, coverage, count."""
    headers = ["Model", *[_title(name) for name in TABLE_METRICS], "Coverage@20", "Predictions"]
    cells = []
    for row in rows:
        result = row.result
        coverage = result.metrics.get("coverage@20")
        cells.append(
            [
                row.label,
                *[result.format_value(name) for name in TABLE_METRICS],
                "-" if coverage is None else f"{coverage:.4f}",
                f"{result.n_predictions:,}",
            ]
        )
    return headers, cells


def comparison_markdown(rows: Sequence[ComparisonRow], title: str = "") -> str:
    """The comparison table as GitHub Markdown (intervals are 95 % bootstrap intervals)."""
    headers, cells = comparison_table(rows)
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = [f"# {title}", ""] if title else []
    lines.append("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in cells:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    lines += ["", "Brackets: 95 % bootstrap confidence intervals over predictions."]
    return "\n".join(lines) + "\n"


def plot_comparison(rows: Sequence[ComparisonRow], path: Path) -> None:
    """A grouped bar chart of Recall, MRR and NDCG at 20 with interval whiskers, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    positions = np.arange(len(PLOT_METRICS))
    width = 0.8 / max(len(rows), 1)
    figure, axes = plt.subplots(figsize=(max(6.0, 1.2 * len(rows) + 4), 4.5))
    for index, row in enumerate(rows):
        means = [row.result.metrics.get(name, np.nan) for name in PLOT_METRICS]
        bounds = [row.result.intervals.get(name, (mean, mean)) for name, mean in zip(
            PLOT_METRICS, means, strict=True)]  # fmt: skip
        errors = np.array([[m - lo, hi - m] for m, (lo, hi) in zip(means, bounds, strict=True)])
        offset = (index - (len(rows) - 1) / 2) * width
        axes.bar(positions + offset, means, width, yerr=errors.T, capsize=3, label=row.label)
    axes.set_xticks(positions, [_title(name) for name in PLOT_METRICS])
    axes.set_ylabel("score (95 % bootstrap interval)")
    axes.legend(fontsize="small", ncols=2)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    with atomic_file(path, "wb") as stream:
        figure.savefig(stream, format="png", dpi=120)
    plt.close(figure)


def write_comparison(
    rows: Sequence[ComparisonRow], folder: Path, split: str, extra: dict | None = None
) -> None:
    """Write compare.md, compare.png and metrics.json into `folder`, each atomically."""
    folder = Path(folder)
    title = f"Next-item prediction on the {split} split"
    with atomic_file(folder / "compare.md") as stream:
        stream.write(comparison_markdown(rows, title))
    plot_comparison(rows, folder / "compare.png")
    models: dict[str, list] = {}
    for row in rows:
        models.setdefault(row.model, []).append(
            {"warmup": row.warmup, "metrics": row.result.to_dict()}
        )
    write_json(folder / "metrics.json", {"split": split, **(extra or {}), "models": models})


def is_compare_folder(folder: Path) -> bool:
    """Whether `folder` holds `sessrec compare` output (its table, metrics or baselines)."""
    folder = Path(folder)
    if (folder / "compare.md").is_file() or (folder / "baselines").is_dir():
        return True
    try:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(metrics, dict) and {"split", "models"} <= set(metrics)


def _title(name: str) -> str:
    base, _, cutoff = name.partition("@")
    names = {"recall": "Recall", "mrr": "MRR", "ndcg": "NDCG", "coverage": "Coverage"}
    return f"{names.get(base, base)}@{cutoff}"
