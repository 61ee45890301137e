"""Seed-preset prep of the real ML-1M: polars engine vs pandas engine vs a notebook-style script.

The notebook-style pipeline is how the original analysis did it: `read_csv(sep='::')` on the
python parser and an `isin`-based cleansing loop. All three must give the same split sizes.
Wall time is the headline; CPU seconds per call (all threads) are printed beside it because
on a shared machine the wall time of every pipeline stretches with the load.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import peak_rss_mb, print_table, real_ml1m_folder, time_call
from sessrec.data import prepare, preset_options, resolve_source, run_engine

DAY = 86400


def notebook_cleanse(data: pd.DataFrame, min_length: int, min_support: int) -> pd.DataFrame:
    """The notebook's loop: filter users by length, then items by support, until stable."""
    while True:
        before = len(data)
        lengths = data.groupby("UserId").size()
        data = data[np.isin(data.UserId, lengths[lengths >= min_length].index)]
        supports = data.groupby("ItemId").size()
        data = data[np.isin(data.ItemId, supports[supports >= min_support].index)]
        if len(data) == before:
            return data


def notebook_pipeline(folder: Path) -> tuple[int, int, int]:
    """Seed preset the way a notebook would write it; returns the three split sizes."""
    names = ["UserId", "ItemId", "Rating", "Time"]
    data = pd.read_csv(folder / "ratings.dat", sep="::", engine="python", names=names)
    data = data[data.Rating >= 3]
    data = notebook_cleanse(data, 3, 10)
    data = data.sort_values(["UserId", "Time"], kind="mergesort")

    test_cut = data.Time.max() - 14 * DAY
    rest, test = data[data.Time < test_cut], data[data.Time >= test_cut]
    valid_cut = rest.Time.max() - 14 * DAY
    train, valid = rest[rest.Time < valid_cut], rest[rest.Time >= valid_cut]
    train = notebook_cleanse(train, 2, 5)
    valid = notebook_cleanse(valid[np.isin(valid.ItemId, train.ItemId)], 2, 1)
    test = notebook_cleanse(test[np.isin(test.ItemId, train.ItemId)], 2, 1)

    item_ids = pd.Series(np.arange(train.ItemId.nunique()), index=np.sort(train.ItemId.unique()))
    for frame in (train, valid, test):
        frame.loc[:, "ItemIdx"] = item_ids[frame.ItemId].to_numpy()
    return len(train), len(valid), len(test)


def main() -> None:
    """Time the three ways in this process and print the table with ratios."""
    folder = real_ml1m_folder()
    if folder is None:
        print("skipped: real ML-1M not found (set SESSREC_DATA or put it at ../shared/data/ml-1m)")
        return
    source = resolve_source(folder)

    def engine_sizes(engine: str) -> tuple[int, int, int]:
        result = run_engine(source, preset_options("seed", engine=engine))
        return result.train.height, result.valid.height, result.test.height

    def polars_with_writing() -> tuple[int, int, int]:
        with tempfile.TemporaryDirectory() as scratch:
            report = prepare(source, preset_options("seed"), Path(scratch) / "prepared")
        return tuple(report.result.split(name).height for name in ("train", "valid", "test"))

    pipelines = {
        "polars engine": (lambda: engine_sizes("polars"), 11, 2),
        "pandas engine": (lambda: engine_sizes("pandas"), 3, 1),
        "notebook-style pandas": (lambda: notebook_pipeline(folder), 3, 0),
        "polars engine + write folder": (polars_with_writing, 5, 1),
    }
    timings, cpu = {}, {}
    for name, (function, repeats, warmup) in pipelines.items():
        cpu_before = time.process_time()
        timings[name] = time_call(function, repeats=repeats, warmup=warmup)
        cpu[name] = (time.process_time() - cpu_before) / (repeats + warmup)
    sizes = {name: timing.result for name, timing in timings.items()}
    if len(set(sizes.values())) != 1:
        raise SystemExit(f"the pipelines disagree on split sizes: {sizes}")

    notebook = timings["notebook-style pandas"].median
    rows = [
        [
            name,
            timing.best,
            timing.median,
            notebook / timing.median,
            cpu[name],
            cpu["notebook-style pandas"] / cpu[name],
        ]
        for name, timing in timings.items()
    ]
    print_table(
        f"seed-preset prep of ML-1M (train/valid/test {'/'.join(map(str, sizes['polars engine']))};"
        f" peak RSS {peak_rss_mb():,.0f} MiB; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)",
        ["pipeline", "best s", "median s", "speed-up (median)", "CPU s/call", "CPU speed-up"],
        rows,
    )
