"""GRU4Rec learns a fixed item cycle, every loss lowers itself, and a NaN loss stops training."""

from __future__ import annotations

import numpy as np
import pytest
from training_data import cyclic_log, random_log

from sessrec.errors import TrainingError
from sessrec.evaluation import evaluate
from sessrec.models.gru4rec import GRU4Rec, GRU4RecConfig
from sessrec.training.loop import TrainingLoop
from sessrec.training.trainer import _epoch_batches

N_ITEMS = 15
# A tiny, quickly traced configuration: compiling with XLA costs more than it saves here.
TINY = GRU4RecConfig(
    layers=(24,),
    batch_size=16,
    n_sample=8,
    learning_rate=0.1,
    momentum=0.2,
    dropout_hidden=0.0,
    epochs=1,
    steps_per_call=32,
    jit_compile=False,
)


def epoch_losses(config: GRU4RecConfig, log, epochs: int) -> list[float]:
    """Train a fresh model on `log` and return the mean loss of each epoch."""
    model = GRU4Rec(N_ITEMS, config)
    loop = TrainingLoop(config, model.network, np.bincount(log.item_ids, minlength=N_ITEMS))
    return [
        loop.run_epoch(_epoch_batches(log, config, epoch), epoch).loss
        for epoch in range(1, epochs + 1)
    ]


def test_learns_a_fixed_cycle_and_generalises_to_new_sessions():
    config = TINY.replace(epochs=6, session_order="shuffle")
    model = GRU4Rec(N_ITEMS, config)
    model.fit(cyclic_log(N_ITEMS, 120, seed=1))

    held_out = cyclic_log(N_ITEMS, 30, seed=7, first_session=5_000)
    result = evaluate(model, held_out, cutoffs=(1,), bootstrap=0)
    assert result["recall@1"] > 0.9


@pytest.mark.parametrize(
    "changes",
    [
        {"loss": "cross-entropy"},
        {
            "loss": "cross-entropy",
            "embedding": "onehot",
            "optimizer": "adam",
            "learning_rate": 0.01,
        },
        {"loss": "cross-entropy", "embedding": "separate", "embedding_size": 8, "clipnorm": 1.0},
        {"loss": "bpr-max", "bpreg": 0.5, "dropout_hidden": 0.2},
        {"loss": "softmax", "layers": (16, 12)},
    ],
    ids=["xe-constrained", "xe-onehot-adam", "xe-separate-clip", "bpr-max", "softmax-2-layers"],
)
def test_every_loss_runs_and_decreases(changes):
    losses = epoch_losses(TINY.replace(**changes), cyclic_log(N_ITEMS, 60, seed=2), epochs=4)
    assert all(np.isfinite(losses))
    assert losses[-1] < 0.8 * losses[0]


def test_random_log_loss_stays_finite_with_many_negatives():
    losses = epoch_losses(TINY.replace(n_sample=64), random_log(N_ITEMS, 40, seed=3), epochs=2)
    assert all(np.isfinite(losses))


def test_nan_loss_stops_with_epoch_and_step():
    config = TINY
    log = cyclic_log(N_ITEMS, 30, seed=4)
    model = GRU4Rec(N_ITEMS, config)
    loop = TrainingLoop(config, model.network, np.bincount(log.item_ids, minlength=N_ITEMS))
    model.network.output_bias.assign(np.full(N_ITEMS, np.nan, np.float32))
    with pytest.raises(TrainingError, match=r"loss became nan at epoch 3, step 0"):
        loop.run_epoch(_epoch_batches(log, config, 3), 3)
