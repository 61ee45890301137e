"""Full-ranking next-item evaluation: ranks, metrics with confidence intervals, comparisons."""

from sessrec.evaluation.evaluator import DEFAULT_CUTOFFS, evaluate, summarise
from sessrec.evaluation.ranking import TIE_POLICIES, rank_targets
from sessrec.evaluation.result import EvaluationResult

__all__ = [
    "DEFAULT_CUTOFFS",
    "TIE_POLICIES",
    "EvaluationResult",
    "evaluate",
    "rank_targets",
    "summarise",
]
