"""TensorFlow thread settings: small graphs on a few cores run best with one op at a time."""

from __future__ import annotations

import logging
import os

import tensorflow as tf

logger = logging.getLogger(__name__)


def configure_tensorflow_threads(intra_op: int | None = None, inter_op: int = 1) -> None:
    """Give each op all cores (`intra_op`, default all) and run ops one at a time.

    GRU4Rec's step is a chain of small dependent ops, so running independent ops in parallel
    buys little while it fights the per-op threads for the same cores. TensorFlow accepts
    this only before its first op runs; later calls change nothing and say so in the log.
    """
    threads = intra_op or len(os.sched_getaffinity(0))
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:
        logger.debug("TensorFlow already running; thread settings left as they are")
