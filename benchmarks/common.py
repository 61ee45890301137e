"""Helpers shared by the benchmarks: timing, peak memory, and the printed comparison table."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def real_ml1m_folder() -> Path | None:
    """The real ML-1M folder from $SESSREC_DATA or ../shared/data/ml-1m, if present."""
    for candidate in (os.environ.get("SESSREC_DATA"), REPO_ROOT.parent / "shared/data/ml-1m"):
        if candidate and (Path(candidate) / "ratings.dat").is_file():
            return Path(candidate)
    return None


@dataclass
class Timing:
    """Best and median wall time over repeats, in seconds, and the last call's result."""

    best: float
    median: float
    result: Any


def time_call(function: Callable[[], Any], repeats: int = 3, warmup: int = 0) -> Timing:
    """Call `function` `warmup + repeats` times and time the last `repeats` calls."""
    for _ in range(warmup):
        function()
    durations = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    durations.sort()
    return Timing(best=durations[0], median=durations[len(durations) // 2], result=result)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a Markdown table with a title line, so the output can be pasted into notes."""
    cells = [[_format(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    print(f"\n### {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def _format(value: Any) -> str:
    if isinstance(value, float):
        if value == 0 or 0.01 <= abs(value) < 1e6:
            return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
