"""Session-parallel batching: the numba kernel against a notebook-style numpy loader.

Events/s is the log's event count divided by the wall time of one whole epoch, for every row,
so a loader that drops pairs does less work for the same credit; events per CPU second is the
same count over this process's CPU time (the two differ when other jobs share the machine).
The notebook-style loader is the classic GRU4Rec loop (per-step fancy indexing, stop when no
session is left to start), written here only to be measured. Batch sizes: 32 (GRU4Rec's
original default) and 256 (the training benchmark's).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.common import peak_rss_mb, print_table, real_ml1m_folder
from native_loader import SessionLog, session_parallel_batches, tf_dataset

BATCH_SIZES = (32, 256)
GENERATED_EVENTS = 25_000_000


def timed(function: Callable[[], Any], repeats: int, warmup: int = 0) -> tuple[float, float, Any]:
    """Best wall time over `repeats` calls, the process CPU time of that call, and its result.

    Other jobs on a shared machine inflate wall time; CPU time shows what this process used.
    """
    for _ in range(warmup):
        function()
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeats):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        result = function()
        wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
        if wall < best_wall:
            best_wall, best_cpu = wall, cpu
    return best_wall, best_cpu, result


def notebook_epoch(log: SessionLog, batch_size: int) -> int:
    """Iterate one epoch the way notebooks do and return how many pairs reached the consumer."""
    offsets, items = log.session_offsets, log.item_ids
    slots = np.arange(batch_size)
    last_started = batch_size - 1
    start, end = offsets[slots].copy(), offsets[slots + 1].copy()
    emitted = 0
    finished = False
    while not finished:
        shortest = int((end - start).min())
        targets = items[start]
        for offset in range(shortest - 1):
            inputs = targets
            targets = items[start + offset + 1]
            emitted += len(inputs)
        start = start + shortest - 1
        for slot in np.arange(len(slots))[(end - start) <= 1]:
            last_started += 1
            if last_started >= log.n_sessions:
                finished = True
                break
            start[slot], end[slot] = offsets[last_started], offsets[last_started + 1]
    return emitted


def generated_log(n_events: int, seed: int = 0) -> SessionLog:
    """A synthetic log: session lengths 1 + geometric (at least 2, mean 20), Zipf-like items."""
    rng = np.random.default_rng(seed)
    lengths = 1 + rng.geometric(1 / 19, size=n_events // 10)
    lengths = lengths[: int(np.searchsorted(np.cumsum(lengths), n_events)) + 1]
    lengths[-1] -= int(lengths.sum()) - n_events
    if lengths[-1] < 2:
        lengths = np.concatenate([lengths[:-2], [lengths[-2] + lengths[-1]]])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    items = np.minimum(rng.zipf(1.2, size=n_events), 30_000).astype(np.int32) - 1
    return SessionLog(offsets, items, np.arange(len(lengths)))


def seed_train_log() -> SessionLog | None:
    """The seed-preset train split of the real ML-1M, prepared by sessrec.data, if present."""
    folder = real_ml1m_folder()
    if folder is None:
        print("ML-1M rows skipped: real data not found (set SESSREC_DATA)")
        return None
    from sessrec.data import preset_options, resolve_source, run_engine

    train = run_engine(resolve_source(folder), preset_options("seed")).train
    return SessionLog.from_arrays(
        train["session_id"].to_numpy(), train["item_id"].to_numpy(), train["timestamp"].to_numpy()
    )


def compare_rows(name: str, log: SessionLog, batch_size: int, notebook_repeats: int) -> list:
    """Kernel (one and two threads) and notebook rows for one log, measured back to back."""
    kernel = timed(lambda: session_parallel_batches(log, batch_size), repeats=3, warmup=1)
    threaded = timed(lambda: session_parallel_batches(log, batch_size, workers=2), 3, warmup=1)
    notebook = timed(lambda: notebook_epoch(log, batch_size), repeats=notebook_repeats)
    return [
        _row(name, batch_size, "numba kernel", log, kernel, kernel[2].n_pairs),
        _row(name, batch_size, "numba kernel, 2 threads", log, threaded, threaded[2].n_pairs),
        _row(name, batch_size, "notebook numpy", log, notebook, notebook[2]),
    ]


def tf_row(name: str, log: SessionLog, batch_size: int, steps_per_element: int) -> list:
    """Build the tf.data pipeline (one copy of the epoch) and run through it doing nothing.

    The loop is `Dataset.reduce`, so it runs inside TensorFlow as a compiled training loop
    would; a Python `for` over the dataset adds TensorFlow's eager per-element cost on top.
    """
    batches = session_parallel_batches(log, batch_size)

    def iterate() -> int:
        dataset = tf_dataset(batches, steps_per_element=steps_per_element)
        return int(dataset.reduce(np.int64(0), lambda count, _: count + 1))

    timing = timed(iterate, repeats=2, warmup=1)
    label = f"tf.data, {steps_per_element} step(s)/element"
    return _row(name, batch_size, label, log, timing, batches.n_pairs)


def _row(name: str, batch_size: int, loader: str, log: SessionLog, timing: tuple, pairs) -> list:
    wall, cpu, _ = timing
    rates = [log.n_events / wall, log.n_events / cpu]
    return [name, batch_size, loader, log.n_events, wall, *rates, 100.0 * pairs / log.n_pairs]


def throughput_rows(real: SessionLog | None, generated: SessionLog) -> list[list]:
    """Every row of the main table, each with the kernel's speed (per CPU s) over its own."""
    rows = []
    for batch_size in BATCH_SIZES:
        if real is not None:
            rows += compare_rows("ML-1M seed train", real, batch_size, notebook_repeats=3)
            rows.append(tf_row("ML-1M seed train", real, batch_size, steps_per_element=1))
            rows.append(tf_row("ML-1M seed train", real, batch_size, steps_per_element=64))
        rows += compare_rows("generated 25M", generated, batch_size, notebook_repeats=1)
        rows.append(tf_row("generated 25M", generated, batch_size, steps_per_element=64))

    # The ratio uses CPU time, which other jobs on a shared machine disturb far less.
    kernel_rates = {(row[0], row[1]): row[6] for row in rows if row[2] == "numba kernel"}
    for row in rows:
        row.append(kernel_rates[(row[0], row[1])] / row[6])
    return rows


def main() -> None:
    """Print the throughput table, the notebook loader's losses and the linearity check."""
    started = time.perf_counter()
    generated = generated_log(GENERATED_EVENTS)
    print(f"generated {generated.n_events:,} events in {generated.n_sessions:,} sessions "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    real = seed_train_log()
    if real is not None:
        print(f"ML-1M seed train: {real.n_events:,} events, {real.n_sessions:,} sessions")

    headers = ["log", "batch", "loader", "events", "best s", "events/s", "events/CPU s"]
    headers += ["% pairs", "kernel / this (CPU)"]
    print_table("Session-parallel epoch", headers, throughput_rows(real, generated))

    if real is not None:
        drop_rows = [
            [batch_size, 100.0 - 100.0 * notebook_epoch(real, batch_size) / real.n_pairs]
            for batch_size in (32, 50, 128, 256, 512)
        ]
        print_table("Pairs the notebook loader drops, ML-1M seed train", ["batch", "% dropped"],
                    drop_rows)  # fmt: skip

    linear_rows = []
    for n_events in (1_000_000, 5_000_000, 25_000_000):
        log = generated if n_events == generated.n_events else generated_log(n_events)
        wall, cpu, _ = timed(lambda log=log: session_parallel_batches(log, 32), 3, 1)
        linear_rows.append([n_events, wall, n_events / wall, 1e9 * wall / n_events, cpu])
    headers = ["events", "best s", "events/s", "ns/event", "CPU s"]
    print_table("Linearity of the numba kernel, batch 32", headers, linear_rows)
    print(f"\npeak memory {peak_rss_mb():,.0f} MiB")
