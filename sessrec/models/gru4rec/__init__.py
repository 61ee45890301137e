"""GRU4Rec in TensorFlow: config, network, losses, negative sampling, checkpoints."""

from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.models.gru4rec.model import GRU4Rec

__all__ = ["GRU4Rec", "GRU4RecConfig"]
