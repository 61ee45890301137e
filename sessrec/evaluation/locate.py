"""Finding what to evaluate: the model folder inside a run folder, and the data it was fit on."""

from __future__ import annotations

import json
from pathlib import Path

from sessrec.errors import CheckpointError, ConfigError
from sessrec.models.registry import MODEL_FILE, read_model_info

# Keys under which a model.json or a run folder's meta.json may name its prepared data.
DATA_KEYS = ("data_dir", "data_folder", "prepared", "data")


def find_model_folder(path: str | Path) -> Path:
    """`path` when it holds model.json, else its `model/` (a training run), else the GRU4Rec
    model of a main-job run folder (`gru4rec/model/`)."""
    path = Path(path)
    for candidate in (path, path / "model", path / "gru4rec" / "model"):
        if (candidate / MODEL_FILE).is_file():
            return candidate
    raise CheckpointError(
        f"{path}: neither a saved model (no {MODEL_FILE}) nor a training run (no model/)"
    )


def model_name(model_folder: Path) -> str:
    """A short display name: the folder's name, or the run's name for `RUN/model`."""
    folder = model_folder.resolve()
    return folder.parent.name if folder.name == "model" else folder.name


def find_data_folder(model_folder: Path, explicit: str | Path | None = None) -> Path:
    """The prepared data of a model: `explicit`, else the one it names, else a `data/` nearby.

    A model may name its data in model.json (the trainer and `sessrec compare` store it), or
    the run folder around it may in meta.json; failing that, the main job's layout puts the
    prepared folder at `data/` beside `gru4rec/` and `baselines/`.
    """
    if explicit is not None:
        return _checked(Path(explicit), "--data-dir")

    model_folder = Path(model_folder).resolve()
    named = _named_data(read_model_info(model_folder), model_folder)
    for parent in list(model_folder.parents)[:3]:
        meta = parent / "meta.json"
        if named is None and meta.is_file():
            try:
                named = _named_data(json.loads(meta.read_text(encoding="utf-8")), parent)
            except (OSError, json.JSONDecodeError):
                named = None
    if named is not None and (named / "meta.json").is_file():
        return named

    for parent in [model_folder, *list(model_folder.parents)[:3]]:
        if (parent / "data" / "meta.json").is_file():
            return parent / "data"
    raise ConfigError(
        f"{model_folder}: cannot tell which prepared data it belongs to; pass --data-dir"
    )


def _named_data(description: dict, relative_to: Path) -> Path | None:
    """The data folder a JSON description names under one of DATA_KEYS, if any."""
    for key in DATA_KEYS:
        value = description.get(key)
        if isinstance(value, dict):
            value = value.get("folder") or value.get("path")
        if isinstance(value, str) and value:
            path = Path(value)
            return path if path.is_absolute() else relative_to / path
    return None


def _checked(folder: Path, option: str) -> Path:
    if not (folder / "meta.json").is_file():
        raise ConfigError(f"{option} {folder}: not a prepared folder (no meta.json)")
    return folder
