"""TensorFlow thread settings: GRU4Rec's small compiled step runs best on one thread per op."""

from __future__ import annotations

import logging
import os

import tensorflow as tf

logger = logging.getLogger(__name__)


def configure_tensorflow_threads(intra_op: int | None = 1, inter_op: int = 1) -> None:
    """Run ops one at a time, each on `intra_op` threads (None: all cores).

    GRU4Rec's step is a chain of small matrix products (256 x 100 x 300), too small to split
    across cores with profit: on the 2-core benchmark machine one thread per op trained an
    ML-1M epoch in 9.9 s against 18.8 s with two. TensorFlow accepts this only before its
    first op runs; later calls change nothing and say so in the debug log.
    """
    threads = intra_op or len(os.sched_getaffinity(0))
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:
        logger.debug("TensorFlow already running; thread settings left as they are")
