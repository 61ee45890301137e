"""Generated MovieLens-format logs where every user walks the same cycle of movies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

N_MOVIES = 12
GENRES = ("Comedy", "Drama", "Action|Thriller")


def movie_id(index: int) -> int:
    """MovieIDs 101, 102, ... so that dense ids and MovieIDs never coincide."""
    return 101 + index


def write_cyclic_movielens(folder: Path, users: int = 60, seed: int = 0) -> Path:
    """ratings.dat, movies.dat, users.dat: each user rates movies i, i+1, ... (mod 12) once."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for user in range(1, users + 1):
        start = int(rng.integers(N_MOVIES))
        length = int(rng.integers(8, N_MOVIES + 1))  # no repeats: seen items stay out
        clock = 978_300_000 + int(rng.integers(0, 10**6))
        for step in range(length):
            clock += int(rng.integers(1, 600))
            movie = movie_id((start + step) % N_MOVIES)
            lines.append(f"{user}::{movie}::{int(rng.integers(3, 6))}::{clock}")
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n", encoding="latin-1")
    movies = [
        f"{movie_id(index)}::Movie {index} ({1990 + index})::{GENRES[index % len(GENRES)]}"
        for index in range(N_MOVIES)
    ]
    (folder / "movies.dat").write_text("\n".join(movies) + "\n", encoding="latin-1")
    users_lines = [f"{user}::F::25::1::12345" for user in range(1, users + 1)]
    (folder / "users.dat").write_text("\n".join(users_lines) + "\n", encoding="latin-1")
    return folder


@pytest.fixture()
def cyclic_movielens(tmp_path: Path) -> Path:
    """A generated ML-1M-format folder of 60 users walking a cycle of 12 movies."""
    return write_cyclic_movielens(tmp_path / "cyclic-ml")
