"""Achieved arrival rate vs target, counted at the server by its own request counter.

For each rate (default 50, 200, 1000 req/s) a constant-arrival-rate scenario calls GET /health
for --duration seconds; the server's `http_requests_total{path="/health"}` (or the request
duration histogram's `_count`) before and after gives the count. Target: within 1 %.

    .venv/bin/python benchmarks/engine_rate_accuracy.py                  # interim counting server
    .venv/bin/python benchmarks/engine_rate_accuracy.py --embedded       # the platform's API
    .venv/bin/python benchmarks/engine_rate_accuracy.py --target http://127.0.0.1:4000
    .venv/bin/python benchmarks/engine_rate_accuracy.py --workers 2      # master + 2 workers
"""

from __future__ import annotations

import argparse
import os

from engine_bench_support import cpus, free_port, run_bwperf, scratch, server_for, write_plan

TOLERANCE = 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target")
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--rates", default="50,200,1000")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per rate")
    parser.add_argument("--workers", type=int, default=0, help="distributed: a master and N worker processes")
    args = parser.parse_args()
    generator_cpu, server_cpu = cpus()
    work = scratch()
    rows = []
    with server_for(target=args.target, embedded=args.embedded, server_cpu=server_cpu) as server:
        pinned = f", server to {server_cpu}" if server.pid else ""
        if args.workers:
            generator_cpu = f"none ({args.workers} workers + master unpinned)"
        print(f"machine: {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f} "
              "(other work on the machine skews these figures)")
        print(f"server: {server.kind} at {server.url}; generator pinned to CPU {generator_cpu}{pinned}")
        for rate in (int(r) for r in args.rates.split(",")):
            plan = write_plan(work, {"executor": "constant-arrival-rate", "rate": rate, "timeUnit": "1s",
                                     "duration": f"{args.duration}s", "preAllocatedVUs": max(10, rate // 20),
                                     "maxVUs": max(50, rate // 2)}, name=f"rate{rate}")
            before = server.count()
            extra = ["--workers", str(args.workers), "--master-port", str(free_port())] if args.workers else []
            result = run_bwperf(plan, target=server.url, out=work / "out", cpu=None if args.workers else generator_cpu,
                                extra=extra)
            counted = server.count() - before
            expected = rate * args.duration
            scenario = result.scenarios["bench"]
            g = result.generator
            rows.append((rate, expected, counted, (counted - expected) / expected, scenario.dropped_iterations,
                         g.lag_p50_ms, g.lag_p99_ms, max(p.cpu_percent_avg for p in g.processes),
                         scenario.http_req_duration.p95 if scenario.http_req_duration else float("nan")))
    print(f"{'rate/s':>7} {'expected':>9} {'server':>9} {'error':>8} {'drops':>6} {'lag p50':>8} {'lag p99':>8} "
          f"{'gen cpu':>8} {'p95 ms':>7}  within 1%")
    for rate, expected, counted, error, drops, lag50, lag99, cpu, p95 in rows:
        print(f"{rate:7d} {expected:9.0f} {counted:9.0f} {error:+8.2%} {drops:6d} {lag50:8.2f} {lag99:8.2f} "
              f"{cpu:7.0f}% {p95:7.2f}  {'yes' if abs(error) <= TOLERANCE else 'NO'}")


if __name__ == "__main__":
    main()
