"""Sequence training (config.bptt > 1) against the classic loop and an eager reference."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from native_loader import SessionLog, session_parallel_batches
from sessrec.errors import ConfigError
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.models.gru4rec.network import GRU4RecNetwork
from sessrec.training.loop import TrainingLoop, pad_steps
from sessrec.training.sequence import SequenceLoop, make_training_loop

N_ITEMS = 12


def tiny_log() -> SessionLog:
    """Six sessions of 3 to 9 events over 12 items, fixed by a seeded generator."""
    rng = np.random.default_rng(5)
    lengths = [3, 9, 4, 7, 5, 8]
    session_ids = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    item_ids = rng.integers(0, N_ITEMS, size=sum(lengths)).astype(np.int32)
    return SessionLog.from_arrays(session_ids, item_ids)


def tiny_config(**changes: object) -> GRU4RecConfig:
    """A small config without dropout, so a reference can repeat the maths exactly."""
    base = GRU4RecConfig(
        layers=(6,),
        embedding="separate",
        embedding_size=5,
        dropout_hidden=0.0,
        loss="softmax",
        optimizer="adagrad",
        learning_rate=0.05,
        momentum=0.0,
        batch_size=2,
        jit_compile=False,
        seed=3,
    )
    return base.replace(**changes)


def weights(network: GRU4RecNetwork) -> list[np.ndarray]:
    return [variable.numpy() for variable in network.variables]


def test_bptt_one_repeats_the_classic_loop_exactly() -> None:
    config = tiny_config(loss="bpr-max", n_sample=4, dropout_embedding=0.3)
    batches = session_parallel_batches(tiny_log(), config.batch_size, order="given")
    counts = np.bincount(tiny_log().item_ids, minlength=N_ITEMS)

    classic_network = GRU4RecNetwork(config, N_ITEMS)
    classic = TrainingLoop(config, classic_network, counts)
    classic_stats = classic.run_epoch(batches, epoch=1)
    sequence_network = GRU4RecNetwork(config, N_ITEMS)
    sequence = SequenceLoop(config, sequence_network, counts)
    sequence_stats = sequence.run_epoch(batches, epoch=1)

    assert sequence_stats.events == classic_stats.events == tiny_log().n_events - 6
    assert sequence_stats.loss == pytest.approx(classic_stats.loss, rel=1e-5)
    for ours, reference in zip(weights(sequence_network), weights(classic_network), strict=True):
        np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-6)


def eager_chunk_gradients(
    network: GRU4RecNetwork, states: list[tf.Tensor], arrays: tuple[np.ndarray, ...]
) -> tuple[float, list[tf.Tensor], list[tf.Tensor]]:
    """Loss, gradients and end states of one chunk by a plain Python loop over the steps."""
    inputs, targets, reset, valid = arrays
    with tf.GradientTape() as tape:
        losses, outputs = [], states
        for step in range(len(inputs)):
            outputs = [tf.where(reset[step][:, None], 0.0, state) for state in outputs]
            outputs = network.advance(tf.constant(inputs[step]), outputs)
            outputs = [tf.where(valid[step][:, None], state, 0.0) for state in outputs]
            scores = network.score_all(outputs[-1])
            cell_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(targets[step], scores)
            losses.extend(cell_loss[slot] for slot in range(len(valid[step])) if valid[step][slot])
        loss = tf.add_n(losses) / len(losses)
    gradients = tape.gradient(loss, network.trainable_variables)
    return float(loss), gradients, outputs


def test_one_chunk_matches_an_eager_reference() -> None:
    config = tiny_config(bptt=4)
    batches = session_parallel_batches(tiny_log(), config.batch_size, order="given")
    counts = np.bincount(tiny_log().item_ids, minlength=N_ITEMS)
    network = GRU4RecNetwork(config, N_ITEMS)
    reference = GRU4RecNetwork(config, N_ITEMS)
    loop = SequenceLoop(config, network, counts)

    arrays = tuple(array[:4] for array in pad_steps(batches, 4))
    loss, events = loop._compiled_chunk(*arrays, np.zeros(0, np.int32))
    zeros = [tf.zeros([2, 6])]
    expected_loss, gradients, end_states = eager_chunk_gradients(reference, zeros, arrays)

    assert int(events) == int(arrays[3].sum())
    assert float(loss) == pytest.approx(expected_loss, rel=1e-5)
    # Adagrad's first step from a zero accumulator: w - lr * g / sqrt(g^2 + eps).
    by_name = {variable.name: variable for variable in network.trainable_variables}
    for variable, gradient in zip(reference.trainable_variables, gradients, strict=True):
        gradient = tf.convert_to_tensor(gradient).numpy()
        expected = variable.numpy() - 0.05 * gradient / np.sqrt(gradient**2 + 1e-6)
        np.testing.assert_allclose(by_name[variable.name].numpy(), expected, atol=2e-5)
    np.testing.assert_allclose(loop.states[0].numpy(), end_states[0].numpy(), atol=1e-6)


def test_sampled_softmax_by_hand() -> None:
    counts = np.array([5, 1, 0, 2] + [1] * (N_ITEMS - 4))
    config = tiny_config(bptt=2, loss="cross-entropy", n_sample=3, sample_alpha=1.0)
    network = GRU4RecNetwork(config, N_ITEMS)
    loop = SequenceLoop(config, network, counts)
    output = np.random.default_rng(1).normal(size=(2, 6)).astype(np.float32)
    targets, negatives = np.array([0, 3], np.int32), np.array([0, 1, 3], np.int32)

    got = loop.row_losses(tf.constant(output), targets, tf.constant([True, True]), negatives)

    scores = output @ network.output_items.numpy().T + network.output_bias.numpy()
    draws = 3 * counts / counts.sum()  # expected draws of each item among the 3 samples
    for row, target in enumerate(targets):
        logits = [scores[row, target]] + [
            scores[row, item] - np.log(draws[item]) for item in negatives if item != target
        ]
        expected = np.log(np.sum(np.exp(logits))) - scores[row, target]
        assert float(got[row]) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ConfigError, match="n_sample"):
        SequenceLoop(config.replace(n_sample=0), network, counts)


def test_padding_adds_empty_steps_only() -> None:
    batches = session_parallel_batches(tiny_log(), 2, order="given")
    inputs, targets, reset, valid = pad_steps(batches, 5)

    assert len(inputs) % 5 == 0 and len(inputs) >= len(batches.inputs)
    assert valid.sum() == np.asarray(batches.valid).sum()
    assert not valid[len(batches.inputs) :].any() and not reset[len(batches.inputs) :].any()


def test_loop_choice_and_validation() -> None:
    counts = np.ones(N_ITEMS)
    network = GRU4RecNetwork(tiny_config(), N_ITEMS)
    assert type(make_training_loop(tiny_config(), network, counts)) is TrainingLoop
    assert type(make_training_loop(tiny_config(bptt=8), network, counts)) is SequenceLoop
    with pytest.raises(ConfigError, match="bptt"):
        tiny_config(bptt=0)


def test_sequence_training_learns_a_cycle() -> None:
    # Sessions walk the items in a fixed cycle, so the next item is always predictable.
    lengths = [10, 12, 9, 11, 10, 12, 8, 10]
    starts = np.cumsum([0, *lengths[:-1]])
    items = np.concatenate(
        [(start + np.arange(n)) % N_ITEMS for start, n in zip(starts, lengths, strict=True)]
    )
    session_ids = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    log = SessionLog.from_arrays(session_ids, items.astype(np.int32))
    config = tiny_config(bptt=5, optimizer="adam", learning_rate=0.05, batch_size=4)
    network = GRU4RecNetwork(config, N_ITEMS)
    loop = SequenceLoop(config, network, np.bincount(items, minlength=N_ITEMS))

    for epoch in range(1, 21):
        stats = loop.run_epoch(session_parallel_batches(log, 4, order="given"), epoch)

    assert stats.loss < 0.2
    states = network.zero_states(1)
    for item in range(5):
        states = network.advance(tf.constant([item]), states)
        assert int(np.argmax(network.score_all(states[-1]).numpy())) == item + 1
