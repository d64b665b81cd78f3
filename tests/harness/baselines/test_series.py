"""The history file and the series over it; change points mapped back to runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from harness.baselines import detect_change_points, load_history, record_run
from harness.compare import builders
from harness.compare.inputs import RunMetrics
from harness.errors import ResultFileError

START = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def run(index: int, *, p95_ms: float, throughput: float) -> RunMetrics:
    return RunMetrics(
        run_id=f"weekly-{index:02d}", source=f"runs/{index}.json", source_format="bwperf run result",
        started_at=START + timedelta(days=7 * index), plan={}, plan_known=True,
        metrics={
            "browse/GET /p/latency_p95_ms": builders.latency_from_summary(("browse", "GET /p"), {"p95": p95_ms})["browse/GET /p/latency_p95_ms"],
            "browse/GET /p/throughput_per_s": builders.throughput(int(throughput * 60), 60.0),
        },
    )


@pytest.fixture
def history_path(tmp_path: Path) -> Path:
    rng = np.random.default_rng(9)
    path = tmp_path / "history.jsonl"
    for i in reversed(range(16)):  # recorded out of order: the history sorts by start time
        slow = i >= 10
        record_run(run(i, p95_ms=30.0 * (1.3 if slow else 1.0) * (1 + 0.03 * rng.standard_normal()),
                       throughput=50.0 * (0.8 if slow else 1.0) * (1 + 0.01 * rng.standard_normal())), history_path=path)
    return path


def test_rows_are_in_time_order_and_series_select_by_glob(history_path: Path) -> None:
    history = load_history(history_path)
    assert [row.run_id for row in history.rows] == [f"weekly-{i:02d}" for i in range(16)]
    assert history.keys() == ["browse/GET /p/latency_p95_ms", "browse/GET /p/throughput_per_s"]
    (series,) = history.select("*/latency_p95_ms")
    assert len(series.points) == 16 and series.points[0].moment == START


def test_change_points_name_the_run_and_read_direction(history_path: Path) -> None:
    history = load_history(history_path)
    (latency,) = detect_change_points(history.series("browse/GET /p/latency_p95_ms"))
    (throughput,) = detect_change_points(history.series("browse/GET /p/throughput_per_s"))
    assert (latency.run_id, latency.verdict) == ("weekly-10", "regression")
    assert (throughput.run_id, throughput.verdict) == ("weekly-10", "regression")  # throughput fell
    assert latency.moment == START + timedelta(days=70)
    assert latency.change_pct == pytest.approx(30.0, abs=5.0)


def test_plain_numbers_work_too() -> None:
    (change,) = detect_change_points([10.0] * 6 + [8.0] * 6)
    assert (change.index, change.run_id, change.verdict) == (6, None, "change")


def test_a_run_is_recorded_once(history_path: Path) -> None:
    assert record_run(run(3, p95_ms=1.0, throughput=1.0), history_path=history_path) is False
    assert len(load_history(history_path).rows) == 16


def test_a_cut_last_line_is_skipped_with_a_warning(history_path: Path) -> None:
    text = history_path.read_text()
    history_path.write_text(text + text.splitlines()[0][:40])
    history = load_history(history_path)
    assert len(history.rows) == 16
    assert history.warnings == (f"{history_path}: line 17 is incomplete and was skipped",)


def test_a_bad_middle_line_is_an_error(history_path: Path) -> None:
    lines = history_path.read_text().splitlines()
    lines[4] = '{"run_id": "x"}'
    history_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResultFileError, match=r"line 5 is not a history row"):
        load_history(history_path)


def test_missing_history_is_empty(tmp_path: Path) -> None:
    assert load_history(tmp_path / "none.jsonl").rows == ()
