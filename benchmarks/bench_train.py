"""GRU4Rec training throughput: sessrec's compiled trainer against a notebook-style Keras loop.

Both train GRU 100 with batch 256 and cross-entropy over the mini-batch's own targets on the
seed-preset train split of ML-1M (a generated log of the same shape when the real files are
absent). sessrec runs one whole epoch after a short warm-up that compiles the step. The
notebook loop (one-hot `[B, 1, n_items]` input, a stateful Keras GRU whose states are reset
through numpy between batches, a softmax Dense layer, `train_on_batch`) is far slower, so it is
timed on `NOTEBOOK_STEPS` batches and its events/s extrapolated to the epoch. Events/s counts
the training pairs (valid slots); events per CPU second uses this process's CPU time, which
shows the work done when other jobs share the machine.
"""

from __future__ import annotations

import os
import tempfile
import time
import types
from pathlib import Path

import numpy as np

from benchmarks.common import peak_rss_mb, print_table, real_ml1m_folder

HIDDEN = 100
BATCH = 256
NOTEBOOK_STEPS = 60
WARMUP_STEPS = 64


def training_log() -> tuple[object, int, str]:
    """The seed preset's train split (prepared into a temporary folder) and its item count."""
    from native_loader import SessionLog

    source = real_ml1m_folder()
    if source is None:
        rng = np.random.default_rng(0)
        lengths = np.minimum(rng.geometric(1 / 137, size=6_000) + 3, 1_800)
        session_ids = np.repeat(np.arange(len(lengths)), lengths)
        items = np.minimum(rng.zipf(1.2, size=int(lengths.sum())), 3_000) - 1
        log = SessionLog.from_arrays(session_ids, items, np.arange(len(items)))
        return log, 3_000, "generated (real ML-1M absent)"

    from sessrec.data import load_prepared, prepare, preset_options, resolve_source

    with tempfile.TemporaryDirectory() as folder:
        prepare(resolve_source(source), preset_options("seed"), Path(folder) / "seed")
        dataset = load_prepared(Path(folder) / "seed")
        return dataset.log("train"), dataset.n_items, "ML-1M seed preset, train split"


def slice_steps(batches: object, steps: slice) -> types.SimpleNamespace:
    """The batches of some steps only."""
    return types.SimpleNamespace(
        inputs=batches.inputs[steps],
        targets=batches.targets[steps],
        reset=batches.reset[steps],
        valid=batches.valid[steps],
    )


def sessrec_epoch(log: object, n_items: int, batches: object) -> dict[str, float]:
    """One full epoch of sessrec's trainer after a compiling warm-up on a few steps."""
    from sessrec.models.gru4rec import GRU4RecConfig
    from sessrec.models.gru4rec.network import GRU4RecNetwork
    from sessrec.training.loop import TrainingLoop

    config = GRU4RecConfig(
        layers=(HIDDEN,), embedding="onehot", batch_size=BATCH, n_sample=0,
        dropout_hidden=0.0, learning_rate=0.05, momentum=0.0,
    )  # fmt: skip
    loop = TrainingLoop(config, GRU4RecNetwork(config, n_items), np.bincount(log.item_ids))
    started = time.perf_counter()
    loop.run_epoch(slice_steps(batches, slice(0, WARMUP_STEPS)), 0)
    remainder = len(batches.inputs) % config.steps_per_call
    if remainder:  # the epoch's last, shorter chunk compiles once more
        loop.run_epoch(slice_steps(batches, slice(0, remainder)), 0)
    compile_seconds = time.perf_counter() - started

    wall, cpu = time.perf_counter(), time.process_time()
    stats = loop.run_epoch(batches, 1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "events": stats.events, "wall": wall, "cpu": cpu, "loss": stats.loss,
        "compile": compile_seconds, "rss": peak_rss_mb(),
    }  # fmt: skip


def notebook_loop(n_items: int, batches: object) -> dict[str, float]:
    """The classic Keras notebook: one-hot input, stateful GRU, numpy resets, train_on_batch."""
    import keras

    inputs = keras.Input(batch_shape=(BATCH, 1, n_items))
    gru = keras.layers.GRU(HIDDEN, stateful=True)
    outputs = keras.layers.Dense(n_items, activation="softmax")(gru(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adagrad(0.05), loss="categorical_crossentropy")

    def train_one(step: int) -> int:
        state = keras.ops.convert_to_numpy(gru.states[0])
        state[batches.reset[step]] = 0.0
        gru.states[0].assign(state)
        one_hot_inputs = np.zeros((BATCH, 1, n_items), np.float32)
        one_hot_inputs[np.arange(BATCH), 0, batches.inputs[step]] = 1.0
        one_hot_targets = np.zeros((BATCH, n_items), np.float32)
        one_hot_targets[np.arange(BATCH), batches.targets[step]] = 1.0
        model.train_on_batch(one_hot_inputs, one_hot_targets)
        return int(batches.valid[step].sum())

    for step in range(3):
        train_one(step)
    wall, cpu = time.perf_counter(), time.process_time()
    events = sum(train_one(step) for step in range(3, 3 + NOTEBOOK_STEPS))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"events": events, "wall": wall, "cpu": cpu, "rss": peak_rss_mb()}


def main() -> None:
    """Print the throughput table (events/s, seconds per epoch, speed-up, peak memory)."""
    from native_loader import session_parallel_batches
    from sessrec.models.gru4rec.runtime import configure_tensorflow_threads
    from sessrec.utils.progress import set_progress_enabled

    configure_tensorflow_threads()
    set_progress_enabled(False)
    log, n_items, source = training_log()
    batches = session_parallel_batches(log, BATCH, order="time")
    epoch_events = int(batches.valid.sum())
    print(f"data: {source}; {epoch_events:,} training pairs, {n_items:,} items, "
          f"{batches.steps:,} steps of {BATCH}; cpus: {len(os.sched_getaffinity(0))}; "
          f"load average before: {os.getloadavg()[0]:.1f}")  # fmt: skip

    ours = sessrec_epoch(log, n_items, batches)
    theirs = notebook_loop(n_items, batches)
    ours_rate = ours["events"] / ours["wall"]
    theirs_rate = theirs["events"] / theirs["wall"]
    rows = [
        [
            "notebook Keras loop (extrapolated)", theirs_rate, theirs["events"] / theirs["cpu"],
            epoch_events / theirs_rate, 1.0, theirs["rss"],
        ],
        [
            "sessrec trainer (XLA, 64 steps per call, 1 thread per op)", ours_rate,
            ours["events"] / ours["cpu"], ours["wall"], ours_rate / theirs_rate, ours["rss"],
        ],
    ]  # fmt: skip
    print_table(
        f"GRU4Rec training, GRU {HIDDEN}, batch {BATCH}, in-batch cross-entropy",
        ["trainer", "events/s", "events/CPU s", "s per epoch", "speed-up", "peak RSS MiB"],
        rows,
    )
    print(f"\nsessrec: compile + warm-up {ours['compile']:.1f} s, epoch loss {ours['loss']:.3f}; "
          f"notebook timed on {NOTEBOOK_STEPS} batches; "
          f"load average after: {os.getloadavg()[0]:.1f}")  # fmt: skip
