"""Adagrad with momentum (GRU4Rec's own variant) and Adam, as plain TF variable updates.

Both run inside the compiled training step. Item-indexed matrices ("row-sparse" variables)
get the reference implementation's indexed update: only rows with a non-zero gradient change
(accumulator, momentum and weights alike), so an item absent from a step is left alone.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.models.gru4rec.network import gather_rows


class RowGradient(NamedTuple):
    """Gradient of an item-indexed matrix on the rows a step looked up.

    `values[k]` is the full (duplicates summed) gradient of row `indices[k]`; a row looked up
    twice appears twice with the same values, so scattering results back is order-free.
    `squared_norm` is the squared norm of the coalesced gradient, for clipping.
    """

    values: tf.Tensor
    indices: tf.Tensor
    squared_norm: tf.Tensor


def row_gradient(gradient: tf.IndexedSlices) -> RowGradient:
    """Coalesce an IndexedSlices gradient (from tf.gather) into a RowGradient.

    Sorting the looked-up row ids and summing runs of equal ids costs O(N log N) in the
    number of lookups, independent of the matrix size, and compiles with XLA (no tf.unique).
    """
    order = tf.argsort(gradient.indices, stable=True)
    rows = tf.gather(gradient.indices, order)
    starts = tf.concat([[True], tf.not_equal(rows[1:], rows[:-1])], axis=0)
    segments = tf.cumsum(tf.cast(starts, tf.int32)) - 1
    sums = tf.math.unsorted_segment_sum(
        gather_rows(gradient.values, order), segments, tf.shape(rows)[0]
    )
    return RowGradient(
        values=gather_rows(sums, segments),
        indices=rows,
        squared_norm=tf.reduce_sum(tf.square(sums)),
    )


def clip_by_global_norm(gradients: list, clipnorm: float) -> list:
    """Scale every gradient (dense or RowGradient) so their joint norm is at most `clipnorm`."""
    squared = [
        gradient.squared_norm if isinstance(gradient, RowGradient) else tf.reduce_sum(gradient**2)
        for gradient in gradients
    ]
    norm = tf.sqrt(tf.add_n(squared))
    scale = clipnorm / tf.maximum(norm, clipnorm)
    return [
        RowGradient(g.values * scale, g.indices, g.squared_norm * scale**2)
        if isinstance(g, RowGradient)
        else g * scale
        for g in gradients
    ]


class Optimizer(tf.Module):
    """Shared plumbing: slot variables per weight and an `apply(gradients)` inside tf.function."""

    def __init__(self, variables: list[tf.Variable], row_sparse: list[tf.Variable]) -> None:
        super().__init__()
        self.weights = list(variables)
        sparse_ids = {id(variable) for variable in row_sparse}
        self.row_sparse = [id(variable) in sparse_ids for variable in self.weights]
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations")

    def _slots(self, name: str) -> list[tf.Variable]:
        return [
            tf.Variable(tf.zeros_like(variable), trainable=False, name=f"{name}_{index}")
            for index, variable in enumerate(self.weights)
        ]

    def apply(
        self, gradients: list[tf.Tensor | RowGradient], active: tf.Tensor | None = None
    ) -> None:
        """Update every variable from its dense gradient or RowGradient.

        `active` (a scalar bool) false turns the whole update into a no-op, slots included;
        a step of padding only passes it so, without a branch in the graph.
        """
        if active is None:
            active = tf.constant(True)
        self.iterations.assign_add(tf.cast(active, tf.int64))
        for index, (variable, gradient) in enumerate(zip(self.weights, gradients, strict=True)):
            rows = gradient.indices if isinstance(gradient, RowGradient) else None
            values = gradient.values if rows is not None else gradient
            touched = _touched_rows(values) if self.row_sparse[index] else active
            self._update(index, variable, values, rows, touched)

    def _update(
        self,
        index: int,
        variable: tf.Variable,
        gradient: tf.Tensor,
        rows: tf.Tensor | None,
        touched: tf.Tensor,
    ) -> None:
        """Update one variable; only where `touched` (rows, or a scalar for the whole)."""
        raise NotImplementedError


def _touched_rows(gradient: tf.Tensor) -> tf.Tensor:
    """`[rows, 1]` (or `[rows]` for vectors) bool: rows with any non-zero gradient."""
    if gradient.shape.rank == 1:
        return tf.not_equal(gradient, 0.0)
    return tf.reduce_any(tf.not_equal(gradient, 0.0), axis=1, keepdims=True)


def _read(variable: tf.Variable, rows: tf.Tensor | None) -> tf.Tensor:
    """The whole variable, or only the given rows."""
    return tf.convert_to_tensor(variable) if rows is None else gather_rows(variable, rows)


def _write(variable: tf.Variable, values: tf.Tensor, rows: tf.Tensor | None) -> None:
    """Overwrite the whole variable, or only the given rows (duplicates carry equal values)."""
    if rows is None:
        variable.assign(values)
    else:
        variable.scatter_update(tf.IndexedSlices(values, rows))


class AdagradMomentum(Optimizer):
    """Adagrad with optional momentum: m = mu*m - lr*g/sqrt(acc + eps); w += m."""

    def __init__(
        self,
        variables: list[tf.Variable],
        row_sparse: list[tf.Variable],
        learning_rate: float,
        momentum: float = 0.0,
        epsilon: float = 1e-6,
    ) -> None:
        super().__init__(variables, row_sparse)
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.epsilon = epsilon
        self.accumulators = self._slots("accumulator")
        self.momenta = self._slots("momentum") if momentum > 0 else []

    def _update(
        self,
        index: int,
        variable: tf.Variable,
        gradient: tf.Tensor,
        rows: tf.Tensor | None,
        touched: tf.Tensor,
    ) -> None:
        accumulated = _read(self.accumulators[index], rows) + tf.square(gradient)
        _write(self.accumulators[index], accumulated, rows)
        step = -self.learning_rate * gradient * tf.math.rsqrt(accumulated + self.epsilon)

        if self.momentum > 0:
            previous = _read(self.momenta[index], rows)
            moved = tf.where(touched, self.momentum * previous + step, previous)
            _write(self.momenta[index], moved, rows)
            step = tf.where(touched, moved, 0.0)

        _write(variable, _read(variable, rows) + step, rows)


class Adam(Optimizer):
    """Adam with bias correction; row-sparse variables only move on their touched rows."""

    def __init__(
        self,
        variables: list[tf.Variable],
        row_sparse: list[tf.Variable],
        learning_rate: float,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(variables, row_sparse)
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.first_moments = self._slots("first_moment")
        self.second_moments = self._slots("second_moment")

    def _update(
        self,
        index: int,
        variable: tf.Variable,
        gradient: tf.Tensor,
        rows: tf.Tensor | None,
        touched: tf.Tensor,
    ) -> None:
        count = tf.cast(self.iterations, tf.float32)
        correction = tf.sqrt(1.0 - self.beta_2**count) / (1.0 - self.beta_1**count)
        first = _read(self.first_moments[index], rows)
        second = _read(self.second_moments[index], rows)
        new_first = self.beta_1 * first + (1.0 - self.beta_1) * gradient
        new_second = self.beta_2 * second + (1.0 - self.beta_2) * tf.square(gradient)
        step = -self.learning_rate * correction * new_first / (tf.sqrt(new_second) + self.epsilon)

        new_first = tf.where(touched, new_first, first)
        new_second = tf.where(touched, new_second, second)
        step = tf.where(touched, step, 0.0)
        _write(self.first_moments[index], new_first, rows)
        _write(self.second_moments[index], new_second, rows)
        _write(variable, _read(variable, rows) + step, rows)


def make_optimizer(
    config: GRU4RecConfig, variables: list[tf.Variable], row_sparse: list[tf.Variable]
) -> Optimizer:
    """The optimizer named by `config.optimizer`, over `variables`."""
    if config.optimizer == "adam":
        return Adam(variables, row_sparse, config.learning_rate)
    return AdagradMomentum(variables, row_sparse, config.learning_rate, config.momentum)
