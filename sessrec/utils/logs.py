"""Logging set-up for the CLI: library modules only ever call logging.getLogger(__name__)."""

from __future__ import annotations

import logging
import os
import time

_START = time.monotonic()


class _ElapsedFormatter(logging.Formatter):
    """Prefix each message with the seconds since the program started."""

    def format(self, record: logging.LogRecord) -> str:
        record.elapsed = f"{time.monotonic() - _START:7.1f}s"
        return super().format(record)


def configure_logging(verbosity: int = 0) -> None:
    """Send sessrec's log records to stderr: -1 quiet (warnings), 0 info, 1+ debug."""
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler()
    handler.setFormatter(_ElapsedFormatter("%(elapsed)s %(levelname)-7s %(name)s: %(message)s"))
    for name in ("sessrec", "native_loader"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
