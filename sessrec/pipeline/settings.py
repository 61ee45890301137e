"""What `sessrec run` is asked to do: its settings, its GRU4Rec config and the reproducing line."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sessrec.errors import ConfigError
from sessrec.utils.atomic import check_output_folder

DEFAULT_BASELINES = ("pop", "markov", "itemknn", "vsknn")
GRU4REC = "gru4rec"
PACKAGED_CONFIGS = Path(__file__).resolve().parent.parent / "configs"
# Per preset, the GRU4Rec config (a file of sessrec/configs/ by name, None for the built-in
# defaults) and the epochs `sessrec run` trains when neither --config nor --epochs is given:
# few enough that `make run` on ML-1M takes about ten minutes on a 2-core CPU. ml1m-loo
# (sequence training, sampled softmax, Adam) learns far more per CPU second than the built-in
# defaults: after 3 epochs it passes the Markov baseline on the default preset.
RUN_DEFAULTS: dict[str, tuple[str | None, int]] = {
    "default": ("ml1m-loo", 3),
    "seed": ("ml1m-loo", 3),
    "loo": ("ml1m-loo", 3),
}


@dataclass
class RunSettings:
    """Everything `sessrec run` needs; `command` is the line that reproduces the run."""

    out: Path
    data: Path | None = None
    preset: str = "default"
    prep: dict[str, Any] = field(default_factory=dict)
    file_format: str | None = None
    columns: str | None = None
    config: Any = None
    config_file: Path | None = None
    epochs: int | None = None
    baselines: tuple[str, ...] = DEFAULT_BASELINES
    train_gru4rec: bool = True
    exclude_seen: bool | None = None
    bootstrap: int = 1000
    download: bool = True
    command: str = ""


def gru4rec_config(settings: RunSettings) -> Any:
    """The GRU4Rec config of a run: --config, else the preset's run default; then --epochs."""
    from sessrec.models.gru4rec.config import GRU4RecConfig

    config = settings.config
    if config is None and settings.config_file is not None:
        config = GRU4RecConfig.from_toml(settings.config_file)
    if config is None:
        name, epochs = RUN_DEFAULTS.get(settings.preset, (None, None))
        config = GRU4RecConfig.from_toml(PACKAGED_CONFIGS / f"{name}.toml") if name else None
        config = config or GRU4RecConfig()
        config = config.replace(epochs=epochs or config.epochs)
    if settings.epochs is not None:
        config = config.replace(epochs=settings.epochs)
    return config


def reproduce_command(settings: RunSettings) -> str:
    """The `sessrec run` line that repeats these settings."""
    parts = ["sessrec", "run"]
    if settings.data is not None:
        parts += ["--data", str(settings.data)]
    if settings.file_format:
        parts += ["--format", settings.file_format]
    if settings.columns:
        parts += ["--columns", settings.columns]
    parts += ["--preset", settings.preset]
    for key, value in settings.prep.items():
        parts += [f"--{key.replace('_', '-')}", str(value)]
    if settings.config_file:
        parts += ["--config", str(settings.config_file)]
    if settings.epochs is not None:
        parts += ["--epochs", str(settings.epochs)]
    parts += ["--baselines", ",".join(settings.baselines) or "none"]
    if settings.exclude_seen is not None:
        parts.append("--exclude-seen" if settings.exclude_seen else "--include-seen")
    parts += ["--out", str(settings.out)]
    return shlex.join(parts)


def check_replaceable(folder: Path) -> None:
    """Refuse to replace an existing folder that is neither empty nor a sessrec run folder."""
    check_output_folder(folder, _is_run_folder, "a sessrec run folder", "sessrec run")


def _is_run_folder(folder: Path) -> bool:
    meta = folder / "meta.json"
    return meta.is_file() and '"sessrec-run-1"' in meta.read_text(encoding="utf-8")


def check_baselines(names: tuple[str, ...]) -> None:
    """Fail before any work when a baseline name is unknown."""
    from sessrec.models.registry import baseline_names

    known = baseline_names()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(
            f"--baselines: unknown baseline {unknown[0]!r}; known: {', '.join(known)}"
        )
