"""Damaged run folders and a bad --out end in one-line sessrec errors naming the path."""

from __future__ import annotations

import os
import shutil

import pytest
from training_data import cyclic_dataset

from sessrec.errors import CheckpointError, ConfigError
from sessrec.models.gru4rec import GRU4Rec, GRU4RecConfig
from sessrec.training import train

CONFIG = GRU4RecConfig(
    layers=(8,), batch_size=8, n_sample=4, epochs=1, steps_per_call=16, jit_compile=False
)
WEIGHTS_DATA = "model/weights/network.data-00000-of-00001"
STATE_DATA = "checkpoint/state/training.data-00000-of-00001"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A dataset and a one-epoch run folder that each test copies before damaging it."""
    folder = tmp_path_factory.mktemp("damage")
    dataset = cyclic_dataset(folder / "data")
    train(CONFIG, dataset, folder / "run")
    return dataset, folder / "run"


def damaged_copy(run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    return copy


def test_truncated_model_weights_raise_checkpoint_error(finished_run, tmp_path):
    run = damaged_copy(finished_run[1], tmp_path)
    os.truncate(run / WEIGHTS_DATA, 1000)
    with pytest.raises(CheckpointError, match="weights are corrupt or incomplete") as caught:
        GRU4Rec.load(run / "model")
    assert str(run / "model" / "weights") in str(caught.value)
    assert "\n" not in str(caught.value)


def test_truncated_training_state_raises_checkpoint_error_on_resume(finished_run, tmp_path):
    dataset, original = finished_run
    run = damaged_copy(original, tmp_path)
    os.truncate(run / STATE_DATA, 1000)
    with pytest.raises(CheckpointError, match="training state is corrupt") as caught:
        train(CONFIG.replace(epochs=2), dataset, run, resume=True)
    assert str(run / "checkpoint" / "state") in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{}", "key 'epoch' missing"), ("{not json", "cannot read"), ("[]", "no JSON object")],
)
def test_damaged_progress_file_raises_checkpoint_error(finished_run, tmp_path, content, expected):
    dataset, original = finished_run
    run = damaged_copy(original, tmp_path)
    (run / "checkpoint" / "progress.json").write_text(content)
    with pytest.raises(CheckpointError, match=expected) as caught:
        train(CONFIG.replace(epochs=2), dataset, run, resume=True)
    assert str(run / "checkpoint" / "progress.json") in str(caught.value)


def test_out_naming_an_existing_file_raises_config_error(finished_run, tmp_path):
    (tmp_path / "taken").write_text("a file\n")
    with pytest.raises(ConfigError, match="option --out: .*taken is a file"):
        train(CONFIG, finished_run[0], tmp_path / "taken")


def test_out_naming_a_folder_of_other_files_is_refused_untouched(finished_run, tmp_path):
    (tmp_path / "keep.txt").write_text("mine\n")
    with pytest.raises(ConfigError, match="option --out: .* not a run folder") as caught:
        train(CONFIG, finished_run[0], tmp_path)
    assert str(tmp_path) in str(caught.value)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.txt"]


def test_resume_on_other_data_names_both_item_counts(finished_run, tmp_path):
    dataset, original = finished_run
    run = damaged_copy(original, tmp_path)
    other = cyclic_dataset(tmp_path / "other", n_items=15)
    with pytest.raises(ConfigError, match="--resume: .* was trained on .* with 12 items") as caught:
        train(CONFIG.replace(epochs=2), other, run, resume=True)
    message = str(caught.value)
    assert str(dataset.folder.resolve()) in message
    assert f"--data-dir {(tmp_path / 'other').resolve()} has 15 items" in message
    assert "corrupt" not in message
