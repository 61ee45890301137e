"""report.md, tables and plots rendered from plain dicts, without training anything."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import pytest

from sessrec.pipeline.plots import plot_bars, plot_curves
from sessrec.pipeline.report import render_report, write_report
from sessrec.pipeline.tables import (
    comparison_table,
    csv_table,
    format_metric,
    markdown_table,
    metric_value,
)

EVALUATOR_DICT = {
    "metrics": {"recall@20": 0.25, "mrr@20": 0.125, "n_predictions": 6040},
    "intervals": {"recall@20": [0.24, 0.26], "mrr@20": [0.12, 0.13]},
}
HISTORY = [
    {"epoch": 1, "train_loss": 6.5, "events_per_second": 80000.0, "seconds": 10.0,
     "valid": {"metrics": {"recall@20": 0.2, "mrr@20": 0.08}}},
    {"epoch": 2, "train_loss": 6.1, "events_per_second": 81000.0, "seconds": 9.5,
     "valid": {"metrics": {"recall@20": 0.22, "mrr@20": 0.09}}},
]  # fmt: skip


def test_metric_value_reads_the_evaluator_layout_and_aliases() -> None:
    assert metric_value(EVALUATOR_DICT, "recall@20") == (0.25, (0.24, 0.26))
    assert metric_value(EVALUATOR_DICT, "hr@20") == (0.25, (0.24, 0.26))
    assert metric_value({"recall@20": 0.3}, "recall@20") == (0.3, None)
    assert metric_value(EVALUATOR_DICT, "ndcg@10") == (None, None)


def test_format_and_tables() -> None:
    assert format_metric(0.25, (0.24, 0.26)) == "0.2500 [0.2400, 0.2600]"
    assert format_metric(None) == "—"
    assert markdown_table(["a", "bb"], [["1", "2"]]) == "| a | bb |\n|---|----|\n| 1 | 2  |\n"
    assert csv_table(["a", "b"], [[1, "x,y"]]) == 'a,b\n1,"x,y"\n'

    headers, cells = comparison_table([("gru4rec", EVALUATOR_DICT)], metrics=("recall@20",))
    assert headers == ["model", "recall@20", "predictions"]
    assert cells == [["gru4rec", "0.2500 [0.2400, 0.2600]", "6,040"]]


def record() -> dict:
    return {
        "title": "sessrec run: test",
        "created": "2026-12-03T18:00:00+00:00",
        "machine": "Linux x86_64, 2 CPU cores, no GPU",
        "command": "sessrec run --preset default --out runs/x",
        "data": {
            "source": "/data/ml-1m/ratings.dat",
            "preset": "default",
            "options": {"min_rating": 3.0},
            "splits": {
                "train": {"events": 1000, "sessions": 10, "items": 50, "predictions": 990,
                          "first_time": "2000-01-01 00:00:00", "last_time": "2000-02-01 00:00:00",
                          "session_length_min": 3, "session_length_median": 99.5,
                          "session_length_max": 400},
                "test": {"events": 10, "sessions": 10, "items": 9, "predictions": 10},
            },
        },
        "protocol": ["items already in the session are left out of the ranking"],
        "results": [{"label": "gru4rec", "metrics": EVALUATOR_DICT}],
        "config": {"layers": [192], "loss": "cross-entropy", "notes": None},
        "training": {"history": HISTORY, "best_epoch": 2, "seconds": 19.5},
        "timings": {"prepare data": 1.25, "train gru4rec": 20.0},
    }  # fmt: skip


def test_report_holds_every_section() -> None:
    text = render_report(record())
    assert text.startswith("# sessrec run: test\n")
    assert "```bash\nsessrec run --preset default --out runs/x\n```" in text
    assert (
        "| gru4rec | —         | —      | —       | 0.2500 [0.2400, 0.2600] "
        "| 0.1250 [0.1200, 0.1300] | —       | —           | 6,040       |"
    ) in text
    assert "- items already in the session are left out of the ranking" in text
    assert "| train | 1,000  | 10       | 50    | 990" in text
    assert "3 / 99.5 / 400" in text
    assert "layers = [\n    192,\n]" in text or "layers = [192]" in text
    assert 'loss = "cross-entropy"' in text and "notes" not in text
    assert "Best epoch (kept as the model): 2" in text
    assert "| 2     | 6.1000     | 81,000   | 9.5     | 0.2200          | 0.0900       |" in text
    assert "| prepare data  | 1.2     |" in text or "| prepare data  | 1.3     |" in text
    assert "| total         | 21.2    |" in text or "| total         | 21.3    |" in text
    assert "![training curves](curves.png)" in text and "![comparison](compare.png)" in text


def test_report_is_written_atomically(tmp_path: Path) -> None:
    write_report(tmp_path / "report.md", record())
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == render_report(record())
    assert [path.name for path in tmp_path.iterdir()] == ["report.md"]


@pytest.mark.parametrize("history", [HISTORY, []])
def test_curves_and_bars_are_png_images(tmp_path: Path, history: list) -> None:
    plot_curves(history, tmp_path / "curves.png")
    plot_bars([("gru4rec", EVALUATOR_DICT), ("pop", {"metrics": {"recall@20": 0.1}})],
              tmp_path / "compare.png")  # fmt: skip
    for name in ("curves.png", "compare.png"):
        image = matplotlib.image.imread(tmp_path / name)
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
