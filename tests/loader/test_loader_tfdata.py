"""tf_dataset: the elements are the epoch's steps (or chunks of steps), in order."""

from __future__ import annotations

import numpy as np
import pytest
from loader_strategies import build_log

from native_loader import LoaderError, session_parallel_batches, tf_dataset


@pytest.fixture(scope="module")
def batches():
    """An epoch of 5 steps over 2 slots."""
    return session_parallel_batches(build_log([[1, 2, 3, 4], [5, 6], [7, 8, 9, 10, 11]]), 2)


def test_one_step_per_element_gives_batch_size_vectors(batches) -> None:
    elements = list(tf_dataset(batches).as_numpy_iterator())

    assert len(elements) == batches.steps == 5
    for step, (inputs, targets, reset, valid) in enumerate(elements):
        assert inputs.shape == (2,) and inputs.dtype == np.int32 and reset.dtype == np.bool_
        assert np.array_equal(inputs, batches.inputs[step])
        assert np.array_equal(targets, batches.targets[step])
        assert np.array_equal(reset, batches.reset[step])
        assert np.array_equal(valid, batches.valid[step])


def test_chunks_of_steps_end_with_the_remainder(batches) -> None:
    elements = list(tf_dataset(batches, steps_per_element=3, prefetch=None).as_numpy_iterator())

    assert [element[0].shape for element in elements] == [(3, 2), (2, 2)]
    for position, name in enumerate(["inputs", "targets", "reset", "valid"]):
        joined = np.concatenate([element[position] for element in elements])
        assert np.array_equal(joined, getattr(batches, name)), name


def test_bad_chunk_size_is_rejected(batches) -> None:
    with pytest.raises(LoaderError, match="steps_per_element must be at least 1"):
        tf_dataset(batches, steps_per_element=0)
