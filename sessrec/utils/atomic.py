"""Atomic writes: a file or folder appears complete at its final path, or not at all.

Temporary files and folders get the permissions a plain open() or mkdir() would give them
(0666 / 0777 less the umask), not tempfile's private 0600 / 0700, so outputs stay shareable.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sessrec.errors import ConfigError


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], mode: str = "w") -> Iterator[Any]:
    """Open a temporary file beside `path` and rename it over `path` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.fchmod(handle, 0o666 & ~current_umask())
    finally:
        os.close(handle)
    try:
        encoding = None if "b" in mode else "utf-8"
        with open(temporary, mode, encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str], overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary folder beside `path`; on success it replaces `path` in one rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp.", dir=target.parent))
    try:
        os.chmod(temporary, 0o777 & ~current_umask())
        yield temporary
        if target.exists():
            if not overwrite:
                raise FileExistsError(f"{target} already exists")
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, retired / "previous")
            os.replace(temporary, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def write_json(path: str | os.PathLike[str], payload: Any) -> None:
    """Write `payload` as indented JSON, atomically."""
    with atomic_file(path) as stream:
        json.dump(payload, stream, indent=2, sort_keys=False, default=str)
        stream.write("\n")


def current_umask() -> int:
    """The process umask, read without changing it where Linux reports it in /proc."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_output_folder(
    folder: Path, is_own: Callable[[Path], bool], kind: str, command: str
) -> None:
    """Refuse an --out that is a file, or a non-empty folder that `command` did not write.

    `is_own(folder)` says whether the folder is `command`'s own kind of output (`kind`, e.g.
    "a run folder"), which it may write into again; anything else holds the user's files.
    """
    folder = Path(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ConfigError(f"option --out: {folder} is a file, not {kind}")
    if not any(folder.iterdir()) or is_own(folder):
        return
    raise ConfigError(
        f"option --out: {folder} holds other files and is not {kind}; choose a new or empty "
        f"folder, or one written by {command}"
    )
