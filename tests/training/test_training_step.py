"""The training step: hand-computed losses, masking of padded slots, resets, the optimizer."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from sessrec.models.gru4rec import GRU4Rec, GRU4RecConfig, losses
from sessrec.training.loop import TrainingLoop
from sessrec.training.optimizers import AdagradMomentum, row_gradient

N_ITEMS = 9
CONFIG = GRU4RecConfig(layers=(6,), batch_size=3, n_sample=4, dropout_hidden=0.0, jit_compile=False)


def make_loop(config: GRU4RecConfig) -> TrainingLoop:
    counts = np.arange(1, N_ITEMS + 1)
    return TrainingLoop(config, GRU4Rec(N_ITEMS, config).network, counts)


def reference_cross_entropy(scores, allowed, log_q, logq):
    """Plain-numpy sampled softmax cross-entropy of the diagonal target."""
    corrected = scores - logq * log_q[None, :]
    rows = []
    for row in range(scores.shape[0]):
        kept = [corrected[row, col] for col in range(scores.shape[1]) if allowed[row, col]]
        rows.append(np.log(np.sum(np.exp(kept))) - corrected[row, row])
    return np.array(rows)


def test_negative_mask_drops_padded_columns_and_duplicate_targets():
    targets = tf.constant([4, 7, 4])
    candidates = tf.constant([4, 7, 4, 1, 7])
    valid = tf.constant([True, False, True])
    mask = losses.negative_mask(targets, candidates, valid).numpy()
    expected = [
        [False, False, False, True, True],
        [True, False, True, True, False],
        [False, False, False, True, True],
    ]
    np.testing.assert_array_equal(mask, expected)


def test_cross_entropy_with_logq_matches_a_hand_computation():
    scores = np.array([[2.0, 0.5, -1.0, 0.3], [0.1, 1.5, 0.2, -0.4]], np.float32)
    allowed = np.array([[False, True, True, True], [True, False, False, True]])
    log_q = np.log(np.array([3.0, 1.0, 2.0, 5.0], np.float32))
    actual = losses.sampled_cross_entropy(tf.constant(scores), tf.constant(allowed), log_q, 1.0)
    diagonal = allowed | np.eye(2, 4, dtype=bool)
    expected = reference_cross_entropy(scores, diagonal, log_q, 1.0)
    np.testing.assert_allclose(actual.numpy(), expected, rtol=1e-6)
    # Row 0 by hand: logits 2-ln3, 0.5, -1-ln2, 0.3-ln5; target is the first.
    logits = [2 - np.log(3), 0.5, -1 - np.log(2), 0.3 - np.log(5)]
    assert actual.numpy()[0] == pytest.approx(np.log(np.exp(logits).sum()) - logits[0], rel=1e-6)


def test_bpr_max_matches_a_hand_computation():
    scores = np.array([[1.0, 0.5, -0.5], [0.2, 0.8, 2.0]], np.float32)
    allowed = np.array([[False, True, True], [True, False, False]])
    actual = losses.bpr_max(tf.constant(scores), tf.constant(allowed), bpreg=0.5, elu_param=0.0)
    weights = np.exp([0.5, -0.5]) / np.exp([0.5, -0.5]).sum()
    sigmoid = 1 / (1 + np.exp(-(1.0 - np.array([0.5, -0.5]))))
    row0 = -np.log(np.sum(weights * sigmoid)) + 0.5 * np.sum(weights * np.array([0.25, 0.25]))
    row1 = -np.log(1 / (1 + np.exp(-(0.8 - 0.2)))) + 0.5 * 0.04
    np.testing.assert_allclose(actual.numpy(), [row0, row1], rtol=1e-5)


def loss_and_dense_gradients(loop, inputs, targets, reset, valid, negatives, states):
    for variable, value in zip(loop.states, states, strict=True):
        variable.assign(value)
    loss, _, gradients, _ = loop.loss_and_gradients(
        tf.constant(inputs), tf.constant(targets), tf.constant(reset), tf.constant(valid),
        tf.constant(negatives),
    )  # fmt: skip
    return float(loss), [tf.convert_to_tensor(gradient).numpy() for gradient in gradients]


@pytest.mark.parametrize("loss", ["cross-entropy", "bpr-max", "softmax"])
def test_padded_slots_change_neither_loss_nor_gradients(loss):
    rng = np.random.default_rng(0)
    config = CONFIG.replace(loss=loss)
    real = dict(
        inputs=np.array([1, 2, 3], np.int32),
        targets=np.array([2, 3, 2], np.int32),
        reset=np.array([False, True, False]),
        valid=np.array([True, True, True]),
        negatives=np.array([5, 2, 8, 0], np.int32),
        states=[rng.normal(size=(3, 6)).astype(np.float32)],
    )
    loss_alone, gradients_alone = loss_and_dense_gradients(make_loop(config), **real)

    # Two padded slots with other items, a state of noise, and a target that is real elsewhere.
    padded = dict(
        inputs=np.array([1, 2, 7, 3, 4], np.int32),
        targets=np.array([2, 3, 6, 2, 8], np.int32),
        reset=np.array([False, True, False, False, True]),
        valid=np.array([True, True, False, True, False]),
        negatives=real["negatives"],
        states=[np.insert(real["states"][0], [2, 3], rng.normal(size=(2, 6)) * 5, axis=0)],
    )
    padded["states"][0] = padded["states"][0].astype(np.float32)
    loss_padded, gradients_padded = loss_and_dense_gradients(
        make_loop(config.replace(batch_size=5)), **padded
    )
    assert loss_padded == pytest.approx(loss_alone, rel=1e-5)
    for alone, with_padding in zip(gradients_alone, gradients_padded, strict=True):
        np.testing.assert_allclose(with_padding, alone, rtol=1e-4, atol=1e-7)


def test_reset_slots_ignore_what_they_held_before():
    loop = make_loop(CONFIG)
    step = dict(
        inputs=np.array([1, 2, 3], np.int32),
        targets=np.array([2, 3, 4], np.int32),
        reset=np.array([True, True, True]),
        valid=np.array([True, True, True]),
        negatives=np.array([5, 2, 8, 0], np.int32),
    )
    zero_loss, zero_gradients = loss_and_dense_gradients(
        loop, **step, states=[np.zeros((3, 6), np.float32)]
    )
    noise = np.random.default_rng(1).normal(size=(3, 6)).astype(np.float32) * 3
    noisy_loss, noisy_gradients = loss_and_dense_gradients(loop, **step, states=[noise])
    assert noisy_loss == zero_loss
    for zero, noisy in zip(zero_gradients, noisy_gradients, strict=True):
        np.testing.assert_array_equal(noisy, zero)


def test_adagrad_momentum_matches_hand_computation_and_skips_untouched_rows():
    matrix = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    optimizer = AdagradMomentum([matrix], [matrix], learning_rate=0.1, momentum=0.5)
    gradient = tf.IndexedSlices(tf.constant([[1.0, 0.5], [1.0, 0.5]]), tf.constant([0, 0]))
    optimizer.apply([row_gradient(gradient)])
    # Row 0 got g = (2, 1) in total: acc = g^2, step = -0.1 g / sqrt(acc + 1e-6) ~ -0.1 sign(g).
    first = -0.1 * np.array([2.0, 1.0]) / np.sqrt(np.array([4.0, 1.0]) + 1e-6)
    np.testing.assert_allclose(matrix.numpy()[0], [1.0, 2.0] + first, rtol=1e-6)

    gradient = tf.IndexedSlices(tf.constant([[2.0, 0.0]]), tf.constant([0]))
    optimizer.apply([row_gradient(gradient)])
    second = 0.5 * first - 0.1 * np.array([2.0, 0.0]) / np.sqrt(np.array([8.0, 1.0]) + 1e-6)
    np.testing.assert_allclose(matrix.numpy()[0], [1.0, 2.0] + first + second, rtol=1e-6)
    np.testing.assert_array_equal(matrix.numpy()[1:], [[3.0, 4.0], [5.0, 6.0]])
    assert optimizer.momenta[0].numpy()[1:].tolist() == [[0.0, 0.0], [0.0, 0.0]]
