"""tf.data adapter: stream an epoch's arrays into TensorFlow, one step or a chunk of steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from native_loader.batches import EpochBatches
from native_loader.errors import LoaderError

if TYPE_CHECKING:
    import tensorflow as tf

AUTOTUNE = -1  # the value of tf.data.AUTOTUNE, so the default needs no TensorFlow import


def tf_dataset(
    batches: EpochBatches, steps_per_element: int = 1, prefetch: int | None = AUTOTUNE
) -> tf.data.Dataset:
    """A tf.data.Dataset of `(inputs, targets, reset, valid)` tensors from one epoch.

    With `steps_per_element == 1` each element is one step, tensors of shape [batch_size];
    with k > 1 each element is k consecutive steps, shape [k, batch_size] (the last element
    holds the remaining steps, possibly fewer than k). The epoch is copied once, into
    TensorFlow tensors; elements are slices of them. `prefetch=None` disables prefetching.
    """
    import tensorflow as tf

    if isinstance(steps_per_element, bool) or not isinstance(steps_per_element, int):
        raise LoaderError(f"steps_per_element must be an integer, got {steps_per_element!r}")
    if steps_per_element < 1:
        raise LoaderError(f"steps_per_element must be at least 1, got {steps_per_element}")

    arrays = (batches.inputs, batches.targets, batches.reset, batches.valid)
    if steps_per_element == 1:
        dataset = tf.data.Dataset.from_tensor_slices(arrays)
    else:
        dataset = _chunked(tf, arrays, steps_per_element)
    if prefetch is not None:
        dataset = dataset.prefetch(prefetch)
    return dataset


def _chunked(tf: Any, arrays: tuple, steps_per_element: int) -> tf.data.Dataset:
    """Whole chunks come from a reshaped view (no numpy copy), the remainder separately."""
    steps, batch_size = arrays[0].shape
    whole = steps // steps_per_element * steps_per_element
    chunks = tuple(
        array[:whole].reshape(whole // steps_per_element, steps_per_element, batch_size)
        for array in arrays
    )
    dataset = tf.data.Dataset.from_tensor_slices(chunks)
    if whole < steps:
        tail = tuple(array[whole:][None] for array in arrays)
        dataset = dataset.concatenate(tf.data.Dataset.from_tensor_slices(tail))
    return dataset
