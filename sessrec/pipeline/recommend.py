"""Next-item recommendations for a session typed by a person: ids or titles in, top-K out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sessrec.errors import CheckpointError, DataError
from sessrec.pipeline.catalog import ItemCatalog

logger = logging.getLogger(__name__)


@dataclass
class Recommendation:
    """One recommended item: its rank, original id, title, genres and model score."""

    rank: int
    item_id: int
    item_key: int | str
    title: str | None
    genres: str | None
    score: float


def find_model_folder(folder: Path) -> Path:
    """The folder holding `model.json`: the folder itself, a training run, or a `sessrec run`."""
    for candidate in (folder, folder / "model", folder / "gru4rec" / "model"):
        if (candidate / "model.json").is_file():
            return candidate
    raise CheckpointError(
        f"{folder}: no model.json here nor in model/ or gru4rec/model/; pass a model folder "
        "written by `sessrec fit` or `sessrec run`"
    )


def find_item_table(model_folder: Path) -> Path:
    """The item table beside a model, or the prepared data of the run that trained it."""
    candidates = [model_folder / "items.parquet"]
    candidates += [parent / "data" / "items.parquet" for parent in model_folder.parents[:3]]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise CheckpointError(f"{model_folder}: items.parquet not found beside the model")


class Recommender:
    """A loaded model plus its item catalogue, ready to answer sessions one at a time."""

    def __init__(self, folder: Path) -> None:
        from sessrec.models.registry import load_model

        self.model_folder = find_model_folder(Path(folder))
        self.catalog = ItemCatalog.from_parquet(find_item_table(self.model_folder))
        self.model = load_model(self.model_folder)
        if self.model.n_items != self.catalog.n_items:
            raise CheckpointError(
                f"{self.model_folder}: the model knows {self.model.n_items} items but "
                f"{self.catalog.source} lists {self.catalog.n_items}"
            )
        self.integer_keys = all(_is_integer(key) for key in self.catalog.item_keys)
        logger.info("loaded %s model from %s", self.model.kind, self.model_folder)

    def item_key(self, item_id: int) -> int | str:
        """The original id of an item: an int when every key is integer-like (MovieLens)."""
        key = self.catalog.item_keys[item_id]
        return int(key) if self.integer_keys else key

    def session_ids(self, items: Iterable[str | int] = (), titles: Iterable[str] = ()) -> list[int]:
        """Dense ids of a session given as original item ids or as titles (not both)."""
        items, titles = list(items), list(titles)
        if not items and not titles:
            raise DataError("the session is empty: give at least one item id or title")
        if items and titles:
            raise DataError("give the session either as item ids or as titles (exactly one)")
        return self.catalog.ids_from_keys(items) if items else self.catalog.ids_from_titles(titles)

    def scores(self, session: list[int]) -> np.ndarray:
        """The model's scores for every item as the next one after `session` ([n_items])."""
        if not session:
            raise DataError("the session is empty: give at least one item")
        self.model.start(1)
        scores = None
        for position, item_id in enumerate(session):
            inputs = np.array([item_id], dtype=np.int32)
            reset = np.array([position == 0])
            last = position == len(session) - 1
            scores = self.model.step(inputs, reset, want_scores=last)
        return np.asarray(scores, dtype=np.float64).reshape(-1)

    def recommend(
        self, session: list[int], k: int = 10, include_seen: bool = False
    ) -> list[Recommendation]:
        """The top-`k` next items, best first; items of the session are left out by default."""
        if k < 1:
            raise DataError(f"-k must be at least 1, got {k}")
        scores = self.scores(session)
        if not include_seen:
            scores[np.asarray(session, dtype=np.int64)] = -np.inf

        # Stable order on ties: a higher score first, then the lower item id.
        ranked = np.lexsort((np.arange(scores.size), -scores))
        ranked = [item for item in ranked[:k] if np.isfinite(scores[item])]
        return [
            Recommendation(
                rank=rank,
                item_id=int(item),
                item_key=self.item_key(int(item)),
                title=self.catalog.titles[item],
                genres=self.catalog.genres[item],
                score=float(scores[item]),
            )
            for rank, item in enumerate(ranked, start=1)
        ]

    def answer_json_lines(
        self, lines: Iterable[str], k: int = 10, include_seen: bool = False
    ) -> Iterator[dict[str, Any]]:
        """One answer per JSON line `{"items": [...]}` or `{"titles": [...]}` (batch use)."""
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            request = _parse_request(line, number)
            try:
                session = self.session_ids(request.get("items", []), request.get("titles", []))
            except DataError as error:
                raise DataError(f"stdin line {number}: {error}") from None
            found = self.recommend(session, k=k, include_seen=include_seen)
            answer = {"id": request["id"]} if "id" in request else {}
            yield answer | {
                "session": [self.item_key(item) for item in session],
                "recommendations": [asdict(found_item) for found_item in found],
            }


def _is_integer(key: str) -> bool:
    """Whether an item key reads back unchanged as an integer (`42`, not `042` or `4.2`)."""
    try:
        return str(int(key)) == key
    except ValueError:
        return False


def _parse_request(line: str, number: int) -> dict[str, Any]:
    """Validate one JSON line of a batch request, naming the line on error."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as error:
        raise DataError(f"stdin line {number}: not valid JSON ({error.msg})") from None
    if not isinstance(request, dict) or not ({"items", "titles"} & set(request)):
        raise DataError(f'stdin line {number}: expected an object with "items" or "titles"')
    unknown = set(request) - {"items", "titles", "id"}
    if unknown:
        raise DataError(f"stdin line {number}: unknown key {sorted(unknown)[0]!r}")
    for key in ("items", "titles"):
        if key in request and not isinstance(request[key], list):
            raise DataError(f'stdin line {number}: "{key}" must be a list')
    return request
