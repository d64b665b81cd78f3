"""Figures that must read right whatever the run: a rate is per second of the load phase (a stress
run's drain is not load), and a "within noise" change is neutral, saying which way it went."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from dashboards.app import render_page
from dashboards.comparison import VERDICT_TONES, compare_metrics, verdict_rows
from dashboards.context import LATEST, DashboardData
from dashboards.pages import PAGES
from harness.compare import Unit, Verdict, from_result
from harness.results import RunResult, load_phase_s
from tests.dashboards import dash_tree
from tests.dashboards.run_factory import write_run

SCHEDULE_S = 60.0  # the fixture runs' scenarios run for 60 s
DRAIN_S = 112.0  # a queue flood waits for its queue long after the load: wall time 172 s


def _stress_like(run: RunResult) -> RunResult:
    """The run with a long drain after its schedule, as `stress/queue_flood.yaml` has."""
    meta = run.meta.model_copy(update={"duration_s": SCHEDULE_S + DRAIN_S, "run_id": "stress-like-run"})
    return run.model_copy(update={"meta": meta})


def test_the_overview_rate_is_per_second_of_load_not_of_wall_time(tmp_path: Path,
                                                                  weekly_runs: tuple[RunResult, ...]) -> None:
    stress = _stress_like(weekly_runs[0])
    write_run(tmp_path / "reports", stress)
    data = DashboardData(tmp_path / "reports", tmp_path / "baselines")
    children, _ = render_page(data, "/", LATEST)
    requests = stress.metrics["http_reqs"].count
    assert requests is not None and load_phase_s(stress) == SCHEDULE_S
    cards = dash_tree.text(dash_tree.find(children, "summary-cards"))
    assert f"{requests / SCHEDULE_S:,.1f} req/s over 60 s of load" in cards
    assert f"{requests / (SCHEDULE_S + DRAIN_S):,.1f} req/s" not in cards  # the old wall-time figure
    for page in PAGES:  # no page shows the wall-time rate
        page_children, _ = render_page(data, page.path, LATEST)
        text = dash_tree.text(page_children)
        assert f"{requests / (SCHEDULE_S + DRAIN_S):,.1f} req/s" not in text, page.path
        assert not re.search(r"\d req/s", text) or f"{requests / SCHEDULE_S:,.1f} req/s" in text, page.path


def test_within_noise_is_neutral_and_says_which_way_it_went(weekly_runs: tuple[RunResult, ...]) -> None:
    assert VERDICT_TONES["within noise"] == "neutral" and VERDICT_TONES["regressed"] == "error"
    before, after = from_result(weekly_runs[-1], source="slow"), from_result(weekly_runs[0], source="fast")
    comparison = compare_metrics(before, after).comparison
    assert comparison is not None
    # an 81 %-style improvement the noise band swallows: the engine's verdict is "within noise"
    improved = [m for m in comparison.metrics if m.verdict is Verdict.IMPROVED and m.unit is Unit.MS]
    assert improved
    noisy = replace(improved[0], verdict=Verdict.WITHIN_NOISE, noise=2 * abs(improved[0].delta))
    comparison = replace(comparison, metrics=tuple(noisy if m is improved[0] else m for m in comparison.metrics))
    rows = {r.metric: r for r in verdict_rows(comparison)}
    assert rows[noisy.key].change == f"{noisy.delta_pct:+.1f} % (better)" and rows[noisy.key].tone == "neutral"
    for metric in comparison.metrics:
        row = rows[metric.key]
        assert row.tone == VERDICT_TONES[row.verdict]
        if metric.unit is Unit.MS and metric.delta < 0:
            assert row.direction == "better"  # lower latency is better
        if metric.verdict.value == "within noise":
            assert row.change.endswith(f"({row.direction})") and row.tone == "neutral"
