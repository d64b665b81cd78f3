"""Figure builders are pure functions of the run (or a summary of it): their traces carry the
run's numbers, budgets are dashed red lines at the plan's limits, colours follow the scenario."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import plotly.graph_objects as go
import pytest

from dashboards.budgets import latency_budgets
from dashboards.costs import cost_view
from dashboards.figures.guardrail import (
    evaluation_p95_figure,
    evaluations_rate_figure,
    llm_cost_figure,
    queue_length_figure,
    tier_share_figure,
)
from dashboards.figures.latency import latency_over_run, p95_by_scenario
from dashboards.figures.redis import MIB, evictions_figure, memory_figure, peaks_figure
from dashboards.figures.style import BUDGET_RED, KNOWN_SCENARIOS, scenario_colours
from dashboards.figures.trend import p95_history
from dashboards.guardrail import guardrail_summary
from dashboards.history import change_points, merged_history, request_p95_series
from dashboards.redis_memory import redis_summary, run_peak
from harness.baselines.series import History
from harness.compare.result_inputs import from_result
from harness.costs import (
    DEFAULT_MODEL_PATH,
    load_model,
    tier_stack_figure,
    tornado,
    tornado_figure,
    unit_costs_figure,
)
from harness.costs.figure_layout import (
    BAR_GAP_PX,
    LABEL_LINE_PX,
    SIDEWAYS_FRAME_PX,
    wrapped,
)
from harness.costs.figure_layout import for_any_width as readable
from harness.results import RunResult
from harness.results.model import RedisSample, Samples
from tests.dashboards.conftest import REGRESSION_FROM


def _traces(fig: go.Figure, **match: object) -> list[go.BaseTraceType]:
    return [t for t in fig.data if all(getattr(t, k) == v for k, v in match.items())]


def _budget_shapes(fig: go.Figure) -> list[tuple[float, str | None]]:
    return [(s.y0, s.yref) for s in fig.layout.shapes if s.line.color == BUDGET_RED and s.line.dash == "dash"]


def test_scenario_colours_are_fixed_for_the_seeds_scenarios_and_stable_for_others() -> None:
    colours = scenario_colours(["zeta", "browse_problems", "alpha"])
    assert colours["browse_problems"] == KNOWN_SCENARIOS["browse_problems"]
    assert colours == scenario_colours(["alpha", "zeta", "browse_problems"])
    assert len(set(colours.values())) == 3 and BUDGET_RED not in colours.values()


def test_latency_over_run_draws_each_windows_percentiles_with_the_budgets(weekly_runs: tuple[RunResult, ...]) -> None:
    run = weekly_runs[-1]
    colours = scenario_colours(run.scenarios)
    fig = latency_over_run(run, budgets=latency_budgets(run.thresholds), colours=colours)
    for axis, field in (("y", "p50_ms"), ("y2", "p95_ms"), ("y3", "p99_ms")):
        (browse,) = _traces(fig, name="browse_problems", yaxis=axis)
        points = [p for p in run.time_series if p.scenario == "browse_problems"]
        assert list(browse.x) == [p.t_s for p in points]
        assert list(browse.y) == [getattr(p, field) for p in points]
        assert browse.line.color == colours["browse_problems"]
    assert len(fig.data) == 3 * len(run.scenarios)
    # p(95)<200 and the search_missions p(95)<150 on the p95 row; p(99)<500 on the p99 row
    assert sorted(_budget_shapes(fig)) == [(150.0, "y2"), (200.0, "y2"), (500.0, "y3")]
    labels = [a.text for a in fig.layout.annotations]
    assert "budget p(95)<150 ms (search_missions)" in labels and "budget p(99)<500 ms" in labels
    assert fig.layout.yaxis2.type == "log"
    # on a log axis plotly reads annotations in log10 units: the label sits on its line
    (label,) = [a for a in fig.layout.annotations if a.text == "budget p(95)<200 ms"]
    assert label.y == pytest.approx(math.log10(200))


def test_p95_by_scenario_is_each_scenarios_whole_run_p95(weekly_runs: tuple[RunResult, ...]) -> None:
    run = weekly_runs[0]
    fig = p95_by_scenario(run, budgets=latency_budgets(run.thresholds), colours=scenario_colours(run.scenarios))
    (bars,) = fig.data
    assert list(bars.x) == list(run.scenarios)
    assert list(bars.y) == [s.http_req_duration.p95 for s in run.scenarios.values()]  # type: ignore[union-attr]
    assert sorted(_budget_shapes(fig)) == [(150.0, "y"), (200.0, "y")]


def test_p95_history_marks_the_regression_at_the_run_where_it_started(weekly_runs: tuple[RunResult, ...]) -> None:
    rows = [(from_result(r, source=r.meta.run_id), r.meta.ended_at) for r in weekly_runs]
    series = request_p95_series(merged_history(History(rows=()), rows))
    changes = change_points(series)
    newest = weekly_runs[-1].meta
    fig = p95_history(series, changes, colours=scenario_colours(weekly_runs[0].scenarios), budget_ms=200.0,
                      selected=(newest.run_id, newest.started_at))
    (whole_run,) = _traces(fig, name="all requests")
    assert list(whole_run.y) == [r.metrics["http_req_duration"].trend.p95 for r in weekly_runs]  # type: ignore[union-attr]
    assert list(whole_run.customdata) == [r.meta.run_id for r in weekly_runs]
    (marks,) = _traces(fig, name="change point: regression")
    regressed = weekly_runs[REGRESSION_FROM]
    assert set(marks.x) == {regressed.meta.started_at}
    assert len(marks.x) == len(series)  # every request's p95 stepped up at that run
    assert _budget_shapes(fig) == [(200.0, "y")]
    assert any(a.text == f"shown run: {newest.run_id}" for a in fig.layout.annotations)


def test_p95_history_without_runs_says_so() -> None:
    fig = p95_history([], {}, colours={})
    assert fig.data == () and "No run history" in fig.layout.annotations[0].text


def test_guardrail_figures_draw_the_summary(weekly_runs: tuple[RunResult, ...]) -> None:
    summary = guardrail_summary(weekly_runs[0].samples)
    assert summary is not None
    worker = summary.workers[0]
    (rate,) = evaluations_rate_figure(summary).data
    assert list(rate.y) == list(worker.evaluations_per_s.values)
    (queue,) = queue_length_figure(summary).data
    assert list(queue.y) == list(summary.queue_length.values)
    p95 = evaluation_p95_figure(summary, budget_ms=2000.0, budget_label="budget p(95)<2,000 ms (plan)")
    # in ms like every latency on the dashboard (the worker's histogram counts seconds)
    assert list(p95.data[0].y) == [None if v is None else v * 1000.0 for v in worker.evaluation_p95_s.values]
    assert _budget_shapes(p95) == [(2000.0, "y")] and p95.layout.yaxis.title.text == "ms"
    (tiers,) = tier_share_figure(summary).data
    assert list(tiers.x) == list(summary.by_tier)
    assert sum(tiers.y) == pytest.approx(100.0)
    (cost,) = llm_cost_figure(summary).data
    assert cost.y[-1] == pytest.approx(summary.llm_cost_usd)


def test_redis_figures_draw_memory_in_mib_against_maxmemory(weekly_runs: tuple[RunResult, ...]) -> None:
    run = weekly_runs[-1]
    summary = redis_summary(run.samples)
    assert summary is not None
    fig = memory_figure(summary)
    used, rss = fig.data
    assert list(used.y) == [s.used_memory / MIB for s in run.samples.redis]  # type: ignore[operator]
    assert list(rss.y) == [s.used_memory_rss / MIB for s in run.samples.redis]  # type: ignore[operator]
    assert _budget_shapes(fig) == [(256.0, "y")]
    (evicted,) = evictions_figure(summary).data
    assert evicted.y[-1] == 37 and evicted.line.color == BUDGET_RED


def test_a_limit_far_above_the_memory_is_noted_rather_than_drawn() -> None:
    from dashboards.redis_memory import RedisSummary
    from harness.results.samples import RedisHeadroom

    small = RedisSummary(t_s=(0.0, 5.0), used_memory=(1.0 * MIB, 1.5 * MIB), used_memory_rss=(6.0 * MIB, 7.0 * MIB),
                         headroom=RedisHeadroom(1.5 * MIB, 256 * 1024 * 1024), policy="noeviction", evictions=(0.0, 0.0))
    fig = memory_figure(small)
    assert _budget_shapes(fig) == []
    # the share is used_memory's (1.5 MiB), not RSS's (7 MiB would read 2.7 %)
    assert "maxmemory 256 MiB is far above the chart (peak used_memory is 0.6 % of it)" in fig.layout.annotations[0].text
    unlimited = memory_figure(RedisSummary(t_s=(0.0,), used_memory=(MIB,), used_memory_rss=(MIB,),
                                           headroom=RedisHeadroom(MIB, None), policy=None, evictions=()))
    assert _budget_shapes(unlimited) == [] and "no limit" in unlimited.layout.annotations[0].text
    peak = run_peak("k", "r", datetime(2026, 9, 1, tzinfo=UTC),
                    Samples(interval_s=5.0, redis=[RedisSample(t_s=0, used_memory=MIB, maxmemory=256 * 1024 * 1024)]))
    assert peak is not None
    peaks = peaks_figure([peak])
    assert [t.name for t in peaks.data] == ["peak used_memory", "peak RSS"]  # no maxmemory marker
    # the note heads the legend above the plot (a corner note there would sit on the legend)
    note = peaks.layout.legend.title.text.replace("<br>", " ")
    assert note == "maxmemory is far above every peak (the highest peak used_memory is 0.4 % of it)"
    assert peaks.layout.annotations == ()


def test_redis_peaks_have_one_bar_per_run_and_outline_the_shown_run(weekly_runs: tuple[RunResult, ...]) -> None:
    peaks = [run_peak(r.meta.run_id, r.meta.run_id, r.meta.started_at, r.samples) for r in weekly_runs]
    shown = weekly_runs[4].meta.run_id
    fig = peaks_figure([p for p in peaks if p is not None], selected_key=shown)
    used, _rss, limit = fig.data
    assert list(used.customdata) == [r.meta.run_id for r in weekly_runs]
    assert list(used.y) == [max(s.used_memory for s in r.samples.redis) / MIB for r in weekly_runs]  # type: ignore[type-var]
    assert list(used.marker.line.width) == [3 if r.meta.run_id == shown else 0 for r in weekly_runs]
    assert set(limit.y) == {256.0}
    assert len(set(used.x)) == len(weekly_runs)


def test_peak_labels_stay_unique_when_runs_start_in_the_same_minute(weekly_runs: tuple[RunResult, ...]) -> None:
    moment = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
    peaks = [run_peak(f"k{i}", f"r{i}", moment, weekly_runs[i].samples) for i in range(3)]
    (used, *_rest) = peaks_figure([p for p in peaks if p is not None]).data
    assert list(used.x) == ["Sep 01 03:00", "Sep 01 03:00 #2", "Sep 01 03:00 #3"]


def test_two_budgets_on_one_plot_label_at_different_ends(weekly_runs: tuple[RunResult, ...]) -> None:
    run = weekly_runs[0]
    for fig in (latency_over_run(run, budgets=latency_budgets(run.thresholds), colours=scenario_colours(run.scenarios)),
                p95_by_scenario(run, budgets=latency_budgets(run.thresholds), colours=scenario_colours(run.scenarios))):
        labels = [a for a in fig.layout.annotations if a.text.startswith("budget p(95)")]
        assert len(labels) == 2
        assert {(a.x, a.xanchor) for a in labels} == {(0.0, "left"), (1.0, "right")}  # 150 and 200 ms apart


def test_cost_charts_show_whole_tier_names() -> None:
    model = load_model(DEFAULT_MODEL_PATH)
    report = cost_view(model, model_path=str(DEFAULT_MODEL_PATH), result=None).report
    names = [t.name for t in model.tiers]
    for fig in (readable(unit_costs_figure(report)), readable(tier_stack_figure(report))):
        axes = [fig.layout[k] for k in fig.layout if k.startswith("xaxis") and fig.layout[k].ticktext]
        assert axes
        for axis in axes:
            shown = [t.replace("<br>", " ").removesuffix(" (projected)") for t in axis.ticktext]
            assert shown == names
            assert axis.automargin is True
    assert wrapped("Growth (projected)") == "Growth<br>(projected)" and wrapped("MVP") == "MVP"


def _legend_is_above_the_plot(fig: go.Figure) -> bool:
    legend = fig.layout.legend
    return legend.yanchor == "bottom" and legend.y >= 1.0 and legend.orientation == "h"


def test_legends_that_named_long_sources_sit_above_the_plot_not_on_the_axis_title(
        weekly_runs: tuple[RunResult, ...]) -> None:
    """The queue's one legend entry ("guardrail worker, server metrics") and the Redis peaks' three
    reached the x-axis title and the upright run starts below the plot (issue 16)."""
    summary = guardrail_summary(weekly_runs[0].samples)
    assert summary is not None
    queue = queue_length_figure(summary)
    assert _legend_is_above_the_plot(queue) and queue.layout.showlegend is True
    assert queue.layout.margin.t > 64  # the band the legend sits in
    peaks = [run_peak("k", "r", datetime(2026, 9, day, tzinfo=UTC),
                      Samples(interval_s=5.0, redis=[RedisSample(t_s=0, used_memory=200 * MIB,
                                                                 maxmemory=256 * 1024 * 1024)]))
             for day in range(1, 21)]
    fig = peaks_figure([p for p in peaks if p is not None])
    assert _legend_is_above_the_plot(fig) and fig.layout.xaxis.automargin is True
    assert all(len(line) <= 32 for line in fig.layout.xaxis.title.text.split("<br>"))  # whole on a phone


def test_the_cost_chart_keeps_its_zero_ticks_apart(weekly_runs: tuple[RunResult, ...]) -> None:
    summary = guardrail_summary(weekly_runs[0].samples)
    assert summary is not None
    fig = llm_cost_figure(summary)
    assert fig.data  # the figure, not the "nothing sampled" frame
    assert fig.layout.yaxis.rangemode == "tozero" and fig.layout.yaxis.ticklabelstandoff >= 6


def test_the_tornado_gives_each_bar_the_height_of_its_wrapped_label() -> None:
    model = load_model(DEFAULT_MODEL_PATH)
    tier = model.tiers[-1]
    fig = readable(tornado_figure(tornado(model, tier, swing_pct=model.sensitivity.swing_pct)))
    labels = list(fig.layout.yaxis.ticktext)
    assert len(labels) >= 5
    lines = max(label.count("<br>") + 1 for label in labels)
    assert lines >= 2  # the case that overlapped at 390 px
    # what is left once the title, ticks, axis title and legend have their room: every bar its lines
    assert fig.layout.height - SIDEWAYS_FRAME_PX >= len(labels) * (lines * LABEL_LINE_PX + BAR_GAP_PX)
    # every driver's name is whole once its line breaks are read as spaces
    assert [t.replace("<br>", " ") for t in labels] == list(fig.layout.yaxis.tickvals)
