"""Error spike: windows whose failure rate is far above the run's typical one."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from harness.insights.model import Insight, span_text
from harness.results.model import RunResult

SPIKE_FACTOR = 5.0  # a window at 5x the typical failure rate ...
SPIKE_MIN_EXCESS = 0.10  # ... and at least 10 points above it
SPIKE_MIN_FAILURES = 5


def error_spikes(result: RunResult) -> list[Insight]:
    """Consecutive spiking windows (all scenarios together) merged into one insight each."""
    requests: dict[float, int] = defaultdict(int)
    failures: dict[float, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for point in result.time_series:
        requests[point.t_s] += point.requests
        for name, count in point.failures.items():
            failures[point.t_s][name] += count
    times = sorted(t for t in requests if requests[t])
    if not times:
        return []
    rates = {t: sum(failures[t].values()) / requests[t] for t in times}
    typical = median(rates.values())
    limit = max(SPIKE_FACTOR * typical, typical + SPIKE_MIN_EXCESS)
    spiking = [t for t in times if rates[t] >= limit and sum(failures[t].values()) >= SPIKE_MIN_FAILURES]
    window_s = result.meta.window_s or 1.0
    groups: list[list[float]] = []
    for t in spiking:
        if groups and t - groups[-1][-1] <= window_s + 1e-6:
            groups[-1].append(t)
        else:
            groups.append([t])
    found = []
    for group in groups:
        failed = sum(sum(failures[t].values()) for t in group)
        total = sum(requests[t] for t in group)
        classes: dict[str, int] = defaultdict(int)
        for t in group:
            for name, count in failures[t].items():
                classes[name] += count
        by_class = ", ".join(f"{name} {count}" for name, count in sorted(classes.items(), key=lambda kv: -kv[1]))
        start, end = group[0], group[-1] + window_s
        title = (f"Error spike at {span_text(start, end)}: {100 * failed / total:.0f} % of {total} requests failed "
                 f"({by_class}) against {100 * typical:.1f} % typical")
        evidence = tuple(f"window {t:g} s: {sum(failures[t].values())} of {requests[t]} failed" for t in group)
        found.append(Insight("error_spike", "critical", title, evidence, None, start, end))
    return found
