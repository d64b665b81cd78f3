"""Generator throughput on one core: the engine vs plain Locust FastHttpUser, in the same run.

Each generator is pinned to one CPU (the server to another) and calls GET /health as fast as it
can for --duration seconds; requests are counted at the server. Three figures:

1. plain Locust: a FastHttpUser with no wait, N users (Locust's own runner);
2. the engine, constant-vus with the same N VUs (the same closed loop, through our executors,
   sinks and HdrHistograms);
3. the engine, constant-arrival-rate asked for 1.5x what plain Locust achieved (the open-model
   executor at its limit; it drops what it cannot start).

Target: the engine's arrival-rate capacity >= 50 % of plain Locust's. Also prints lag p99.

    .venv/bin/python benchmarks/engine_throughput.py [--target URL | --embedded] [--users 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import psutil

from engine_bench_support import ROOT, cpus, run_bwperf, scratch, server_for, write_plan

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
    runner.start(users, spawn_rate=users)
    gevent.sleep(duration_s)
    runner.quit()
    print(json.dumps({"requests": environment.stats.total.num_requests, "p95_ms": environment.stats.total.get_response_time_percentile(0.95)}))


def run_plain(url: str, *, users: int, duration_s: float, cpu: int | None) -> dict:
    preexec = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    done = subprocess.run([sys.executable, __file__, PLAIN_LOCUST_CHILD, url, str(users), str(duration_s)],
                          capture_output=True, text=True, preexec_fn=preexec, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target")
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--aiohttp-server", action="store_true",
                        help="count at the aiohttp server instead of the bare asyncio one (it saturates first)")
    args = parser.parse_args()
    generator_cpu, server_cpu = cpus()
    work = scratch()
    fast = not (args.target or args.embedded or args.aiohttp_server)
    with server_for(target=args.target, embedded=args.embedded, server_cpu=server_cpu, fast=fast) as server:
        server_process = psutil.Process(server.pid) if server.pid else None
        pinned = f", server to {server_cpu}" if server.pid else ""
        print(f"machine: {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f} "
              "(other work on the machine skews these figures)")
        print(f"server: {server.kind} at {server.url}; generators pinned to CPU {generator_cpu}{pinned}")
        server_cpu_percent = {}

        def server_busy() -> float:
            return server_process.cpu_percent(None) if server_process else -1.0

        server_busy()
        before = server.count()
        plain = run_plain(server.url, users=args.users, duration_s=args.duration, cpu=generator_cpu)
        plain_counted = server.count() - before
        plain_rate = plain_counted / args.duration
        server_cpu_percent["plain"] = server_busy()

        closed_plan = write_plan(work, {"executor": "constant-vus", "vus": args.users, "duration": f"{args.duration}s",
                                        "gracefulStop": "2s"}, name="closed")
        before = server.count()
        closed = run_bwperf(closed_plan, target=server.url, out=work / "closed", cpu=generator_cpu)
        closed_rate = (server.count() - before) / args.duration
        server_cpu_percent["closed"] = server_busy()

        asked = max(100, int(plain_rate * 1.5))
        open_plan = write_plan(work, {"executor": "constant-arrival-rate", "rate": asked, "duration": f"{args.duration}s",
                                      "preAllocatedVUs": args.users, "maxVUs": args.users * 3, "gracefulStop": "2s"},
                               name="open")
        before = server.count()
        opened = run_bwperf(open_plan, target=server.url, out=work / "open", cpu=generator_cpu)
        open_rate = (server.count() - before) / args.duration
        server_cpu_percent["open"] = server_busy()
    s = opened.scenarios["bench"]
    def cpu(phase: str) -> str:
        return f"{server_cpu_percent[phase]:10.0f}%" if server_cpu_percent[phase] >= 0 else f"{'-':>11}"

    print(f"{'generator (one core)':44} {'req/s at server':>15} {'vs Locust':>10} {'server cpu':>11}")
    print(f"{'plain Locust FastHttpUser, ' + str(args.users) + ' users':44} {plain_rate:15.0f} {'100%':>10} "
          f"{cpu('plain')}")
    print(f"{'engine constant-vus, ' + str(args.users) + ' VUs':44} {closed_rate:15.0f} {closed_rate / plain_rate:10.0%} "
          f"{cpu('closed')}")
    print(f"{'engine constant-arrival-rate, asked ' + str(asked) + '/s':44} {open_rate:15.0f} {open_rate / plain_rate:10.0%} "
          f"{cpu('open')}")
    g = opened.generator
    print(f"arrival-rate run: dropped {s.dropped_iterations}, lag p50 {g.lag_p50_ms:.2f} ms, p99 {g.lag_p99_ms:.2f} ms, "
          f"generator cpu avg {max(p.cpu_percent_avg for p in g.processes):.0f}%; saturated={g.saturated}")
    print(f"constant-vus run: p95 {closed.scenarios['bench'].http_req_duration.p95:.2f} ms; plain Locust p95 {plain['p95_ms']} ms")
    print(f"target >= 50 % of plain Locust: {'yes' if open_rate >= 0.5 * plain_rate else 'NO'}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == PLAIN_LOCUST_CHILD:
        plain_locust_child(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        main()
