"""Hyperparameter search for GRU4Rec with optuna: validation metric only, resumable in SQLite.

Each trial trains GRU4Rec on the train split of a prepared folder with options sampled by a
seeded TPE sampler and scores its best epoch on the validation split. The study lives in an
optuna storage (a SQLite file), so running the same command again continues it. The test
split is read exactly once, after the search, to score the best trial's model.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

from sessrec.errors import ConfigError, TrainingError
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.pipeline.protocol import evaluate_split
from sessrec.pipeline.tables import metric_value
from sessrec.tuning.space import SearchSpace
from sessrec.utils.atomic import write_json

logger = logging.getLogger(__name__)

STUDY_NAME = "sessrec-gru4rec"


@dataclass
class TuneResult:
    """The finished search: its best trial, best config, and the one test evaluation."""

    best_number: int
    best_value: float
    best_config: GRU4RecConfig
    n_trials: int
    test_metrics: list[dict[str, Any]]
    seconds: float


def open_study(storage: str, seed: int, study_name: str = STUDY_NAME) -> optuna.Study:
    """Create the study in `storage`, or load it so a search continues where it stopped."""
    if storage.startswith("sqlite:///"):
        Path(storage.removeprefix("sqlite:///")).expanduser().parent.mkdir(
            parents=True, exist_ok=True
        )
    sampler = optuna.samplers.TPESampler(seed=seed)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    try:
        return optuna.create_study(
            storage=storage,
            study_name=study_name,
            sampler=sampler,
            pruner=pruner,
            direction="maximize",
            load_if_exists=True,
        )
    except (ValueError, ImportError) as error:
        raise ConfigError(f"--storage {storage}: {error}") from None


def trial_seed(study: optuna.Study) -> int:
    """A TPE seed that differs per session, so a resumed search does not replay old samples."""
    return len(study.trials)


def run_search(
    dataset: Any,
    space: SearchSpace,
    n_trials: int,
    storage: str,
    out: Path,
    base: GRU4RecConfig | None = None,
    seed: int = 42,
) -> TuneResult:
    """Run `n_trials` more trials, write best.toml, then evaluate the best model on test once."""
    started = time.perf_counter()
    base = base or GRU4RecConfig()
    out.mkdir(parents=True, exist_ok=True)
    study = open_study(storage, seed)
    # Reseed per session: the same seed after a resume would propose the first trials again.
    study.sampler = optuna.samplers.TPESampler(seed=seed + trial_seed(study))
    _retry_interrupted(study)

    def objective(trial: optuna.Trial) -> float:
        values = space.suggest(trial)
        # Early stopping keeps the epoch that is best on the metric the search maximises.
        config = space.config(base, values).replace(stop_metric=space.metric)
        folder = out / "trials" / f"{trial.number:04d}"
        return _train_trial(trial, config, dataset, folder, space.metric)

    finished_before = _count_complete(study)
    study.optimize(objective, n_trials=n_trials, catch=(TrainingError,), gc_after_trial=True)
    if _count_complete(study) == 0:
        raise TrainingError(f"no trial of {storage} finished; see the log for each failure")

    best = study.best_trial
    best_config = GRU4RecConfig.from_toml(out / "trials" / f"{best.number:04d}" / "config.toml")
    best_config.to_toml(out / "best.toml")
    _write_trials(study, out)
    logger.info(
        "search: %d new finished trials, best #%d %s=%.4f",
        _count_complete(study) - finished_before, best.number, space.metric, best.value,
    )  # fmt: skip

    test_metrics = evaluate_best_on_test(dataset, out / "trials" / f"{best.number:04d}")
    write_json(
        out / "test_metrics.json",
        {"trial": best.number, "valid_metric": space.metric, "valid_value": best.value}
        | {"test": test_metrics},
    )
    return TuneResult(
        best_number=best.number,
        best_value=float(best.value),
        best_config=best_config,
        n_trials=len(study.trials),
        test_metrics=test_metrics,
        seconds=time.perf_counter() - started,
    )


def _train_trial(
    trial: optuna.Trial, config: GRU4RecConfig, dataset: Any, folder: Path, metric: str
) -> float:
    """Train one trial; report each epoch's validation metric so poor trials are pruned."""
    from sessrec.training import train

    def on_epoch(entry: dict[str, Any]) -> None:
        value, _ = metric_value(entry.get("valid") or {}, metric)
        if value is not None:
            trial.report(value, entry["epoch"])
        if trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {entry['epoch']}")

    result = train(config, dataset, folder, on_epoch=on_epoch)
    # A finished trial is never resumed; its best model (model/) is all the search needs.
    shutil.rmtree(folder / "checkpoint", ignore_errors=True)
    best_entry = next(e for e in result.history if e["epoch"] == result.best_epoch)
    value, _ = metric_value(best_entry.get("valid") or {}, metric)
    if value is None:
        raise TrainingError(f"trial {trial.number}: validation has no {metric}")
    trial.set_user_attr("best_epoch", result.best_epoch)
    trial.set_user_attr("seconds", round(result.seconds, 1))
    return value


def evaluate_best_on_test(dataset: Any, trial_folder: Path) -> list[dict[str, Any]]:
    """Score the best trial's saved model on the test split (the only time test is read)."""
    from sessrec.models.registry import load_model

    model = load_model(trial_folder / "model")
    return evaluate_split(model, dataset, "test")


def _count_complete(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def _retry_interrupted(study: optuna.Study) -> None:
    """Trials left RUNNING by a killed process are marked failed and queued again."""
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
        study.enqueue_trial(trial.params, skip_if_exists=False)
        logger.warning("trial %d was interrupted; it will run again", trial.number)


def _write_trials(study: optuna.Study, out: Path) -> None:
    """trials.json: every trial's number, state, value, parameters and timing."""
    rows = [
        {
            "number": trial.number,
            "state": trial.state.name,
            "value": trial.value,
            "params": trial.params,
            "best_epoch": trial.user_attrs.get("best_epoch"),
            "seconds": trial.user_attrs.get("seconds"),
        }
        for trial in study.trials
    ]
    write_json(out / "trials.json", rows)
    logger.debug("trials: %s", json.dumps(rows)[:200])
