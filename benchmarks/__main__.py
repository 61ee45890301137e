"""Run the benchmarks: `python -m benchmarks [NAME ...]`, e.g. `python -m benchmarks loader`.

Each module `benchmarks/bench_NAME.py` has a `main() -> None` that prints its own table with
ratios against a reference implementation measured in the same run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

ORDER = ["prep", "loader", "eval", "train"]


def available() -> list[str]:
    """Benchmark names found in this folder, in pipeline order."""
    folder = Path(__file__).parent
    modules = pkgutil.iter_modules([str(folder)])
    names = [m.name[len("bench_") :] for m in modules if m.name.startswith("bench_")]
    return sorted(names, key=lambda name: (ORDER.index(name) if name in ORDER else 99, name))


def main(arguments: list[str]) -> int:
    """Run the named benchmarks (all when none are named) and print their tables."""
    names = arguments or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    for name in names:
        started = time.perf_counter()
        print(f"\n## benchmark: {name}", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main()
        print(f"\n({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
