"""Finding the data: --data, $SESSREC_DATA, the cache, then a download served from 127.0.0.1."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sessrec.data import cache_folder, locate_data
from sessrec.data import locate as download_module
from sessrec.errors import DataError

RATINGS = "1::10::4::1000\n1::20::5::1001\n2::10::3::1002\n"


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No $SESSREC_DATA, and a cache under tmp_path; returns the cache's ml-1m folder."""
    monkeypatch.delenv("SESSREC_DATA", raising=False)
    monkeypatch.setenv("SESSREC_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "ml-1m"


@pytest.fixture
def served_zip(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A small ml-1m.zip served over HTTP on 127.0.0.1; yields (url, md5)."""
    site = tmp_path / "site"
    site.mkdir()
    archive = site / "ml-1m.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("ml-1m/ratings.dat", RATINGS)
        bundle.writestr("ml-1m/movies.dat", "10::A (2000)::Drama\n20::B (2001)::Comedy\n")
        bundle.writestr("ml-1m/users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ml-1m.zip"
        yield url, hashlib.md5(archive.read_bytes()).hexdigest()
    finally:
        server.shutdown()
        server.server_close()


def point_download_at(monkeypatch: pytest.MonkeyPatch, url: str, md5: str) -> None:
    """Make the default download fetch `url` and expect `md5` and three rating lines."""
    monkeypatch.setattr(download_module, "ML1M_URL", url)
    monkeypatch.setattr(download_module, "ML1M_MD5", md5)
    monkeypatch.setattr(download_module, "ML1M_RATING_LINES", 3)


def test_explicit_data_wins_over_the_environment(
    tmp_path: Path, environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSREC_DATA", str(tmp_path))
    explicit = tmp_path / "explicit"
    explicit.mkdir()

    assert locate_data(explicit) == explicit
    assert locate_data(None) == tmp_path


def test_the_cache_is_used_before_downloading(environment: Path) -> None:
    environment.mkdir(parents=True)
    (environment / "ratings.dat").write_text(RATINGS)

    assert cache_folder() == environment
    assert locate_data(None, download=False) == environment


def test_download_unpacks_into_the_cache(
    environment: Path, served_zip: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    point_download_at(monkeypatch, *served_zip)

    folder = locate_data(None)

    assert folder == environment
    assert (folder / "ratings.dat").read_text() == RATINGS
    assert sorted(path.name for path in folder.iterdir()) == [
        "movies.dat",
        "ratings.dat",
        "users.dat",
    ]
    assert [path.name for path in environment.parent.iterdir()] == ["ml-1m"]


def test_wrong_checksum_leaves_nothing_behind(
    environment: Path, served_zip: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    point_download_at(monkeypatch, served_zip[0], "0" * 32)

    with pytest.raises(DataError, match="is corrupt") as caught:
        locate_data(None)

    assert str(environment) in str(caught.value)
    assert not environment.exists()
    assert list(environment.parent.iterdir()) == []


def test_wrong_row_count_after_unpacking_is_refused(
    environment: Path, served_zip: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    point_download_at(monkeypatch, *served_zip)
    monkeypatch.setattr(download_module, "ML1M_RATING_LINES", 1_000_209)

    with pytest.raises(DataError, match="has 3 lines, expected 1,000,209"):
        locate_data(None)

    assert list(environment.parent.iterdir()) == []


def test_offline_says_where_to_put_the_files(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_download_at(monkeypatch, "http://127.0.0.1:9/ml-1m.zip", "0" * 32)

    with pytest.raises(DataError) as caught:
        locate_data(None)

    message = str(caught.value)
    assert "\n" not in message
    assert "cannot download http://127.0.0.1:9/ml-1m.zip" in message
    assert f"into {environment}" in message
    assert "SESSREC_DATA" in message
