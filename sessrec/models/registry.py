"""Which class reads which saved model: `load_model(folder)` dispatches on model.json's `kind`.

A model class registers itself with `@register("kind")`. Kinds listed in `_HOME_MODULES` are
imported on first use, so loading a baseline never imports TensorFlow and loading GRU4Rec works
without importing its package first.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sessrec.errors import CheckpointError, ConfigError
from sessrec.models.base import SessionRecommender

MODEL_FILE = "model.json"
BASELINES = ("pop", "markov", "itemknn", "vsknn")
_HOME_MODULES = {
    "pop": "sessrec.models.baselines",
    "markov": "sessrec.models.baselines",
    "itemknn": "sessrec.models.baselines",
    "vsknn": "sessrec.models.baselines",
    "gru4rec": "sessrec.models.gru4rec",
}
_CLASSES: dict[str, type[SessionRecommender]] = {}

ModelClass = TypeVar("ModelClass", bound=type[SessionRecommender])


def register(kind: str) -> Callable[[ModelClass], ModelClass]:
    """Class decorator: models saved with this `kind` are read back by this class."""

    def decorate(cls: ModelClass) -> ModelClass:
        cls.kind = kind
        _CLASSES[kind] = cls
        return cls

    return decorate


def model_class(kind: str) -> type[SessionRecommender]:
    """The class registered for `kind`, importing its home module when needed."""
    if kind not in _CLASSES and kind in _HOME_MODULES:
        importlib.import_module(_HOME_MODULES[kind])
    if kind not in _CLASSES:
        known = ", ".join(sorted(set(_CLASSES) | set(_HOME_MODULES)))
        raise CheckpointError(f"unknown model kind {kind!r}; known kinds: {known}")
    return _CLASSES[kind]


def read_model_info(folder: str | Path) -> dict[str, Any]:
    """The parsed model.json of a saved model folder (CheckpointError when absent or broken)."""
    path = Path(folder) / MODEL_FILE
    if not path.is_file():
        raise CheckpointError(f"{path} not found: {folder} is not a saved model folder")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: cannot read model description ({error})") from None
    if not isinstance(info, dict) or "kind" not in info:
        raise CheckpointError(f"{path}: no 'kind' field saying which model this is")
    return info


def load_model(folder: str | Path) -> SessionRecommender:
    """Load any saved model (baseline or GRU4Rec) from its folder."""
    info = read_model_info(folder)
    return model_class(info["kind"]).load(Path(folder))


def baseline_names() -> tuple[str, ...]:
    """Names accepted by `--baselines` (they double as the saved models' kinds)."""
    return BASELINES


def make_baseline(name: str, n_items: int, **options: Any) -> SessionRecommender:
    """An unfitted baseline by name, with config options overriding its defaults."""
    if name not in BASELINES:
        raise ConfigError(f"--baselines: unknown baseline {name!r}; known: {', '.join(BASELINES)}")
    cls = model_class(name)
    config_class = cls.config_class  # type: ignore[attr-defined]
    known = {field.name for field in dataclasses.fields(config_class)}
    unknown = sorted(set(options) - known)
    if unknown:
        known_text = ", ".join(sorted(known)) or "none"
        raise ConfigError(f"{name}: unknown option {unknown[0]!r}; known: {known_text}")
    return cls(n_items=n_items, config=config_class(**options))  # type: ignore[call-arg]
