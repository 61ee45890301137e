"""Shared fixtures: where the real ML-1M files are, and skipping cleanly when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def real_ml1m_folder() -> Path | None:
    """The real ML-1M folder from $SESSREC_DATA or ../shared/data/ml-1m, if it holds ratings.dat."""
    candidates = [os.environ.get("SESSREC_DATA"), REPO_ROOT.parent / "shared" / "data" / "ml-1m"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "ratings.dat").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def ml1m_folder() -> Path:
    """The real ML-1M files; the test is skipped, saying why, when they are absent."""
    folder = real_ml1m_folder()
    if folder is None:
        pytest.skip("real ML-1M not found: set SESSREC_DATA or put it at ../shared/data/ml-1m")
    return folder
