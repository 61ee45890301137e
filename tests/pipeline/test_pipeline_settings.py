"""Settings of `sessrec run`: which GRU4Rec config it trains and the command that repeats it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessrec.cli.run import parse_baselines
from sessrec.errors import ConfigError
from sessrec.models.gru4rec.config import GRU4RecConfig
from sessrec.pipeline.settings import (
    PACKAGED_CONFIGS,
    RUN_DEFAULTS,
    RunSettings,
    gru4rec_config,
    reproduce_command,
)


@pytest.mark.parametrize("preset", sorted(RUN_DEFAULTS))
def test_each_preset_has_a_run_default_that_loads(preset: str) -> None:
    name, epochs = RUN_DEFAULTS[preset]
    config = gru4rec_config(RunSettings(out=Path("x"), preset=preset))
    assert config.epochs == epochs
    if name is not None:
        packaged = GRU4RecConfig.from_toml(PACKAGED_CONFIGS / f"{name}.toml")
        assert config == packaged.replace(epochs=epochs)


def test_config_file_and_epochs_flag_take_precedence(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("[gru4rec]\nlayers = [40]\nepochs = 7\n", encoding="utf-8")
    assert gru4rec_config(RunSettings(out=tmp_path, config_file=path)).epochs == 7
    config = gru4rec_config(RunSettings(out=tmp_path, config_file=path, epochs=1))
    assert (config.layers, config.epochs) == ((40,), 1)


def test_reproducing_command_lists_every_choice() -> None:
    settings = RunSettings(
        out=Path("runs/x y"),
        data=Path("/data/ml-1m"),
        preset="seed",
        prep={"min_item_support": 5},
        epochs=3,
        baselines=("pop", "markov"),
        exclude_seen=True,
    )
    assert reproduce_command(settings) == (
        "sessrec run --data /data/ml-1m --preset seed --min-item-support 5 --epochs 3 "
        "--baselines pop,markov --exclude-seen --out 'runs/x y'"
    )
    assert reproduce_command(RunSettings(out=Path("o"), baselines=())) == (
        "sessrec run --preset default --baselines none --out o"
    )


def test_baseline_list_parsing() -> None:
    assert parse_baselines("pop, markov") == ("pop", "markov")
    assert parse_baselines("none") == () and parse_baselines("") == ()
    with pytest.raises(ConfigError, match="repeated"):
        parse_baselines("pop,pop")
