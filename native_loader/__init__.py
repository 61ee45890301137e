"""Session-parallel mini-batches for GRU4Rec-style training and evaluation.

numpy in, numpy out: a `SessionLog` (offsets into one item array) becomes an epoch of
[steps, batch_size] arrays through numba kernels; `tf_dataset` streams them into TensorFlow,
which is imported only when that function is called.
"""

from native_loader.batches import EpochBatches, session_parallel_batches
from native_loader.errors import LoaderError
from native_loader.evaluation import EvaluationBatches, concat_logs, evaluation_batches
from native_loader.log import SessionLog
from native_loader.tfdata import tf_dataset

__all__ = [
    "EpochBatches",
    "EvaluationBatches",
    "LoaderError",
    "SessionLog",
    "concat_logs",
    "evaluation_batches",
    "session_parallel_batches",
    "tf_dataset",
]
