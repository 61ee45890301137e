"""The search space of `sessrec tune`, read from a TOML data file and validated up front."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import optuna

from sessrec.errors import ConfigError
from sessrec.models.gru4rec.config import STOP_METRICS, GRU4RecConfig, option_names

PARAM_TYPES = ("int", "float", "categorical")
TOP_LEVEL_KEYS = ("metric", "fixed", "params")
# The validation metrics the trainer computes after each epoch (and can stop early on).
VALID_METRICS = STOP_METRICS


def default_space_path() -> Path:
    """The search space shipped with sessrec (`sessrec/tuning/space.toml`)."""
    return Path(str(resources.files("sessrec.tuning") / "space.toml"))


@dataclass(frozen=True)
class Parameter:
    """One searched option: its kind and range, or its list of choices."""

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def suggest(self, trial: optuna.Trial) -> Any:
        """Ask optuna's sampler for this option's value in `trial`."""
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            step = int(self.step or 1)
            return trial.suggest_int(
                self.name, int(self.low), int(self.high), step=step, log=self.log
            )
        value = trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.log)
        return round(value, 10) if self.step else value


@dataclass(frozen=True)
class SearchSpace:
    """What the tuner maximises, what it holds fixed and what it varies."""

    metric: str
    fixed: dict[str, Any] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    source: str = "space"

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        """One trial's option values: the fixed ones plus a sampled value per parameter."""
        return self.fixed | {
            parameter.name: parameter.suggest(trial) for parameter in self.parameters
        }

    def config(self, base: GRU4RecConfig, values: dict[str, Any]) -> GRU4RecConfig:
        """`base` with a trial's values applied (validated like any config)."""
        try:
            return base.replace(**(self.fixed | values))
        except ConfigError as error:
            raise ConfigError(f"{self.source}: {error}") from None


def load_space(path: Path) -> SearchSpace:
    """Read and validate a search-space file, naming the file and key on any mistake."""
    source = str(path)
    try:
        spec = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"search space {path} not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"search space {path}: {error}") from None

    unknown = sorted(set(spec) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r}; use {', '.join(TOP_LEVEL_KEYS)}")
    metric = str(spec.get("metric", "recall@10")).lower().replace("hr@", "recall@")
    if metric not in VALID_METRICS:
        raise ConfigError(f"{source}: metric {metric!r} is not one of {', '.join(VALID_METRICS)}")

    known = set(option_names())
    fixed = dict(spec.get("fixed", {}))
    tables = spec.get("params", {})
    for name in [*fixed, *tables]:
        if name not in known:
            raise ConfigError(f"{source}: {name!r} is not a GRU4Rec option; known: {sorted(known)}")
    parameters = tuple(_parameter(name, table, source) for name, table in tables.items())
    if not parameters:
        raise ConfigError(f"{source}: no [params.NAME] tables, so there is nothing to search")

    space = SearchSpace(metric=metric, fixed=fixed, parameters=parameters, source=source)
    space.config(GRU4RecConfig(), {})
    return space


def _parameter(name: str, table: Any, source: str) -> Parameter:
    """Validate one `[params.NAME]` table."""
    where = f"{source}: [params.{name}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table with type = int | float | categorical")
    kind = table.get("type")
    if kind not in PARAM_TYPES:
        raise ConfigError(f"{where}: type must be one of {', '.join(PARAM_TYPES)}, got {kind!r}")
    allowed = (
        {"type", "choices"} if kind == "categorical" else {"type", "low", "high", "step", "log"}
    )
    extra = sorted(set(table) - allowed)
    if extra:
        raise ConfigError(f"{where}: unexpected key {extra[0]!r} for type {kind}")

    if kind == "categorical":
        choices = table.get("choices")
        if not isinstance(choices, list) or not choices:
            raise ConfigError(f"{where}: choices must be a non-empty list")
        return Parameter(name=name, kind=kind, choices=tuple(choices))

    if "low" not in table or "high" not in table or not table["low"] < table["high"]:
        raise ConfigError(f"{where}: needs low < high")
    if table.get("log") and table.get("step"):
        raise ConfigError(f"{where}: log and step cannot be combined")
    if table.get("log") and table["low"] <= 0:
        raise ConfigError(f"{where}: a log range needs low > 0")
    return Parameter(
        name=name,
        kind=kind,
        low=table["low"],
        high=table["high"],
        step=table.get("step"),
        log=bool(table.get("log", False)),
    )
