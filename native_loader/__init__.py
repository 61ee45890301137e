"""Session-parallel mini-batches for GRU4Rec-style training and evaluation."""
