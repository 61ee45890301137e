"""What an evaluation returns: metric means, their confidence intervals, and the settings used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sessrec.evaluation.metrics import RANK_METRICS, canonical_name

_HEADERS = {
    "recall": "Recall",
    "mrr": "MRR",
    "ndcg": "NDCG",
    "coverage": "Coverage",
    "popularity": "Popularity",
}


@dataclass
class EvaluationResult:
    """Metrics of one model on one split, as written to `metrics.json` by `to_dict()`.

    `metrics` maps lower-case names (`recall@20`, `mrr@20`, `ndcg@20`, `coverage@20`,
    `popularity@20`, `n_predictions`, `n_sessions`) to numbers; `intervals` maps the same names
    to 95 % bootstrap intervals `[low, high]` (every per-prediction mean has one; coverage,
    a property of the whole set of lists, has none). `popularity@K` is the mean, over
    predictions, of the mean train count of the K recommended items divided by the largest
    train count; it is present only when the evaluator was given train counts.
    """

    metrics: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    cutoffs: tuple[int, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    by_position: list[dict[str, Any]] | None = None
    seconds: float = 0.0

    @property
    def n_predictions(self) -> int:
        """How many next-item predictions were ranked."""
        return int(self.metrics["n_predictions"])

    def __getitem__(self, name: str) -> float:
        """A metric by name; `hr@K` and `hitrate@K` are read as `recall@K`."""
        return self.metrics[canonical_name(name)]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: metrics, intervals beside them, settings, position breakdown."""
        payload: dict[str, Any] = {
            "metrics": dict(self.metrics),
            "intervals": {name: [low, high] for name, (low, high) in self.intervals.items()},
            "cutoffs": list(self.cutoffs),
            "settings": dict(self.settings),
            "seconds": round(self.seconds, 3),
        }
        if self.by_position is not None:
            payload["by_position"] = self.by_position
        return payload

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> EvaluationResult:
        """Rebuild a result from `to_dict()` output (reading `metrics.json`)."""
        return cls(
            metrics={canonical_name(k): v for k, v in payload["metrics"].items()},
            intervals={
                canonical_name(k): (v[0], v[1]) for k, v in payload.get("intervals", {}).items()
            },
            cutoffs=tuple(payload.get("cutoffs", ())),
            settings=dict(payload.get("settings", {})),
            by_position=payload.get("by_position"),
            seconds=float(payload.get("seconds", 0.0)),
        )

    def format_value(self, name: str, digits: int = 4) -> str:
        """`0.1234 [0.1100, 0.1350]`: a metric with its interval, or just the value."""
        value = self.metrics.get(name)
        if value is None:
            return "-"
        text = f"{value:.{digits}f}"
        if name in self.intervals:
            low, high = self.intervals[name]
            text += f" [{low:.{digits}f}, {high:.{digits}f}]"
        return text

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Headers and rows of a per-cut-off table (one row per K) for printing."""
        extra = [name for name in ("coverage", "popularity") if f"{name}@{self.cutoffs[0]}" in self]
        headers = ["K", *[_HEADERS[name] for name in (*RANK_METRICS, *extra)]]
        rows = []
        for cutoff in self.cutoffs:
            row = [str(cutoff)]
            row += [self.format_value(f"{name}@{cutoff}") for name in (*RANK_METRICS, *extra)]
            rows.append(row)
        return headers, rows

    def __contains__(self, name: str) -> bool:
        return canonical_name(name) in self.metrics
