"""The main job: raw log -> prepared splits -> GRU4Rec and baselines -> test metrics -> report.

`run_pipeline(settings)` times each stage and writes one run folder:

    data/             the prepared dataset (train/valid/test, items, meta.json)
    gru4rec/          GRU4Rec's training run (config.toml, history.json, model/, checkpoint/)
    baselines/NAME/   each fitted baseline
    metrics.json      every model's test metrics, under each warm-up setting
    compare.md/.png   the comparison table and its bar chart
    curves.png        train loss and validation Recall@20 / MRR@20 per epoch
    history.json      GRU4Rec's per-epoch history
    meta.json         settings, timings, machine and library versions
    report.md         all of the above in one page

The folder is assembled under a temporary name and renamed at the end, so a failed or
interrupted run never leaves a half-written folder behind.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sessrec import __version__
from sessrec.pipeline.plots import plot_curves
from sessrec.pipeline.protocol import Protocol, evaluate_models, protocol_for
from sessrec.pipeline.report import write_report
from sessrec.pipeline.settings import (
    GRU4REC,
    RunSettings,
    check_baselines,
    check_replaceable,
    gru4rec_config,
    reproduce_command,
)
from sessrec.pipeline.tables import SUMMARY_METRICS, comparison_table, markdown_table
from sessrec.utils.atomic import atomic_folder, write_json

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a finished run produced: the comparison rows, timings and the folder."""

    folder: Path
    rows: list[tuple[str, dict[str, Any]]]
    timings: dict[str, float]
    record: dict[str, Any]

    def table(self) -> str:
        """A compact comparison table for the terminal (report.md has the intervals)."""
        headers, cells = comparison_table(self.rows, SUMMARY_METRICS, with_intervals=False)
        return markdown_table(headers, cells)


class StageClock:
    """Wall time of each named stage, in the order the stages ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the body as stage `name` and log when it ends."""
        started = time.perf_counter()
        logger.info("stage %s ...", name)
        yield
        self.seconds[name] = time.perf_counter() - started
        logger.info("stage %s done in %.1f s", name, self.seconds[name])


def run_pipeline(settings: RunSettings) -> RunResult:
    """Prepare, train, fit baselines, evaluate on test and write the run folder (see module)."""
    from sessrec.data import load_prepared, locate_data, prepare, preset_options, resolve_source
    from sessrec.evaluation.compare import fit_baselines, write_comparison

    clock = StageClock()
    config = gru4rec_config(settings) if settings.train_gru4rec else None
    options = preset_options(settings.preset, **settings.prep)
    check_baselines(settings.baselines)
    check_replaceable(settings.out)
    settings.command = settings.command or reproduce_command(settings)
    created = datetime.now(tz=UTC).isoformat(timespec="seconds")

    bootstrap = settings.bootstrap
    with atomic_folder(settings.out) as folder:
        with clock.stage("prepare data"):
            located = locate_data(settings.data, download=settings.download)
            source = resolve_source(located, settings.file_format, settings.columns)
            prepare(source, options, folder / "data")
            dataset = load_prepared(folder / "data")
        protocol = protocol_for(dataset.meta, settings.exclude_seen)

        models: dict[str, Any] = {}
        training = None
        if config is not None:
            with clock.stage("train gru4rec"):
                training = _train_gru4rec(config, dataset, folder / GRU4REC)
            models[GRU4REC] = training.model
        for name in settings.baselines:
            with clock.stage(f"fit {name}"):
                models |= fit_baselines(dataset, [name], folder / "baselines")

        comparison = []
        for name, model in models.items():
            with clock.stage(f"evaluate {name}"):
                comparison += evaluate_models({name: model}, dataset, "test", protocol, bootstrap)

        with clock.stage("write report"):
            rows = [(row.label, row.result.to_dict()) for row in comparison]
            record = _record(settings, dataset, protocol, config, training, rows, created)
            write_comparison(comparison, folder, "test", extra={"protocol": record["protocol"]})
            history = training.history if training is not None else []
            write_json(folder / "history.json", history)
            plot_curves(history, folder / "curves.png")
        record["timings"] = dict(clock.seconds)
        write_report(folder / "report.md", record)
        write_json(folder / "meta.json", _meta(record))

    logger.info("run folder %s written", settings.out)
    return RunResult(folder=settings.out, rows=rows, timings=clock.seconds, record=record)


def comparison_rows(
    evaluations: dict[str, list[dict[str, Any]]],
) -> list[tuple[str, dict[str, Any]]]:
    """Rows of a saved metrics.json: `name` or `name (warm-up)` with each setting's metrics."""
    return [
        (f"{name} (warm-up)" if result["warmup"] else name, result["metrics"])
        for name, results in evaluations.items()
        for result in results
    ]


def _train_gru4rec(config: Any, dataset: Any, folder: Path) -> Any:
    """Train GRU4Rec into `folder` (config.toml, history.json, checkpoint/, model/)."""
    from sessrec.models.gru4rec.runtime import configure_tensorflow_threads
    from sessrec.training import train

    configure_tensorflow_threads()
    return train(config, dataset, folder)


def _record(
    settings: RunSettings,
    dataset: Any,
    protocol: Protocol,
    config: Any,
    training: Any,
    rows: list[tuple[str, dict[str, Any]]],
    created: str,
) -> dict[str, Any]:
    """The plain-dict record that report.md and meta.json are written from."""
    options = dataset.meta.get("options", {})
    record: dict[str, Any] = {
        "title": f"sessrec run: GRU4Rec and baselines, preset {settings.preset}",
        "created": created,
        "machine": machine_description(),
        "command": settings.command,
        "data": {
            "source": dataset.meta.get("source", {}).get("path", str(settings.data)),
            "preset": options.get("preset", settings.preset),
            "options": options,
            "splits": dataset.meta.get("stats", {}),
            "n_items": dataset.n_items,
        },
        "protocol": protocol.describe(),
        "results": [{"label": label, "metrics": metrics} for label, metrics in rows],
        "config": config.to_dict() if config is not None else None,
    }
    if training is not None:
        record["training"] = {
            "history": training.history,
            "best_epoch": training.best_epoch,
            "seconds": training.seconds,
        }
    return record


def _meta(record: dict[str, Any]) -> dict[str, Any]:
    """meta.json: how the run was made (command, settings, timings, versions), not results."""
    from importlib import metadata

    versions = {"python": platform.python_version(), "sessrec": __version__}
    for name in ("numpy", "polars", "tensorflow", "numba", "optuna"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "format": "sessrec-run-1",
        "created": record["created"],
        "command": record["command"],
        "machine": record["machine"],
        "data": {key: value for key, value in record["data"].items() if key != "splits"},
        "protocol": record["protocol"],
        "config": record["config"],
        "best_epoch": record.get("training", {}).get("best_epoch"),
        "timings": record["timings"],
        "versions": versions,
    }


def machine_description() -> str:
    """`Linux x86_64, 2 CPU cores`, plus the GPUs TensorFlow sees when it is already loaded."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    text = f"{platform.system()} {platform.machine()}, {cores} CPU cores"
    # Importing TensorFlow only to describe the machine would cost seconds in baseline-only runs.
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is None:
        return text
    gpus = tensorflow.config.list_physical_devices("GPU")
    return text + (f", {len(gpus)} GPU" if gpus else ", no GPU")
