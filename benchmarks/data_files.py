"""Data files at scale: a 1,000,000-row CSV loads in seconds, and a process's memory stays flat
as the VUs reading it grow from 10 to 500 (the table is held once per process, not per VU).

1. Writes a 1,000,000-row CSV (id, email, token) to a scratch directory and times `load_table`
   (every row read and checked; one process keeps every row), then a 2-worker share.
2. For each VU count, in a fresh process: loads the same file once, builds that many real
   `VirtualUser`s (Locust FastHttpUsers, as the engine does) sharing it, has each run 3 iterations
   that read `vu.row("rows")` (mode unique), and prints the process's RSS (psutil). No request is
   sent: the VUs' behaviour only reads rows.

    .venv/bin/python benchmarks/data_files.py [--rows 1000000] [--vus 10,100,250,500]

Takes about a minute on one core.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = "--vu-child"
ITERATIONS_PER_VU = 3


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("id,email,token\n")
        for start in range(0, rows, 100_000):
            out.write("".join(f"{i},user{i}@example.org,tok_{i:09d}\n" for i in range(start, min(rows, start + 100_000))))


def spec_for(path: Path, mode: str = "unique"):  # noqa: ANN201 - harness.data.DataSpec
    from harness.data import DataSpec

    return DataSpec(name="rows", path=path, shown=path.name, format="csv", mode=mode, on_exhausted="fail")


def time_load(path: Path) -> None:
    from harness.data import load_table

    started = time.perf_counter()
    table = load_table(spec_for(path))
    whole_s = time.perf_counter() - started
    started = time.perf_counter()
    share = load_table(spec_for(path), worker_index=0, worker_count=2)
    share_s = time.perf_counter() - started
    print(f"load {table.total_rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB): {whole_s:.2f} s, "
          f"held in {table.nbytes / 2**20:.0f} MiB; a 2-worker share ({len(share):,} rows): {share_s:.2f} s")


def vu_child(path: Path, vus: int) -> None:
    """In a fresh process: load once, build `vus` VirtualUsers on it, read rows, print RSS (JSON)."""
    import locust  # noqa: F401 - first: Locust patches the process with gevent

    import psutil
    from locust.env import Environment
    from locust.event import Events

    from harness.data import DataSets, DataSource, load_table
    from harness.engine.vu import user_class_for
    from harness.metrics.recorder import Recorder

    process = psutil.Process()
    before = process.memory_info().rss
    table = load_table(spec_for(path))
    data = DataSets({"rows": DataSource(table, mode="unique", on_exhausted="fail")})
    loaded = process.memory_info().rss
    recorder = Recorder(run_start_s=time.monotonic(), window_s=1.0, clock=time.monotonic)
    environment = Environment(events=Events(), host="http://127.0.0.1:9")
    user_class = user_class_for("http://127.0.0.1:9")
    seen: set[str] = set()

    def read_row(vu) -> None:  # noqa: ANN001
        seen.add(vu.row("rows")["id"])

    users = [user_class(environment, scenario="s", vu_id=v, behaviour=read_row, credentials=None, recorder=recorder,
                        declared={}, tags={}, data=data) for v in range(vus)]
    for _ in range(ITERATIONS_PER_VU):
        for user in users:
            user.run_iteration()
    assert len(seen) == vus * ITERATIONS_PER_VU  # unique: every iteration its own row
    print(json.dumps({"vus": vus, "rss_start": before, "rss_loaded": loaded, "rss_end": process.memory_info().rss,
                      "table_bytes": table.nbytes}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--vus", default="10,100,250,500")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bwperf-data-") as scratch:
        path = Path(scratch) / "rows.csv"
        started = time.perf_counter()
        write_csv(path, args.rows)
        print(f"wrote {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        time_load(path)
        print(f"{'VUs':>5} {'RSS after load MiB':>19} {'RSS with VUs MiB':>17} {'VUs cost MiB':>13} {'table MiB':>10}")
        for vus in (int(v) for v in args.vus.split(",")):
            child = subprocess.run([sys.executable, __file__, CHILD, str(path), str(vus)], capture_output=True,
                                   text=True, check=True, cwd=ROOT)
            row = json.loads(child.stdout.strip().splitlines()[-1])
            mib = 2**20
            print(f"{vus:>5} {row['rss_loaded'] / mib:>19.0f} {row['rss_end'] / mib:>17.0f} "
                  f"{(row['rss_end'] - row['rss_loaded']) / mib:>13.1f} {row['table_bytes'] / mib:>10.0f}")
        print("flat: the table is loaded once per process; what grows with VUs is the VUs' own objects "
              "(HTTP clients, greenlets), not the data")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == CHILD:
        vu_child(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
