"""Run-wide rates as the dashboard shows them: per second of the load phase
(`harness.results.figures.load_phase_s`: the scenarios' scheduled time), as the report and compare
divide them, never per second of wall time, whose graceful-stop drain would make two runs with
identical per-scenario rates read differently."""

from __future__ import annotations

from harness.results import RunResult, load_phase_s, run_rate_per_s


def requests_per_s(result: RunResult) -> float | None:
    """HTTP requests per second of the load phase; None without a request count."""
    requests = result.metrics.get("http_reqs")
    return run_rate_per_s(requests.count if requests is not None else None, result)


def achieved_rate_per_s(result: RunResult) -> float | None:
    """Iterations per second of the load phase (compare's `(all)/achieved_rate_per_s`)."""
    iterations = result.metrics.get("iterations")
    return run_rate_per_s(iterations.count if iterations is not None else None, result)


def requests_detail(result: RunResult) -> str | None:
    """The Requests card's detail: `136.5 req/s over 6 s of load`."""
    rate = requests_per_s(result)
    return None if rate is None else f"{rate:,.1f} req/s over {load_phase_s(result):,.0f} s of load"
