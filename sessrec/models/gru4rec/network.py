"""The GRU4Rec network as plain TensorFlow variables: item input, GRU layers, item scores."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from sessrec.models.gru4rec.config import GRU4RecConfig

# Gate blocks inside every [.., 3 * hidden] kernel: candidate, reset, update.
GATES = 3


def uniform_init(rng: np.random.Generator, rows: int, columns: int, gates: int = 1) -> np.ndarray:
    """GRU4Rec's initialiser: U(-s, s) with s = sqrt(6 / (rows + columns / gates))."""
    limit = np.sqrt(6.0 / (rows + columns / gates))
    return rng.uniform(-limit, limit, size=(rows, columns)).astype(np.float32)


def gather_rows(table: tf.Tensor | tf.Variable, ids: tf.Tensor) -> tf.Tensor:
    """`tf.gather(table, ids)` computed on its own, not fused into the ops that use it.

    XLA on CPU fuses a gather into its elementwise consumers, and the fused loop (index
    arithmetic per element, no vectorisation, recomputed for every consumer) ran about six
    times slower than gathering first. The gather sits in both branches of a conditional
    whose predicate depends on the data (so XLA cannot fold it away); both branches are the
    same, so the predicate's value does not matter.
    """
    ids = tf.convert_to_tensor(ids)
    data_dependent = tf.reduce_any(tf.equal(ids, 0))
    return tf.cond(data_dependent, lambda: tf.gather(table, ids), lambda: tf.gather(table, ids))


class GRU4RecNetwork(tf.Module):
    """Weights of one GRU4Rec model and the maths of one session-parallel step.

    Shapes: item ids `[B]`, hidden states one `[B, hidden]` per layer, item scores
    `[B, n_candidates]`. In "onehot" mode the first layer's input kernel has one row per
    item, so looking up a row is the product of a one-hot vector with that kernel.
    """

    def __init__(self, config: GRU4RecConfig, n_items: int) -> None:
        super().__init__(name="gru4rec")
        self.config = config
        self.n_items = n_items
        rng = np.random.default_rng(config.seed)
        layers = config.layers

        self.output_items = tf.Variable(uniform_init(rng, n_items, layers[-1]), name="items")
        self.output_bias = tf.Variable(np.zeros(n_items, np.float32), name="item_bias")
        if config.embedding == "separate":
            embedding = uniform_init(rng, n_items, config.input_size)
            self.item_embedding = tf.Variable(embedding, name="item_embedding")

        self.input_kernels = []
        self.recurrent_kernels = []
        self.biases = []
        for index, hidden in enumerate(layers):
            if index == 0:
                rows = n_items if config.embedding == "onehot" else config.input_size
            else:
                rows = layers[index - 1]
            kernel = uniform_init(rng, rows, GATES * hidden, gates=GATES)
            recurrent = uniform_init(rng, hidden, GATES * hidden, gates=GATES)
            self.input_kernels.append(tf.Variable(kernel, name=f"input_kernel_{index}"))
            self.recurrent_kernels.append(tf.Variable(recurrent, name=f"recurrent_{index}"))
            self.biases.append(
                tf.Variable(np.zeros(GATES * hidden, np.float32), name=f"bias_{index}")
            )

    @property
    def row_sparse_variables(self) -> list[tf.Variable]:
        """Variables indexed by item id: only their looked-up rows change in a step."""
        sparse = [self.output_items, self.output_bias]
        if self.config.embedding == "separate":
            sparse.append(self.item_embedding)
        if self.config.embedding == "onehot":
            sparse.append(self.input_kernels[0])
        return sparse

    def zero_states(self, batch_size: int) -> list[tf.Tensor]:
        """One all-zero hidden state per layer."""
        return [tf.zeros([batch_size, hidden]) for hidden in self.config.layers]

    def advance(
        self,
        inputs: tf.Tensor,
        states: list[tf.Tensor],
        dropout_seed: tf.Tensor | None = None,
        carry_dropout: bool = True,
    ) -> list[tf.Tensor]:
        """Feed one item per slot through every layer; returns the new states (last = output).

        Dropout applies only when `dropout_seed` (an int32 pair) is given, i.e. in training.
        Like the reference implementation, the dropped-out activation is what the next
        step sees as the state; with `carry_dropout=False` the states are kept undropped
        (dropout then only feeds the next layer; sequence training drops the output itself).
        """
        onehot = self.config.embedding == "onehot"
        if onehot:
            layer_input = None
        else:
            table = self.output_items if self.config.embedding == "constrained" else None
            table = self.item_embedding if table is None else table
            layer_input = self._dropout(
                tf.gather(table, inputs), self.config.dropout_embedding, dropout_seed, 0
            )

        new_states = []
        for index, state in enumerate(states):
            if onehot and index == 0:
                projected = gather_rows(self.input_kernels[0], inputs) + self.biases[0]
            else:
                projected = tf.matmul(layer_input, self.input_kernels[index]) + self.biases[index]
            hidden = gru_update(projected, tf.matmul(state, self.recurrent_kernels[index]), state)
            rate = self.config.dropout_embedding if onehot and index == 0 else None
            rate = self.config.dropout_hidden if rate is None else rate
            layer_input = self._dropout(hidden, rate, dropout_seed, index + 1)
            new_states.append(layer_input if carry_dropout else hidden)
        return new_states

    def score_candidates(self, output: tf.Tensor, candidates: tf.Tensor) -> tf.Tensor:
        """Scores `[B, C]` of the candidate items `[C]`: output · items^T + bias."""
        weights = tf.gather(self.output_items, candidates)
        bias = gather_rows(self.output_bias, candidates)
        return tf.matmul(output, weights, transpose_b=True) + bias

    def score_all(self, output: tf.Tensor) -> tf.Tensor:
        """Scores `[B, n_items]` of every item."""
        return tf.matmul(output, self.output_items, transpose_b=True) + self.output_bias

    @staticmethod
    def _dropout(values: tf.Tensor, rate: float, seed: tf.Tensor | None, salt: int) -> tf.Tensor:
        if seed is None or rate <= 0.0:
            return values
        layer_seed = seed + tf.constant([0, 7919], tf.int32) * salt
        return tf.nn.experimental.stateless_dropout(values, rate=rate, seed=layer_seed)


def gru_update(
    projected_input: tf.Tensor, projected_state: tf.Tensor, state: tf.Tensor
) -> tf.Tensor:
    """One GRU step from the input and state projections (`[B, 3H]` each, reset-after form)."""
    input_candidate, input_reset, input_update = tf.split(projected_input, GATES, axis=1)
    state_candidate, state_reset, state_update = tf.split(projected_state, GATES, axis=1)
    reset_gate = tf.sigmoid(input_reset + state_reset)
    update_gate = tf.sigmoid(input_update + state_update)
    candidate = tf.tanh(input_candidate + reset_gate * state_candidate)
    return (1.0 - update_gate) * state + update_gate * candidate
