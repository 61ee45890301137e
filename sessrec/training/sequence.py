"""Sequence training of GRU4Rec: truncated backpropagation through `bptt` session steps.

Classic GRU4Rec updates the weights after every session-parallel step (BPTT 1). With
`config.bptt = T > 1` the same session-parallel batches are cut into chunks of T steps: the
network runs through the chunk with its hidden state carried from the previous chunk (and
reset where a session starts), a loss is taken at every cell, and the weights change once per
chunk with the gradient flowing back through all T steps. On long histories such as
MovieLens' users this learns far more per epoch than BPTT 1 (see the README's section on
the leave-one-out protocol).
The trained network is the ordinary GRU4Rec network, so scoring, saving and evaluation are
unchanged.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from sessrec.errors import ConfigError
from sessrec.models.gru4rec import losses
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.models.gru4rec.network import GRU4RecNetwork
from sessrec.training.loop import TrainingLoop
from sessrec.training.optimizers import clip_by_global_norm


def make_training_loop(
    config: GRU4RecConfig, network: GRU4RecNetwork, item_counts: np.ndarray
) -> TrainingLoop:
    """The loop `config.bptt` asks for: one update per step (1) or per chunk of steps (> 1)."""
    if config.bptt > 1:
        return SequenceLoop(config, network, item_counts)
    return TrainingLoop(config, network, item_counts)


class SequenceLoop(TrainingLoop):
    """Truncated BPTT over chunks of `config.bptt` session-parallel steps, one update each.

    Holds the same variables as `TrainingLoop` (optimizer slots, hidden states, step
    counter), so checkpoints and `--resume` work alike; only the compiled function differs.
    `dropout_hidden` drops the scored output only: the state carried through the 50-odd
    steps of a chunk stays whole, as in the prototype that reached the target.
    A chunk has bptt x batch_size cells, too many to use every cell's target as a shared
    negative, so "cross-entropy" here is a sampled softmax: each cell's target against the
    chunk's `n_sample` popularity-sampled items, each weighted by 1 / (n_sample * q(item)),
    which estimates the full softmax without bias in the normaliser.
    """

    def __init__(
        self, config: GRU4RecConfig, network: GRU4RecNetwork, item_counts: np.ndarray
    ) -> None:
        if config.loss == "cross-entropy" and config.n_sample < 1:
            raise ConfigError("option n_sample: bptt > 1 with cross-entropy needs n_sample >= 1")
        super().__init__(config, network, item_counts)
        weights = np.power(
            np.maximum(np.asarray(item_counts, np.float64), 0.0), config.sample_alpha
        )
        weights[np.asarray(item_counts) <= 0] = 0.0
        probability = weights / weights.sum() if weights.sum() > 0 else np.ones_like(weights)
        expected = np.maximum(probability * max(config.n_sample, 1), 1e-30)
        self.log_expected_draws = tf.constant(np.log(expected).astype(np.float32))

    def row_losses(
        self, output: tf.Tensor, targets: tf.Tensor, valid: tf.Tensor, negatives: tf.Tensor
    ) -> tf.Tensor:
        """Per-cell loss `[N]`: full softmax, BPR-max as usual, or the sampled softmax above."""
        if self.config.loss != "cross-entropy":
            return super().row_losses(output, targets, valid, negatives)

        network = self.network
        target_scores = tf.reduce_sum(
            output * tf.gather(network.output_items, targets), axis=1
        ) + tf.gather(network.output_bias, targets)
        negative_scores = network.score_candidates(output, negatives)
        correction = self.config.logq * tf.gather(self.log_expected_draws, negatives)
        negative_scores = negative_scores - correction[None, :]
        accidental = tf.equal(targets[:, None], negatives[None, :])
        negative_scores = tf.where(accidental, losses.MASKED, negative_scores)
        logits = tf.concat([target_scores[:, None], negative_scores], axis=1)
        return tf.reduce_logsumexp(logits, axis=1) - target_scores

    @property
    def chunk_steps(self) -> int:
        """Steps of one chunk: `config.bptt`, one weight update each."""
        return self.config.bptt

    def run_chunk(
        self, inputs: np.ndarray, targets: np.ndarray, reset: np.ndarray, valid: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One update from `[bptt, B]` arrays; returns its mean loss and valid-cell count."""
        negatives = self.sampler.draw(1)[0]
        loss, events = self._compiled_chunk(inputs, targets, reset, valid, negatives)
        return np.array([float(loss)]), np.array([int(events)])

    def _train_chunk(
        self,
        inputs: tf.Tensor,
        targets: tf.Tensor,
        reset: tf.Tensor,
        valid: tf.Tensor,
        negatives: tf.Tensor,
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """One update from `[T, B]` arrays; returns (mean loss over valid cells, their count)."""
        n_steps = inputs.shape[0]
        hidden = self.config.layers[-1]
        first_seed = tf.cast(self.global_step, tf.int32) * n_steps
        rate = self.config.dropout_hidden

        with tf.GradientTape() as tape:
            states = [tf.convert_to_tensor(state) for state in self.states]
            outputs = tf.TensorArray(tf.float32, size=n_steps)
            for offset in tf.range(n_steps):
                keep = tf.logical_not(reset[offset])[:, None]
                states = [tf.where(keep, state, 0.0) for state in states]
                seed = tf.stack([self.config.seed, first_seed + offset])
                states = self.network.advance(inputs[offset], states, seed, carry_dropout=False)
                states = [tf.where(valid[offset][:, None], state, 0.0) for state in states]
                output = self.network._dropout(states[-1], rate, seed, len(states))
                outputs = outputs.write(offset, output)

            cell_valid = tf.reshape(valid, [-1])
            per_cell = self.row_losses(
                tf.reshape(outputs.stack(), [-1, hidden]),
                tf.reshape(targets, [-1]),
                cell_valid,
                negatives,
            )
            events = tf.reduce_sum(tf.cast(cell_valid, tf.float32))
            loss = tf.reduce_sum(tf.where(cell_valid, per_cell, 0.0)) / tf.maximum(events, 1.0)

        gradients = [
            self._prepare_gradient(variable, gradient)
            for variable, gradient in zip(
                self.trainable, tape.gradient(loss, self.trainable), strict=True
            )
        ]
        if self.config.clipnorm > 0:
            gradients = clip_by_global_norm(gradients, self.config.clipnorm)
        self.optimizer.apply(gradients)

        for state, new_state in zip(self.states, states, strict=True):
            state.assign(tf.stop_gradient(new_state))
        self.global_step.assign_add(1)
        return loss, events
