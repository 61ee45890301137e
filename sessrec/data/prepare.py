"""`prepare`: locate the log, run the chosen engine, compute statistics, write the folder."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sessrec.data.item_metadata import read_item_metadata
from sessrec.data.options import PrepOptions
from sessrec.data.result import SPLITS, EngineResult
from sessrec.data.sources import LogSource
from sessrec.data.stats import all_split_stats, few_predictions_warning
from sessrec.data.writer import write_prepared

logger = logging.getLogger(__name__)


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
