"""GRU4RecConfig: every bad value names its option; TOML files round-trip."""

from __future__ import annotations

import pytest

from sessrec.errors import ConfigError
from sessrec.models.gru4rec import GRU4RecConfig


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("layers", []),
        ("layers", "100,x"),
        ("layers", [0]),
        ("embedding", "dense"),
        ("embedding_size", -1),
        ("loss", "top1"),
        ("n_sample", -5),
        ("n_sample", 2.5),
        ("sample_alpha", -0.1),
        ("dropout_hidden", 1.0),
        ("dropout_embedding", -0.2),
        ("optimizer", "sgd"),
        ("learning_rate", 0.0),
        ("learning_rate", float("nan")),
        ("momentum", 1.0),
        ("clipnorm", -1.0),
        ("batch_size", 0),
        ("batch_size", True),
        ("epochs", 0),
        ("session_order", "random"),
        ("stop_metric", "auc@20"),
        ("patience", -1),
        ("steps_per_call", 0),
        ("jit_compile", "yes"),
    ],
)
def test_bad_value_raises_config_error_naming_the_option(option, value):
    with pytest.raises(ConfigError, match=f"option {option}"):
        GRU4RecConfig(**{option: value})


def test_layers_accept_text_and_lists():
    assert GRU4RecConfig(layers="100,50").layers == (100, 50)
    assert GRU4RecConfig(layers=[64]).layers == (64,)


def test_toml_round_trip_and_table_or_top_level(tmp_path):
    config = GRU4RecConfig(layers=(32, 16), loss="bpr-max", learning_rate=0.07, seed=3)
    config.to_toml(tmp_path / "run.toml")
    assert GRU4RecConfig.from_toml(tmp_path / "run.toml") == config

    (tmp_path / "flat.toml").write_text('loss = "softmax"\nepochs = 4\n')
    flat = GRU4RecConfig.from_toml(tmp_path / "flat.toml")
    assert (flat.loss, flat.epochs) == ("softmax", 4)


def test_toml_errors_name_the_file_and_option(tmp_path):
    (tmp_path / "bad.toml").write_text("[gru4rec]\nbatch_size = -3\n")
    with pytest.raises(ConfigError, match=r"bad.toml: option batch_size"):
        GRU4RecConfig.from_toml(tmp_path / "bad.toml")
    (tmp_path / "typo.toml").write_text("[gru4rec]\nlearning_rat = 0.1\n")
    with pytest.raises(ConfigError, match=r"typo.toml: unknown option 'learning_rat'"):
        GRU4RecConfig.from_toml(tmp_path / "typo.toml")
    with pytest.raises(ConfigError, match="not found"):
        GRU4RecConfig.from_toml(tmp_path / "missing.toml")


def test_replace_validates_and_rejects_unknown_options():
    assert GRU4RecConfig().replace(epochs=3).epochs == 3
    with pytest.raises(ConfigError, match="option dropout_hidden"):
        GRU4RecConfig().replace(dropout_hidden=2.0)
    with pytest.raises(ConfigError, match="unknown option 'hidden'"):
        GRU4RecConfig().replace(hidden=100)


def test_packaged_ml1m_config_is_found_by_name_and_spells_out_the_defaults():
    assert GRU4RecConfig.from_toml("ml1m") == GRU4RecConfig()
