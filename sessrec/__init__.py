"""sessrec: session-based next-item recommendation with GRU4Rec."""

__version__ = "0.1.0"
