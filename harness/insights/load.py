"""Rules on the load itself: dropped iterations (with the VUs Little's law says were needed) and
the throughput limit (the achieved rate flat while VUs and p95 climb)."""

from __future__ import annotations

import math
from collections import defaultdict
from statistics import median

from harness.insights.model import Insight, span_text
from harness.results.model import RunResult, SeriesPointModel

LATENCY_FACTOR = 2.0  # p95 must climb at least this much over the run's early p95
RATE_FLAT_FACTOR = 1.1  # after the knee, the rate rises less than this over its value at the knee
VUS_GROWTH_FACTOR = 1.5  # ... while busy VUs grow at least this much
MIN_WINDOWS_AFTER_KNEE = 3
MIN_WINDOWS = 6
WINDOW_EPSILON_S = 0.01


def _scenario_windows(result: RunResult) -> dict[str, list[SeriesPointModel]]:
    """Each scenario's windows in time order, only those that start before its scheduled end
    (after it, the graceful stop's stragglers would read as a collapse)."""
    grouped: dict[str, list[SeriesPointModel]] = defaultdict(list)
    for point in result.time_series:
        stats = result.scenarios.get(point.scenario)
        if stats is None or point.t_s < stats.start_time_s + stats.duration_s - WINDOW_EPSILON_S:
            grouped[point.scenario].append(point)
    return {name: sorted(points, key=lambda p: p.t_s) for name, points in grouped.items()}


def dropped_iterations(result: RunResult) -> list[Insight]:
    """Per arrival-rate scenario that dropped iterations: needed VUs = target rate x mean iteration
    duration (Little's law), against the VUs it had."""
    found = []
    windows = _scenario_windows(result)
    for name, stats in result.scenarios.items():
        if stats.dropped_iterations <= 0:
            continue
        dropping = [p for p in windows.get(name, []) if p.dropped]
        t_from = dropping[0].t_s if dropping else stats.start_time_s
        t_to = dropping[-1].t_s + result.meta.window_s if dropping else stats.start_time_s + stats.duration_s
        evidence = [f"{len(dropping)} windows with drops, {span_text(t_from, t_to)}"] if dropping else []
        rate, duration = stats.target_rate_per_s, stats.iteration_duration
        if rate and duration is not None and duration.count:
            mean_s = duration.avg / 1000.0
            needed = math.ceil(rate * mean_s)
            title = (f"{name}: {stats.dropped_iterations} dropped iterations: about {needed} VUs needed at "
                     f"{rate:.3g}/s × {mean_s:.3g} s, maxVUs was {stats.vus_max}")
            evidence.append(f"mean iteration duration {duration.avg:.1f} ms over {duration.count} iterations")
        else:
            title = (f"{name}: {stats.dropped_iterations} dropped iterations with {stats.vus_max} VUs "
                     "(no measured iteration time to size the VUs)")
        found.append(Insight("dropped_iterations", "critical", title, tuple(evidence), name, t_from, t_to))
    return found


def throughput_limit(result: RunResult) -> list[Insight]:
    """Per scenario: from the window where p95 first reaches LATENCY_FACTOR x its early level (the
    knee), the achieved rate stays flat while busy VUs keep growing (or iterations drop)."""
    found = []
    window_s = result.meta.window_s or 1.0
    for name, points in _scenario_windows(result).items():
        timed = [p for p in points if p.p95_ms is not None and p.requests]
        if len(timed) < MIN_WINDOWS:
            continue
        early = median(p.p95_ms for p in timed[: max(2, len(timed) // 4)])  # type: ignore[misc]
        knee = next((i for i, p in enumerate(timed) if p.p95_ms >= LATENCY_FACTOR * early), None)  # type: ignore[operator]
        if knee is None or len(timed) - knee < MIN_WINDOWS_AFTER_KNEE or early <= 0:
            continue
        after = timed[knee:]
        rate_at_knee = max(p.iterations_per_s for p in timed[: knee + 1])
        rate_after = max(p.iterations_per_s for p in after)
        vus_before = max(1, max(p.active_vus for p in timed[: knee + 1]))
        vus_after = max(p.active_vus for p in after)
        dropped = sum(p.dropped for p in after)
        if rate_after > RATE_FLAT_FACTOR * rate_at_knee:
            continue
        if vus_after < VUS_GROWTH_FACTOR * vus_before and not dropped:
            continue
        worst = max(p.p95_ms for p in after)  # type: ignore[type-var]
        start, end = after[0].t_s, after[-1].t_s + window_s
        title = (f"{name}: throughput limit at about {rate_at_knee:.3g} iterations/s: from {start:g} s the rate "
                 f"stayed flat while busy VUs went {vus_before} → {vus_after} and p95 climbed {early:.0f} → "
                 f"{worst:.0f} ms ({worst / early:.1f}×)")
        evidence = (f"{len(after)} windows, {span_text(start, end)}",
                    f"early p95 {early:.1f} ms (median of the first windows)",
                    *([f"{dropped} iterations dropped after the knee"] if dropped else []))
        found.append(Insight("throughput_limit", "critical", title, evidence, name, start, end))
    return found
