"""`--workers 1` against `--workers 2` (a master and one or two worker processes, unpinned, the
counting server on the same two cores), in alternating order over three rounds: issue 17's
"--workers 2 at least 1.7x one worker's throughput". `engine_throughput.py --scaling` compares
--workers 2 with the one-process engine instead (and prints the ceiling the server's share allows).

    .venv/bin/python benchmarks/workers_scaling.py [--rounds 3] [--duration 8] [--vus 40]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics

import psutil

from engine_bench_support import free_port, run_bwperf, scratch, server_for, write_plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--vus", type=int, default=40)
    args = parser.parse_args()
    work = scratch()
    ratios = []
    with server_for(target=None, embedded=False, server_cpu=None, fast=True) as server:
        server_process = psutil.Process(server.pid)
        print(f"machine: {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f}; server: {server.kind}")
        for index in range(args.rounds):
            rates, costs = {}, {}
            for workers in ((1, 2) if index % 2 == 0 else (2, 1)):
                plan = write_plan(work, {"executor": "constant-vus", "vus": args.vus, "duration": f"{args.duration}s",
                                         "gracefulStop": "2s"}, name=f"w{workers}r{index}")
                before, server_cpu, generator_cpu = server.count(), _cpu(server_process), _children_cpu()
                run_bwperf(plan, target=server.url, out=work / f"w{workers}r{index}", cpu=None,
                           extra=["--workers", str(workers), "--master-port", str(free_port())])
                requests = server.count() - before
                rates[workers] = requests / args.duration
                costs[workers] = ((_children_cpu() - generator_cpu) / requests * 1e6,
                                  (_cpu(server_process) - server_cpu) / args.duration)
            ratios.append(rates[2] / rates[1])
            print(f"round {index + 1}: --workers 1 {rates[1]:,.0f} req/s, --workers 2 {rates[2]:,.0f} req/s = "
                  f"{ratios[-1]:.2f}x, load average {os.getloadavg()[0]:.2f}; generator CPU per request "
                  f"{costs[1][0]:.0f} / {costs[2][0]:.0f} us, server busy {costs[1][1]:.0%} / {costs[2][1]:.0%} of a core")
    print(f"median: {statistics.median(ratios):.2f}x (target >= 1.7x)")


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _children_cpu() -> float:
    """CPU seconds of every finished `bwperf run` (and the engine processes it waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
