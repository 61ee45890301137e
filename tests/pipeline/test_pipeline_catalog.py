"""Matching typed titles and ids to the items a model knows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sessrec.errors import DataError
from sessrec.pipeline.catalog import ItemCatalog

TITLES = [
    ("1", "Toy Story (1995)"),
    ("6", "Heat (1995)"),
    ("1411", "Hamlet (1996)"),
    ("2820", "Hamlet (1990)"),
    ("50", "Usual Suspects, The (1995)"),
    ("3114", "Toy Story 2 (1999)"),
]


@pytest.fixture()
def catalog(tmp_path: Path) -> ItemCatalog:
    path = tmp_path / "items.parquet"
    pl.DataFrame(
        {
            "item_id": pl.Series(range(len(TITLES)), dtype=pl.Int32),
            "item_key": [key for key, _ in TITLES],
            "title": [title for _, title in TITLES],
            "genres": ["Comedy"] * len(TITLES),
            "train_count": pl.Series([5] * len(TITLES), dtype=pl.Int64),
        }
    ).write_parquet(path)
    return ItemCatalog.from_parquet(path)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Toy Story (1995)", 0),
        ("  toy   STORY (1995) ", 0),
        ("Toy Story", 0),  # without the year: "Toy Story 2" is not an exact match
        ("heat", 1),
        ("Hamlet (1990)", 3),
        ("The Usual Suspects", 4),
        ("usual suspects, the (1995)", 4),
        ("suspects", 4),
        ("story 2", 5),
    ],
)
def test_titles_match_in_order_exact_then_without_year_then_substring(
    catalog: ItemCatalog, query: str, expected: int
) -> None:
    assert catalog.match_title(query) == expected


def test_ambiguous_title_lists_the_candidates(catalog: ItemCatalog) -> None:
    with pytest.raises(DataError, match="ambiguous") as error:
        catalog.match_title("hamlet")
    assert "Hamlet (1996) [id 1411]" in str(error.value)
    assert "Hamlet (1990) [id 2820]" in str(error.value)


def test_substring_matching_several_titles_is_ambiguous(catalog: ItemCatalog) -> None:
    with pytest.raises(DataError, match="'story' is ambiguous"):
        catalog.match_title("story")


def test_unknown_title_suggests_close_titles(catalog: ItemCatalog) -> None:
    with pytest.raises(DataError, match="unknown title 'Haet") as error:
        catalog.match_title("Haet (1995)")
    assert "closest: Heat (1995) [id 6]" in str(error.value)


def test_ids_map_through_item_keys(catalog: ItemCatalog) -> None:
    assert catalog.ids_from_keys(["6", 1, " 50"]) == [1, 0, 4]


def test_unknown_item_id_is_a_clear_error(catalog: ItemCatalog) -> None:
    with pytest.raises(DataError, match="unknown item id '99999'"):
        catalog.ids_from_keys(["1", "99999"])


def test_missing_item_table_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="items.parquet: item table not found"):
        ItemCatalog.from_parquet(tmp_path / "items.parquet")
