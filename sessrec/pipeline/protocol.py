"""How a prepared dataset is evaluated: which warm-up settings and whether seen items count.

The prepared folder's preset decides: the seed preset (the original notebook) ranks every item,
seen or not, and is reported with warm-up off and on; every other preset leaves out the items
already in the session (a user does not rate a movie twice). A leave-one-out split has a
single test event per session, so it is only meaningful with warm-up: the session's earlier
events in train and validation are read without being scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TIE_WORDS = {
    "pessimistic": "ties count pessimistically: items scoring equal to the target rank above it",
    "optimistic": "ties count optimistically: items scoring equal to the target rank below it",
    "average": "ties count as the average rank among the items scoring equal to the target",
}


@dataclass(frozen=True)
class Protocol:
    """The evaluation settings of one prepared dataset."""

    exclude_seen: bool
    warmups: tuple[bool, ...]
    ties: str = "pessimistic"

    def describe(self) -> list[str]:
        """Plain-words lines for the report."""
        warmup = " and ".join("on" if flag else "off" for flag in self.warmups)
        seen = "left out of" if self.exclude_seen else "kept in"
        return [
            "every next event of every test session is ranked against all items (no sampling)",
            f"items already in the session are {seen} the ranking",
            TIE_WORDS.get(self.ties, f"ties: {self.ties}"),
            f"warm-up {warmup}: with warm-up each test session first reads its earlier events "
            "from train and validation without scoring them",
        ]


def protocol_for(meta: dict[str, Any], exclude_seen: bool | None = None) -> Protocol:
    """The protocol of a prepared folder's meta.json (`exclude_seen` overrides the preset)."""
    options = meta.get("options", {})
    preset = options.get("preset", "default")
    leave_one_out = str(options.get("split", "")).startswith("loo")
    if exclude_seen is None:
        exclude_seen = preset != "seed"
    warmups = (True,) if leave_one_out else (False, True)
    return Protocol(exclude_seen=exclude_seen, warmups=warmups)


def evaluate_split(
    model: Any,
    dataset: Any,
    split: str = "test",
    protocol: Protocol | None = None,
    bootstrap: int = 1000,
) -> list[dict[str, Any]]:
    """Evaluate `model` on `split` under each warm-up setting of the protocol.

    Returns one dict per setting: `{"warmup": bool, "metrics": EvaluationResult.to_dict()}`,
    the layout of a model's entry in `metrics.json`.
    """
    rows = evaluate_models({"model": model}, dataset, split, protocol, bootstrap)
    return [{"warmup": row.warmup, "metrics": row.result.to_dict()} for row in rows]


def evaluate_models(
    models: dict[str, Any],
    dataset: Any,
    split: str = "test",
    protocol: Protocol | None = None,
    bootstrap: int = 1000,
) -> list[Any]:
    """`sessrec.evaluation.compare.compare_models` with the dataset's protocol filled in."""
    from sessrec.evaluation.compare import compare_models

    protocol = protocol or protocol_for(dataset.meta)
    return compare_models(
        dataset,
        models,
        split=split,
        warmups=protocol.warmups,
        exclude_seen=protocol.exclude_seen,
        ties=protocol.ties,
        bootstrap=bootstrap,
    )
