"""Training GRU4Rec: the compiled step, the epoch loop, validation, early stopping, resume."""

from sessrec.training.trainer import TrainResult, train

__all__ = ["TrainResult", "train"]
