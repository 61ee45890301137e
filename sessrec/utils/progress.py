"""Progress bars for long loops, silenced globally by the CLI's --quiet flag."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from tqdm.auto import tqdm

_settings = {"enabled": True}
T = TypeVar("T")


def set_progress_enabled(enabled: bool) -> None:
    """Turn every sessrec progress bar on or off (the CLI calls this for --quiet)."""
    _settings["enabled"] = enabled


def progress_enabled() -> bool:
    """Whether progress bars are currently shown."""
    return _settings["enabled"]


def progress(
    iterable: Iterable[T] | None = None, *, disable: bool | None = None, **options: Any
) -> tqdm:
    """A tqdm bar that respects the global switch; pass unit='ev' and unit_scale for rates."""
    hidden = (not _settings["enabled"]) if disable is None else disable
    return tqdm(iterable, disable=hidden, dynamic_ncols=True, leave=False, **options)
