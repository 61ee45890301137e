"""Reading a sweep file: scalars are shared, lists are grid axes, `[[runs]]` are explicit configs.

    preset = "seed"                 # prep preset of every run (default: "default")
    baselines = []                  # baselines fitted in every run (default: none)
    epochs = 3                      # a scalar: the same in every run
    batch_size = [32, 64, 128]      # a list: one grid axis
    min_session_length = [2, 3]     # prep options may vary too

    [[runs]]                        # optional: explicit configs, each crossed with the grid
    name = "wide"
    layers = [256]

Keys are GRU4Rec options (`sessrec fit --help`), prep options (`sessrec prep --help`, with
underscores) or the sweep's own `preset`, `baselines` and `name`. For options that are lists
themselves (`layers`), a list of lists is the axis: `layers = [[100], [200, 200]]`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sessrec.errors import ConfigError

SWEEP_KEYS = ("preset", "baselines", "name")
LIST_VALUED = ("layers", "baselines")
PREP_EXCLUDED = ("preset",)


@dataclass
class SweepRun:
    """One configuration of a sweep: its name, preset, prep and trainer overrides, baselines."""

    name: str
    preset: str = "default"
    prep: dict[str, Any] = field(default_factory=dict)
    trainer: dict[str, Any] = field(default_factory=dict)
    baselines: list[str] = field(default_factory=list)
    varied: dict[str, Any] = field(default_factory=dict)


def prep_option_names() -> list[str]:
    """Prep options a sweep may set (the fields of `PrepOptions` other than the preset)."""
    from sessrec.data.options import PrepOptions

    return [item.name for item in dataclasses.fields(PrepOptions) if item.name not in PREP_EXCLUDED]


def trainer_option_names() -> list[str]:
    """GRU4Rec options a sweep may set."""
    from sessrec.models.gru4rec.config import option_names

    return option_names()


def _is_axis(key: str, value: Any) -> bool:
    """A list is a grid axis, except for list-valued options where only a list of lists is."""
    if not isinstance(value, list):
        return False
    if key in LIST_VALUED:
        return bool(value) and all(isinstance(item, list) for item in value)
    return True


def _slug(value: Any) -> str:
    text = "x".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", text).strip("-")


def load_sweep(path: Path) -> list[SweepRun]:
    """Parse and validate a sweep file into its runs, before anything is trained."""
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"sweep file {path} not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"sweep file {path}: {error}") from None
    return expand_sweep(spec, source=str(path))


def expand_sweep(spec: dict[str, Any], source: str = "sweep") -> list[SweepRun]:
    """Every run of a parsed sweep: each explicit run crossed with every grid point."""
    explicit = spec.get("runs", [{}])
    if not isinstance(explicit, list) or not all(isinstance(run, dict) for run in explicit):
        raise ConfigError(f"{source}: 'runs' must be a list of tables, written [[runs]]")
    shared = {key: value for key, value in spec.items() if key != "runs"}
    if "name" in shared:
        raise ConfigError(f"{source}: 'name' belongs inside a [[runs]] table")

    axes = {key: value for key, value in shared.items() if _is_axis(key, value)}
    fixed = {key: value for key, value in shared.items() if key not in axes}
    for key, values in axes.items():
        if not values:
            raise ConfigError(f"{source}: option {key!r} is an empty list")

    runs = []
    grid = list(itertools.product(*axes.values())) or [()]
    for run_index, overrides in enumerate(explicit):
        nested = [key for key, value in overrides.items() if _is_axis(key, value)]
        if nested:
            raise ConfigError(f"{source}: [[runs]] option {nested[0]!r} may not be a grid axis")
        for point in grid:
            values = fixed | dict(zip(axes, point, strict=True)) | overrides
            varied = dict(zip(axes, point, strict=True))
            if len(explicit) > 1 or "name" in overrides:
                varied = {"run": overrides.get("name", f"run{run_index + 1}")} | varied
            runs.append(_build_run(values, varied, source))

    _name_runs(runs)
    return runs


def _build_run(values: dict[str, Any], varied: dict[str, Any], source: str) -> SweepRun:
    """Sort one run's keys into prep and trainer options, validating both."""
    from sessrec.data.options import preset_options
    from sessrec.models.gru4rec.config import GRU4RecConfig

    prep_names, trainer_names = set(prep_option_names()), set(trainer_option_names())
    run = SweepRun(name=str(values.get("name", "")), varied=varied)
    for key, value in values.items():
        if key == "preset":
            run.preset = str(value)
        elif key == "baselines":
            run.baselines = [value] if isinstance(value, str) else list(value)
        elif key == "name":
            continue
        elif key in trainer_names:
            run.trainer[key] = value
        elif key in prep_names:
            run.prep[key] = value
        else:
            raise ConfigError(
                f"{source}: unknown key {key!r}; use a GRU4Rec option (sessrec fit --help), "
                f"a prep option (sessrec prep --help) or one of {', '.join(SWEEP_KEYS)}"
            )

    try:
        preset_options(run.preset, **run.prep)
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None
    GRU4RecConfig.from_dict(run.trainer, source=source)
    return run


def _name_runs(runs: list[SweepRun]) -> None:
    """Folder names: a running number plus the values that vary, e.g. `03_batch_size-128`."""
    width = max(2, len(str(len(runs))))
    for number, run in enumerate(runs, start=1):
        parts = [f"{key}-{_slug(value)}" for key, value in run.varied.items() if key != "run"]
        if "run" in run.varied:
            parts.insert(0, _slug(run.varied["run"]))
        run.name = "_".join([f"{number:0{width}d}", *parts])
