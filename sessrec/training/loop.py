"""The compiled GRU4Rec training step and the epoch loop that feeds it chunks of batches."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from sessrec.errors import TrainingError
from sessrec.models.gru4rec import losses
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.models.gru4rec.network import GRU4RecNetwork, gather_rows
from sessrec.models.gru4rec.sampling import PopularitySampler, candidate_log_probability
from sessrec.training.optimizers import (
    RowGradient,
    clip_by_global_norm,
    make_optimizer,
    row_gradient,
)
from sessrec.utils.progress import progress

logger = logging.getLogger(__name__)


@dataclass
class EpochStats:
    """What one pass over the training batches measured."""

    loss: float
    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        """Training throughput."""
        return self.events / max(self.seconds, 1e-9)


class TrainingLoop(tf.Module):
    """Owns the optimizer, the in-graph hidden states and the compiled multi-step function.

    One call of the compiled function runs a chunk of up to `steps_per_call` session-parallel
    steps in a `tf.while_loop`: zero the reset slots, advance the GRU, score the candidates,
    take the gradient and update the weights, all without leaving the graph.
    """

    def __init__(
        self, config: GRU4RecConfig, network: GRU4RecNetwork, item_counts: np.ndarray
    ) -> None:
        super().__init__(name="training_loop")
        self.config = config
        self.network = network
        self.trainable = list(network.trainable_variables)
        self.optimizer = make_optimizer(config, self.trainable, network.row_sparse_variables)
        self.states = [
            tf.Variable(tf.zeros([config.batch_size, hidden]), trainable=False, name=f"state_{i}")
            for i, hidden in enumerate(config.layers)
        ]
        self.global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        self.sampler = PopularitySampler(
            item_counts, config.n_sample, config.sample_alpha, seed=config.seed + 1
        )
        log_popularity, log_sampling = candidate_log_probability(item_counts, config.sample_alpha)
        self.log_popularity = tf.constant(log_popularity)
        self.log_sampling = tf.constant(log_sampling)
        self._compiled_chunk = tf.function(self._train_chunk, jit_compile=config.jit_compile)

    @property
    def chunk_steps(self) -> int:
        """Session-parallel steps handed to one compiled call."""
        return self.config.steps_per_call

    def run_epoch(self, batches: object, epoch: int) -> EpochStats:
        """Train on one epoch of batches (`inputs`, `targets`, `reset`, `valid`: [steps, B])."""
        inputs, targets, reset, valid = pad_steps(batches, self.chunk_steps)
        if inputs.shape[1] != self.config.batch_size:
            raise TrainingError(f"batches have {inputs.shape[1]} slots, expected batch_size")

        for state in self.states:
            state.assign(tf.zeros_like(state))
        total_events = int(valid.sum())
        loss_sum, events_done = 0.0, 0
        started = time.perf_counter()
        bar = progress(total=total_events, unit="ev", unit_scale=True, desc=f"epoch {epoch}")
        with bar:
            for start in range(0, len(inputs), self.chunk_steps):
                chunk = slice(start, start + self.chunk_steps)
                chunk_losses, chunk_events = self.run_chunk(
                    inputs[chunk], targets[chunk], reset[chunk], valid[chunk]
                )
                _check_finite(chunk_losses, epoch, start)
                loss_sum += float(np.dot(chunk_losses, chunk_events))
                events_done += int(chunk_events.sum())
                bar.update(int(chunk_events.sum()))
                bar.set_postfix(loss=f"{loss_sum / max(events_done, 1):.4f}", refresh=False)

        seconds = time.perf_counter() - started
        return EpochStats(loss=loss_sum / max(events_done, 1), events=events_done, seconds=seconds)

    def run_chunk(
        self, inputs: np.ndarray, targets: np.ndarray, reset: np.ndarray, valid: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Train on `[chunk_steps, B]` arrays; returns each update's mean loss and cell count."""
        negatives = self.sampler.draw(self.chunk_steps)
        step_losses, step_events = self._compiled_chunk(inputs, targets, reset, valid, negatives)
        return step_losses.numpy(), step_events.numpy()

    def _train_chunk(
        self,
        inputs: tf.Tensor,
        targets: tf.Tensor,
        reset: tf.Tensor,
        valid: tf.Tensor,
        negatives: tf.Tensor,
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Run `inputs.shape[0]` steps; returns each step's mean loss and valid-slot count.

        A step without any valid slot (the padding that fills the epoch's last chunk) changes
        nothing: no update, no momentum, no step count (masked, not branched: a conditional
        around the step made XLA copy every variable and tripled the step's cost).
        """
        n_steps = tf.shape(inputs)[0]
        step_losses = tf.TensorArray(tf.float32, size=n_steps)
        step_events = tf.TensorArray(tf.float32, size=n_steps)
        for offset in tf.range(n_steps):
            loss, events = self.train_step(
                inputs[offset], targets[offset], reset[offset], valid[offset], negatives[offset]
            )
            step_losses = step_losses.write(offset, loss)
            step_events = step_events.write(offset, events)
        return step_losses.stack(), step_events.stack()

    def train_step(
        self,
        inputs: tf.Tensor,
        targets: tf.Tensor,
        reset: tf.Tensor,
        valid: tf.Tensor,
        negatives: tf.Tensor,
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """One session-parallel step on `[B]` arrays; returns (mean loss, valid slots)."""
        loss, events, raw_gradients, new_states = self.loss_and_gradients(
            inputs, targets, reset, valid, negatives
        )
        gradients = [
            self._prepare_gradient(variable, gradient)
            for variable, gradient in zip(self.trainable, raw_gradients, strict=True)
        ]
        if self.config.clipnorm > 0:
            gradients = clip_by_global_norm(gradients, self.config.clipnorm)
        active = tf.reduce_any(valid)
        self.optimizer.apply(gradients, active)

        for state, new_state in zip(self.states, new_states, strict=True):
            state.assign(tf.where(valid[:, None], new_state, 0.0))
        self.global_step.assign_add(tf.cast(active, tf.int64))
        return loss, events

    def loss_and_gradients(
        self,
        inputs: tf.Tensor,
        targets: tf.Tensor,
        reset: tf.Tensor,
        valid: tf.Tensor,
        negatives: tf.Tensor,
    ) -> tuple[tf.Tensor, tf.Tensor, list, list[tf.Tensor]]:
        """Mean loss over valid slots, their count, raw gradients and the new hidden states.

        Slots flagged in `reset` start from a zero state; padded slots (`valid` false) are
        left out of the mean, so they add nothing to the loss or to any gradient.
        """
        keep = tf.logical_not(reset)[:, None]
        states = [tf.where(keep, state, 0.0) for state in self.states]
        dropout_seed = tf.stack([self.config.seed, tf.cast(self.global_step, tf.int32)])

        with tf.GradientTape() as tape:
            new_states = self.network.advance(inputs, states, dropout_seed)
            per_row = self.row_losses(new_states[-1], targets, valid, negatives)
            events = tf.reduce_sum(tf.cast(valid, tf.float32))
            loss = tf.reduce_sum(tf.where(valid, per_row, 0.0)) / tf.maximum(events, 1.0)
        return loss, events, tape.gradient(loss, self.trainable), new_states

    @staticmethod
    def _prepare_gradient(
        variable: tf.Variable, gradient: tf.Tensor | tf.IndexedSlices | None
    ) -> tf.Tensor | RowGradient:
        """Row gradients for looked-up item matrices, dense tensors for everything else."""
        if gradient is None:
            return tf.zeros_like(variable)
        if isinstance(gradient, tf.IndexedSlices):
            return row_gradient(gradient)
        return gradient

    def row_losses(
        self, output: tf.Tensor, targets: tf.Tensor, valid: tf.Tensor, negatives: tf.Tensor
    ) -> tf.Tensor:
        """Per-slot loss `[B]` of the configured kind for final-layer outputs `[B, H]`."""
        if self.config.loss == "softmax":
            return losses.full_softmax(self.network.score_all(output), targets)

        candidates = tf.concat([targets, negatives], axis=0)
        scores = self.network.score_candidates(output, candidates)
        allowed = losses.negative_mask(targets, candidates, valid)
        if self.config.loss == "bpr-max":
            return losses.bpr_max(scores, allowed, self.config.bpreg, self.config.elu_param)

        log_q = tf.concat(
            [gather_rows(self.log_popularity, targets), gather_rows(self.log_sampling, negatives)],
            axis=0,
        )
        return losses.sampled_cross_entropy(scores, allowed, log_q, self.config.logq)


def pad_steps(batches: object, multiple: int) -> tuple[np.ndarray, ...]:
    """`inputs, targets, reset, valid` padded with empty steps to a multiple of `multiple`.

    Padded steps are all-zero (invalid, no reset), so every compiled call sees the same shape
    and the step compiles once per run.
    """
    arrays = [np.asarray(getattr(batches, name)) for name in ("inputs", "targets", "reset")]
    arrays.append(np.asarray(batches.valid))
    missing = -len(arrays[0]) % multiple
    if missing == 0:
        return tuple(arrays)
    return tuple(
        np.concatenate([array, np.zeros((missing, array.shape[1]), array.dtype)])
        for array in arrays
    )


def _check_finite(step_losses: np.ndarray, epoch: int, first_step: int) -> None:
    """Stop with a TrainingError naming the epoch and step of the first NaN/inf loss."""
    bad = np.flatnonzero(~np.isfinite(step_losses))
    if bad.size:
        step = first_step + int(bad[0])
        raise TrainingError(
            f"loss became {step_losses[bad[0]]} at epoch {epoch}, step {step}: "
            "lower learning_rate or set clipnorm"
        )
