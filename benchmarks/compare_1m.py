"""Comparing two run results of 1M requests each: load both files and compare them.

    .venv/bin/python benchmarks/compare_1m.py [--requests 1000000] [--repeat 5]

Builds two results through the real result model (harness.results), 1M lognormal request latencies
each over 4 scenarios x 3 requests, writes them as JSON, then times `load_run` x 2 + `compare_runs`
(the whole of what `bwperf compare` does before printing), the rendering of the reports, and one
whole `bwperf compare` process from interpreter start to exit.
Target: under 2 s. The histograms make it cheap: the cost follows the buckets, not the requests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.compare import CompareSettings, compare_runs, load_run
from harness.compare.render_json import comparison_document
from harness.compare.render_junit import render_junit
from harness.compare.render_markdown import render_markdown
from harness.results import save_result
from tests.harness.compare.results_factory import RequestPlan, ResultPlan, build_result

TARGET_S = 2.0


def plan_for(requests: int, duration_s: float) -> ResultPlan:
    shape = [
        ("browse_problems", "GET", "/api/v1/problems", 0.30, 12.0),
        ("browse_problems", "GET", "/api/v1/problems/{id}", 0.15, 8.0),
        ("browse_problems", "GET", "/api/v1/problems/{id}/evidence", 0.05, 15.0),
        ("search_missions", "GET", "/api/v1/missions/nearby", 0.20, 20.0),
        ("search_missions", "GET", "/api/v1/missions/{id}", 0.05, 9.0),
        ("search_missions", "POST", "/api/v1/missions/{id}/claim", 0.05, 25.0),
        ("create_problems", "POST", "/api/v1/problems", 0.06, 35.0),
        ("create_problems", "POST", "/api/v1/solutions", 0.04, 40.0),
        ("create_problems", "POST", "/api/v1/debates", 0.02, 45.0),
        ("agent_registration_burst", "POST", "/api/v1/auth/register", 0.04, 60.0),
        ("agent_registration_burst", "POST", "/api/v1/auth/verify", 0.03, 30.0),
        ("agent_registration_burst", "POST", "/api/v1/heartbeat", 0.01, 5.0),
    ]
    return ResultPlan(
        requests=tuple(RequestPlan(s, m, n, rate_per_s=requests * share / duration_s, median_ms=med) for s, m, n, share, med in shape),
        duration_s=duration_s,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests per result")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plan = plan_for(args.requests, duration_s=300.0)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        baseline = save_result(build_result(plan, seed=1), Path(folder) / "baseline.json")
        current = save_result(build_result(plan.scaled(1.25, name="/api/v1/missions/nearby"), seed=2), Path(folder) / "current.json")
        built_s = time.perf_counter() - started
        sizes = [p.stat().st_size / 1024 for p in (baseline, current)]
        compare_s, render_s = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            comparison = compare_runs([load_run(baseline)], load_run(current), settings=CompareSettings())
            compare_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            render_markdown(comparison), render_junit(comparison), comparison_document(comparison)
            render_s.append(time.perf_counter() - started)
        command = [sys.executable, "-m", "bwperf", "compare", "--baseline", str(baseline), "--current", str(current),
                   "--json", str(Path(folder) / "cmp.json")]
        started = time.perf_counter()
        exit_code = subprocess.run(command, capture_output=True, check=False, cwd=Path(__file__).resolve().parent.parent).returncode
        cli_s = time.perf_counter() - started
    requests_each = sum(m.baseline_values[0] for m in comparison.metrics if m.key == "(all)/(all)/throughput_per_s") * plan.duration_s
    best, median = min(compare_s), statistics.median(compare_s)
    print(f"results: 2 x {requests_each:,.0f} requests, {len(plan.requests)} request names, files {sizes[0]:.0f} KiB and {sizes[1]:.0f} KiB (built in {built_s:.1f} s)")
    print(f"metrics compared: {len(comparison.metrics)}; regressed: {[m.key for m in comparison.metrics if m.verdict.value == 'regressed']}")
    print(f"load both + compare: median {median * 1000:.0f} ms, best {best * 1000:.0f} ms over {args.repeat} runs (target < {TARGET_S:.0f} s: "
          f"{'met' if median < TARGET_S else 'MISSED'})")
    print(f"render markdown + junit + json: median {statistics.median(render_s) * 1000:.1f} ms")
    print(f"whole `bwperf compare` process (interpreter start, imports, load, compare, print, JSON): {cli_s:.2f} s, exit {exit_code}")


if __name__ == "__main__":
    main()
