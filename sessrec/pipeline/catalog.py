"""The item catalogue of a model: original ids, titles and genres, and matching titles to items."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sessrec.errors import DataError

MAX_CANDIDATES = 5
_YEAR = re.compile(r"\s*\(\d{4}\)\s*$")
_TRAILING_ARTICLE = re.compile(r"^(?P<name>.*), (?P<article>the|a|an|les|la|le|il|el|das|die)$")


def _normalise(title: str) -> str:
    """Lower-case and collapse whitespace, so matching ignores case and spacing."""
    return " ".join(title.casefold().split())


def _without_year(title: str) -> str:
    """Drop a trailing "(1995)" year."""
    return _YEAR.sub("", title).strip()


def _article_first(title: str) -> str:
    """Turn MovieLens' "Usual Suspects, The" into "the usual suspects" (input is normalised)."""
    match = _TRAILING_ARTICLE.match(title)
    return f"{match['article']} {match['name']}" if match else title


def _title_forms(title: str) -> tuple[set[str], set[str]]:
    """All spellings of a title with its year, and all spellings without it."""
    full = _normalise(title)
    bare = _without_year(full)
    year = full[len(bare) :].strip()
    bare_forms = {bare, _article_first(bare)}
    return {f"{form} {year}".strip() for form in bare_forms}, bare_forms


@dataclass
class ItemCatalog:
    """Maps dense item ids to the dataset's original ids (e.g. MovieIDs), titles and genres."""

    item_keys: list[str]
    titles: list[str | None]
    genres: list[str | None]
    source: Path

    @classmethod
    def from_parquet(cls, path: Path) -> ItemCatalog:
        """Read `items.parquet` (item_id, item_key, title, genres) as written by `sessrec prep`."""
        if not path.is_file():
            raise DataError(f"{path}: item table not found; is this a sessrec model folder?")
        table = pl.read_parquet(path).sort("item_id")
        if table.height and table["item_id"].to_list() != list(range(table.height)):
            raise DataError(f"{path}: item_id is not the dense range 0..{table.height - 1}")

        def column(name: str) -> list[str | None]:
            if name not in table.columns:
                return [None] * table.height
            return [None if value is None else str(value) for value in table[name].to_list()]

        keys = [str(value) for value in table["item_key"].to_list()]
        return cls(item_keys=keys, titles=column("title"), genres=column("genres"), source=path)

    @property
    def n_items(self) -> int:
        """Number of items the model knows."""
        return len(self.item_keys)

    def describe(self, item_id: int) -> str:
        """`Title (year) [id 123]` for messages, falling back to the id alone."""
        title = self.titles[item_id]
        key = self.item_keys[item_id]
        return f"{title} [id {key}]" if title else f"id {key}"

    def ids_from_keys(self, keys: Sequence[str | int]) -> list[int]:
        """Dense item ids for original ids; an id the model never saw is a clear error."""
        lookup = {key: item_id for item_id, key in enumerate(self.item_keys)}
        item_ids = []
        for key in keys:
            text = str(key).strip()
            if text not in lookup:
                raise DataError(
                    f"unknown item id {text!r}: not among the {self.n_items:,} items of the "
                    f"model's training data ({self.source})"
                )
            item_ids.append(lookup[text])
        return item_ids

    def ids_from_titles(self, titles: Sequence[str]) -> list[int]:
        """Dense item ids for titles, each matched by `match_title`."""
        return [self.match_title(title) for title in titles]

    def match_title(self, query: str) -> int:
        """The one item whose title matches `query` (case-insensitive).

        Tries, in order: the exact title; the title without its year; a substring of the
        title. "The Usual Suspects" also matches MovieLens' "Usual Suspects, The (1995)".
        Several matches at the first stage that has any is an ambiguity error listing them.
        """
        wanted = _normalise(query)
        if not wanted:
            raise DataError("empty title: give a movie title such as 'Toy Story (1995)'")

        forms = [
            (item_id, *_title_forms(title))
            for item_id, title in enumerate(self.titles)
            if title is not None
        ]
        if not forms:
            raise DataError(f"{self.source}: this dataset has no titles; pass --items instead")

        stages = (
            [item for item, full, _ in forms if wanted in full],
            [item for item, _, bare in forms if wanted in bare],
            [item for item, full, _ in forms if any(wanted in form for form in full)],
        )
        for matches in stages:
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise DataError(self._ambiguous(query, matches))
        raise DataError(self._unknown(query, forms))

    def _ambiguous(self, query: str, matches: list[int]) -> str:
        shown = "; ".join(self.describe(item) for item in matches[:MAX_CANDIDATES])
        hidden = len(matches) - MAX_CANDIDATES
        more = f" and {hidden} more" if hidden > 0 else ""
        return f"title {query!r} is ambiguous: it matches {shown}{more}; add the year or use ids"

    def _unknown(self, query: str, forms: list[tuple[int, set[str], set[str]]]) -> str:
        by_form = {form: item for item, full, _ in forms for form in full}
        close = difflib.get_close_matches(_normalise(query), list(by_form), n=MAX_CANDIDATES)
        unique = list(dict.fromkeys(by_form[form] for form in close))
        hint = "; ".join(self.describe(item) for item in unique)
        suffix = f"; closest: {hint}" if hint else ""
        return f"unknown title {query!r}: no movie of the model's training data matches{suffix}"
