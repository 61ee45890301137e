"""`sessrec sweep`: run every configuration of a sweep file and compare them in one table.

Each configuration becomes a `sessrec run` folder under the sweep folder; a folder that
already holds a finished run is kept, so an interrupted sweep continues where it stopped.
The sweep folder also gets `sweep.md` and `sweep.csv` (one row per run and model) and
`sweep.png` (Recall@20 and MRR@20 per run with 95 % intervals).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sessrec.pipeline.plots import plot_bars
from sessrec.pipeline.run import comparison_rows, run_pipeline
from sessrec.pipeline.settings import GRU4REC, RunSettings, gru4rec_config
from sessrec.pipeline.sweep_spec import SweepRun, load_sweep
from sessrec.pipeline.tables import csv_table, format_metric, markdown_table, metric_value
from sessrec.utils.atomic import atomic_file

logger = logging.getLogger(__name__)

SWEEP_METRICS = ("recall@10", "ndcg@10", "recall@20", "mrr@20")


@dataclass
class SweepResult:
    """The sweep folder, its rows (label, varied values, metrics) and the Markdown table."""

    folder: Path
    rows: list[dict[str, Any]]
    table: str


def run_sweep(
    sweep_file: Path,
    out: Path,
    data: Path | None = None,
    base_config: Path | None = None,
    redo: bool = False,
    bootstrap: int = 1000,
) -> SweepResult:
    """Run (or reuse) every configuration of `sweep_file`, then write the comparison."""
    from sessrec.models.gru4rec.config import GRU4RecConfig

    runs = load_sweep(sweep_file)
    base = GRU4RecConfig.from_toml(base_config) if base_config else None
    logger.info("sweep %s: %d runs into %s", sweep_file, len(runs), out)

    rows = []
    for number, run in enumerate(runs, start=1):
        folder = out / run.name
        if (folder / "metrics.json").is_file() and not redo:
            logger.info("run %d/%d %s: already done, kept", number, len(runs), run.name)
        else:
            logger.info("run %d/%d %s", number, len(runs), run.name)
            settings = RunSettings(
                out=folder,
                data=data,
                preset=run.preset,
                prep=run.prep,
                config=(base or run_default_config(run.preset)).replace(**run.trainer),
                baselines=tuple(run.baselines),
                bootstrap=bootstrap,
            )
            run_pipeline(settings)
        rows += _rows_of(run, folder)

    table = _write_tables(rows, out)
    plot_bars(
        [(row["label"], row["metrics"]) for row in rows],
        out / "sweep.png",
        title=f"Sweep {sweep_file.name}: test split",
    )
    return SweepResult(folder=out, rows=rows, table=table)


def run_default_config(preset: str) -> Any:
    """The config `sessrec run` trains for `preset` without --config (see RUN_DEFAULTS)."""
    return gru4rec_config(RunSettings(out=Path("."), preset=preset))


def _rows_of(run: SweepRun, folder: Path) -> list[dict[str, Any]]:
    """One row per model of a finished run folder, labelled by run (and model if several)."""
    saved = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    rows = []
    found = comparison_rows(saved["models"])
    gru4rec_rows = [label for label, _ in found if label.startswith(GRU4REC)]
    for label, metrics in found:
        alone = gru4rec_rows == [label]
        name = run.name if alone else f"{run.name} / {label}"
        rows.append(
            {
                "label": name,
                "run": run.name,
                "model": label,
                "varied": run.varied,
                "metrics": metrics,
                "best_epoch": meta.get("best_epoch") if label.startswith(GRU4REC) else None,
                "train_seconds": meta.get("timings", {}).get("train gru4rec"),
            }
        )
    return rows


def _write_tables(rows: list[dict[str, Any]], out: Path) -> str:
    """sweep.md (values with intervals) and sweep.csv (plain numbers); returns the Markdown."""
    varied = list(dict.fromkeys(key for row in rows for key in row["varied"] if key != "run"))
    headers = ["run", "model", *varied, *SWEEP_METRICS, "best epoch", "train s"]
    markdown_rows, csv_rows = [], []
    for row in rows:
        common = [row["run"], row["model"], *[_plain(row["varied"].get(key)) for key in varied]]
        values = [metric_value(row["metrics"], metric) for metric in SWEEP_METRICS]
        extra = [row["best_epoch"] or "", _seconds(row["train_seconds"])]
        markdown_rows.append(common + [format_metric(v, ci) for v, ci in values] + extra)
        csv_rows.append(common + ["" if v is None else f"{v:.6f}" for v, _ in values] + extra)

    table = markdown_table(headers, markdown_rows)
    with atomic_file(out / "sweep.md") as stream:
        stream.write(table)
    with atomic_file(out / "sweep.csv") as stream:
        stream.write(csv_table(headers, csv_rows))
    return table


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"
