"""Results for the insight rules: the dashboard's factory run (clean: no insight), and edits of it
through the real model that plant exactly one condition each."""

from __future__ import annotations

import pytest

from harness.results.model import RunResult, SeriesPointModel
from tests.dashboards.run_factory import build_run, weekly_specs

SCENARIO = "browse_problems"


@pytest.fixture(scope="session")
def clean_run() -> RunResult:
    return build_run(weekly_specs(1)[0])


def with_series(result: RunResult, scenario: str, points: list[SeriesPointModel]) -> RunResult:
    """`result` with `scenario`'s windows replaced by `points`."""
    kept = [p for p in result.time_series if p.scenario != scenario]
    return result.model_copy(update={"time_series": kept + points})


def point(t_s: float, *, rate: float, p95: float, vus: int, window_s: float = 5.0, dropped: int = 0,
          failures: dict[str, int] | None = None, scenario: str = SCENARIO) -> SeriesPointModel:
    requests = round(rate * window_s)
    return SeriesPointModel(t_s=t_s, scenario=scenario, requests=requests, failures=failures or {},
                            p50_ms=p95 / 2, p95_ms=p95, p99_ms=p95 * 1.5, iterations_per_s=rate, dropped=dropped,
                            active_vus=vus, allocated_vus=max(vus, 20))
