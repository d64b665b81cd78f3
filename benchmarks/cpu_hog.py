"""A noisy neighbour for measurement benchmarks: busy-loop processes worth `cores` CPUs.

The workers are detached from the caller (double fork, new session): they are neighbours, not
descendants, so a run's accounting sees them as other processes' CPU, the way a CI runner's
neighbour looks. Each worker is bounded in time (`max_s`, it exits by itself) and `stop()` kills
them at once.

    with CpuHog(cores=1.5, max_s=120):
        ...          # the run under a 1.5-core neighbour

    python benchmarks/cpu_hog.py 1.5 60      # by hand: 1.5 cores for 60 s
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PERIOD_S = 0.02  # busy for duty * PERIOD_S, then asleep for the rest: CPU share = duty

_WORKERS = """
import os, sys, time
workers, duty, max_s, pid_file = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
pids = []
for _ in range(workers):
    pid = os.fork()
    if pid == 0:
        end = time.monotonic() + max_s
        while time.monotonic() < end:
            start = time.monotonic()
            while time.monotonic() - start < duty * %(period)r:
                pass
            if duty < 1.0:
                time.sleep((1.0 - duty) * %(period)r)
        os._exit(0)
    pids.append(pid)
with open(pid_file, "w") as handle:
    handle.write(" ".join(map(str, pids)))
os._exit(0)  # the workers are orphaned: reparented away from the caller
""" % {"period": PERIOD_S}


class CpuHog:
    def __init__(self, *, cores: float, max_s: float, pid_file: Path | None = None) -> None:
        if not 0 < cores <= (os.cpu_count() or 1):
            raise ValueError(f"cores must be in (0, {os.cpu_count()}], but is {cores}")
        if not 0 < max_s <= 3600:
            raise ValueError(f"max_s must be in (0, 3600], but is {max_s}")
        self.workers = max(1, math.ceil(cores))
        self.duty = cores / self.workers
        self.max_s = max_s
        self.pid_file = pid_file or Path(f"/tmp/cpu-hog-{os.getpid()}-{time.monotonic_ns()}.pids")
        self.pids: list[int] = []

    def start(self) -> CpuHog:
        subprocess.run([sys.executable, "-c", _WORKERS, str(self.workers), str(self.duty), str(self.max_s), str(self.pid_file)],
                       check=True, start_new_session=True, timeout=10)
        self.pids = [int(pid) for pid in self.pid_file.read_text().split()]
        self.pid_file.unlink(missing_ok=True)
        return self

    def stop(self) -> None:
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pids = []

    def __enter__(self) -> CpuHog:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    cores, seconds = float(sys.argv[1]), float(sys.argv[2])
    with CpuHog(cores=cores, max_s=seconds) as hog:
        print(f"{hog.workers} workers at {100 * hog.duty:.0f} % each: pids {hog.pids}", flush=True)
        time.sleep(seconds)
