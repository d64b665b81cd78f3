"""Generator throughput on one core: the engine vs plain Locust FastHttpUser, side by side.

Each generator is pinned to one CPU (the server to another) and calls GET /health as fast as it
can for --duration seconds; requests are counted at the server. Per round, in an order that
rotates (so drift on a shared machine falls on every generator alike):

1. plain Locust: a FastHttpUser with no wait, N users (Locust's own runner);
2. the engine, constant-vus with the same N VUs (the same closed loop, through our executors,
   sinks and HdrHistograms);
3. the engine, constant-arrival-rate asked for 1.5x what plain Locust achieved (the open-model
   executor at its limit; it drops what it cannot start).

Two figures per generator: requests per second at the server, and CPU per request (the
generator process's CPU time over its requests; a shared machine lowers the first, hardly the
second). The ratios to plain Locust are taken within each round; their medians are the result.
Targets (issue 17): constant-vus >= 95 %, arrival-rate >= 90 % of plain Locust per core.

`--workers 2` (unpinned, both cores, server included) against one engine process: target >= 1.7x.

    .venv/bin/python benchmarks/engine_throughput.py [--rounds 3] [--duration 10] [--users 20] [--scaling]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import psutil

from engine_bench_support import ROOT, cpus, free_port, run_bwperf, scratch, server_for, write_plan

PLAIN_LOCUST_CHILD = "--plain-locust-child"


def plain_locust_child(url: str, users: int, duration_s: float) -> None:
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment
    from locust.event import Events

    class Plain(FastHttpUser):
        host = url
        wait_time = constant(0)

        @task
        def health(self) -> None:
            self.client.get("/health", name="/health")

    environment = Environment(user_classes=[Plain], events=Events(), host=url)
    runner = environment.create_local_runner()
    cpu_before = time.process_time()
    runner.start(users, spawn_rate=users)
    gevent.sleep(duration_s)
    runner.quit()
    cpu_s = time.process_time() - cpu_before
    print(json.dumps({"requests": environment.stats.total.num_requests, "cpu_s": cpu_s,
                      "p95_ms": environment.stats.total.get_response_time_percentile(0.95)}))


def run_plain(url: str, *, users: int, duration_s: float, cpu: int | None) -> dict:
    preexec = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    done = subprocess.run([sys.executable, __file__, PLAIN_LOCUST_CHILD, url, str(users), str(duration_s)],
                          capture_output=True, text=True, preexec_fn=preexec, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def engine_cpu_us_per_request(result, requests: int) -> float:
    """The engine's CPU (its sampled average over the run, every generator process) per request."""
    cores = sum(p.cpu_percent_avg for p in result.generator.processes) / 100.0
    return cores * result.meta.duration_s / max(1, requests) * 1e6


def one_round(order: list[str], *, server, users: int, duration_s: float, cpu: int | None, asked: int | None,
              work, index: int) -> dict[str, dict]:
    measured: dict[str, dict] = {}
    for kind in order:
        before = server.count()
        if kind == "plain":
            plain = run_plain(server.url, users=users, duration_s=duration_s, cpu=cpu)
            counted = server.count() - before
            measured[kind] = {"rate": counted / duration_s, "cpu_us": plain["cpu_s"] / max(1, plain["requests"]) * 1e6}
            continue
        if kind == "closed":
            scenario = {"executor": "constant-vus", "vus": users, "duration": f"{duration_s}s", "gracefulStop": "2s"}
        else:
            scenario = {"executor": "constant-arrival-rate", "rate": asked, "duration": f"{duration_s}s",
                        "preAllocatedVUs": users, "maxVUs": users * 3, "gracefulStop": "2s"}
        plan = write_plan(work, scenario, name=f"{kind}{index}")
        result = run_bwperf(plan, target=server.url, out=work / f"{kind}{index}", cpu=cpu)
        counted = server.count() - before
        measured[kind] = {"rate": counted / duration_s, "cpu_us": engine_cpu_us_per_request(result, int(counted)),
                          "dropped": sum(s.dropped_iterations for s in result.scenarios.values()),
                          "lag_p99_ms": result.generator.lag_p99_ms}
    return measured


def scaling(server, *, users: int, duration_s: float, work) -> dict[str, float]:
    """Requests per second of one engine process and of `--workers 2`, both unpinned; and what the
    server and the generators spent per request, for the ceiling the shared cores allow."""
    measured: dict[str, float] = {}
    server_process = psutil.Process(server.pid) if server.pid else None
    for workers in (0, 2):
        plan = write_plan(work, {"executor": "constant-vus", "vus": users * 2, "duration": f"{duration_s}s",
                                 "gracefulStop": "2s"}, name=f"scale{workers}")
        extra = ["--workers", str(workers), "--master-port", str(free_port())] if workers else []
        before = server.count()
        server_cpu_before = sum(server_process.cpu_times()[:2]) if server_process else 0.0
        result = run_bwperf(plan, target=server.url, out=work / f"scale{workers}", cpu=None, extra=extra)
        counted = server.count() - before
        measured[f"rate{workers}"] = counted / duration_s
        measured[f"generator_us{workers}"] = engine_cpu_us_per_request(result, int(counted))
        if server_process:
            measured[f"server_us{workers}"] = (sum(server_process.cpu_times()[:2]) - server_cpu_before) / max(1, counted) * 1e6
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target")
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scaling", action="store_true", help="also --workers 2 against one process (both cores)")
    parser.add_argument("--aiohttp-server", action="store_true",
                        help="count at the aiohttp server instead of the bare asyncio one (it saturates first)")
    args = parser.parse_args()
    generator_cpu, server_cpu = cpus()
    work = scratch()
    fast = not (args.target or args.embedded or args.aiohttp_server)
    kinds = ["plain", "closed", "open"]
    rounds: list[dict[str, dict]] = []
    with server_for(target=args.target, embedded=args.embedded, server_cpu=server_cpu, fast=fast) as server:
        pinned = f", server to {server_cpu}" if server.pid else ""
        print(f"machine: {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f}")
        print(f"server: {server.kind} at {server.url}; generators pinned to CPU {generator_cpu}{pinned}")
        asked = None
        for index in range(args.rounds):
            order = kinds[index % 3:] + kinds[: index % 3]
            if asked is None:  # the open model is asked 1.5x what plain Locust does: measure plain first once
                order = ["plain"] + [k for k in order if k != "plain"]
                first = one_round(["plain"], server=server, users=args.users, duration_s=args.duration,
                                  cpu=generator_cpu, asked=None, work=work, index=index)
                asked = max(100, int(first["plain"]["rate"] * 1.5))
                rest = one_round(order[1:], server=server, users=args.users, duration_s=args.duration,
                                 cpu=generator_cpu, asked=asked, work=work, index=index)
                measured = {**first, **rest}
            else:
                measured = one_round(order, server=server, users=args.users, duration_s=args.duration,
                                     cpu=generator_cpu, asked=asked, work=work, index=index)
            rounds.append(measured)
            print(f"round {index + 1} ({' -> '.join(order)}), load average {os.getloadavg()[0]:.2f}: " + "; ".join(
                f"{k} {m['rate']:,.0f} req/s, {m['cpu_us']:.1f} us CPU/req" for k, m in measured.items()))
        scaled = scaling(server, users=args.users, duration_s=args.duration, work=work) if args.scaling else None

    print(f"\n{'generator (one core)':40} {'req/s (median)':>15} {'vs Locust':>10} {'CPU us/req':>11} {'per core vs Locust':>19}")
    for kind, label in (("plain", f"plain Locust FastHttpUser, {args.users} users"),
                        ("closed", f"engine constant-vus, {args.users} VUs"),
                        ("open", f"engine constant-arrival-rate, asked {asked}/s")):
        rate = statistics.median(r[kind]["rate"] for r in rounds)
        ratio = statistics.median(r[kind]["rate"] / r["plain"]["rate"] for r in rounds)
        cpu_us = statistics.median(r[kind]["cpu_us"] for r in rounds)
        per_core = statistics.median(r["plain"]["cpu_us"] / r[kind]["cpu_us"] for r in rounds)
        print(f"{label:40} {rate:15,.0f} {ratio:10.0%} {cpu_us:11.1f} {per_core:19.0%}")
    last_open = rounds[-1]["open"]
    print(f"arrival-rate: dropped {last_open['dropped']}, lag p99 {last_open['lag_p99_ms']:.2f} ms (last round)")
    print("targets: constant-vus >= 95 %, arrival-rate >= 90 % of plain Locust per core")
    if scaled is not None:
        one, two = scaled["rate0"], scaled["rate2"]
        line = f"scaling: one process {one:,.0f} req/s, --workers 2 {two:,.0f} req/s = {two / one:.2f}x (target >= 1.7x)"
        if "server_us2" in scaled:  # two generators share both cores with the server: 2g / (g + s) at best
            g, s_us = scaled["generator_us0"], scaled["server_us2"]
            line += (f"; generator {g:.1f} us/req, server {s_us:.1f} us/req on the same cores: "
                     f"ceiling {2 * g / (g + s_us):.2f}x")
        print(line)

if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == PLAIN_LOCUST_CHILD:
        plain_locust_child(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        main()
