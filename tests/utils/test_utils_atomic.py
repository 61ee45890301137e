"""Atomic writes give outputs ordinary permissions; --out checks refuse other people's files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sessrec.errors import ConfigError
from sessrec.utils.atomic import (
    atomic_file,
    atomic_folder,
    check_output_folder,
    current_umask,
    write_json,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_written_files_and_folders_get_the_umask_permissions(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        assert current_umask() == umask
        write_json(tmp_path / "meta.json", {"a": 1})
        with atomic_file(tmp_path / "table.md") as stream:
            stream.write("| a |\n")
        with atomic_folder(tmp_path / "prepared") as folder:
            write_json(folder / "inner.json", [])
    finally:
        os.umask(previous)
    assert mode(tmp_path / "meta.json") == 0o666 & ~umask
    assert mode(tmp_path / "table.md") == 0o666 & ~umask
    assert mode(tmp_path / "prepared") == 0o777 & ~umask
    assert mode(tmp_path / "prepared" / "inner.json") == 0o666 & ~umask


def never_own(folder: Path) -> bool:
    return False


def test_output_check_accepts_new_empty_and_own_folders(tmp_path: Path) -> None:
    check_output_folder(tmp_path / "new", never_own, "a run folder", "sessrec fit")
    check_output_folder(tmp_path, never_own, "a run folder", "sessrec fit")  # empty
    (tmp_path / "config.toml").write_text("")
    check_output_folder(tmp_path, lambda folder: True, "a run folder", "sessrec fit")


def test_output_check_refuses_files_and_foreign_folders(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ConfigError, match="option --out: .* holds other files") as caught:
        check_output_folder(tmp_path, never_own, "a run folder", "sessrec fit")
    assert str(tmp_path) in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match=r"option --out: .*keep\.txt is a file, not a run folder"):
        check_output_folder(tmp_path / "keep.txt", never_own, "a run folder", "sessrec fit")
