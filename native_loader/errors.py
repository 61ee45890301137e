"""The one exception native_loader raises for bad input; sessrec catches it as a ValueError."""


class LoaderError(ValueError):
    """A session log or a batching option is invalid; the message says what to change."""
