"""The CLI's failure contract: one line on stderr starting with `error:`, and a non-zero exit."""

from __future__ import annotations

import sys
from pathlib import Path
from unittest import mock

import pytest

from sessrec.cli import main

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "tiny-ml"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the sessrec CLI in this process; return (exit status, stderr)."""
    argv = mock.patch.object(sys, "argv", ["sessrec", "--quiet", *args])
    with argv, pytest.raises(SystemExit) as stop:
        main()
    return stop.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["evaluate", "runs/x", "-k", "0"],
            "error: No such option: -k (see 'sessrec evaluate --help')",
        ),
        (["nosuch"], "error: No such command 'nosuch'. (see 'sessrec --help')"),
        (
            ["run", "--out", "runs/x", "--bootstrap", "-1"],
            "error: Invalid value for '--bootstrap': Input should be greater than or equal to 0",
        ),
        (
            ["sweep", "sweep.toml", "--out", "runs/x", "--bootstrap", "-1"],
            "error: Invalid value for '--bootstrap'",
        ),
        (
            ["tune", "--data-dir", "p", "--out", "runs/x", "--trials", "0"],
            "error: Invalid value for '--trials': Input should be greater than or equal to 1",
        ),
        (
            ["evaluate", "runs/x", "--bootstrap", "many"],
            "error: Invalid value for '--bootstrap'",
        ),
    ],
)
def test_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    status, err = run_cli(capsys, *args)

    assert status == 2
    assert err.startswith(expected)
    assert err.count("\n") == 1


def test_an_out_folder_that_cannot_be_made_names_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n", encoding="utf-8")

    status, err = run_cli(
        capsys, "prep", "--data", str(TINY), "--preset", "loo", "--out", str(a_file / "sub")
    )

    assert status == 1
    # Warnings about the tiny splits may come first; the error is the last line, and the only one.
    assert err.splitlines()[-1] == f"error: {a_file}: File exists"
    assert err.count("error:") == 1
    assert "Traceback" not in err
    assert a_file.read_text(encoding="utf-8") == "not a folder\n"


def test_help_still_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    argv = mock.patch.object(sys, "argv", ["sessrec", "prep", "--help"])
    with argv, pytest.raises(SystemExit) as stop:
        main()

    assert stop.value.code == 0
    assert "Usage: sessrec prep" in capsys.readouterr().out


def test_no_command_shows_the_help_without_an_error_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = mock.patch.object(sys, "argv", ["sessrec"])
    with argv, pytest.raises(SystemExit) as stop:
        main()

    captured = capsys.readouterr()
    assert stop.value.code == 2
    assert "Usage: sessrec [OPTIONS] COMMAND" in captured.out + captured.err
    assert "error:" not in captured.out + captured.err
