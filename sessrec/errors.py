"""Errors that sessrec raises for people: each says what was wrong and what to do."""


class SessrecError(Exception):
    """A user-facing error; the CLI prints its message on one line and exits non-zero."""


class DataError(SessrecError):
    """Input data is missing, malformed, or empty after filtering."""


class ConfigError(SessrecError):
    """An option or configuration value is invalid."""


class CheckpointError(SessrecError):
    """A saved model or run folder is missing, incomplete or corrupt."""


class TrainingError(SessrecError):
    """Training cannot go on (for example a NaN loss)."""
