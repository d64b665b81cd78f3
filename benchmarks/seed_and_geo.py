"""Benchmark: bulk-seed N problems + M missions into a fresh embedded PostgreSQL, then time
nearest-first geo searches on the result.

    .venv/bin/python benchmarks/seed_and_geo.py --problems 1000000 --missions 5000000

Targets (DESIGN.md §6): seeding 1M + 5M with indexes < 60 s; geo search p95 < 15 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.geo import nearby_missions  # noqa: E402
from app.migrate import apply_migrations  # noqa: E402
from app.seed import seed  # noqa: E402
from app.seed_data import CITIES  # noqa: E402
from harness.stack.postgres import EmbeddedPostgres  # noqa: E402


async def time_searches(url: str, *, count: int, radius_km: float, limit: int) -> list[float]:
    rng = random.Random(7)
    timings_ms: list[float] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        for i in range(count):
            if i % 2 == 0:  # the k6 script's point
                lat, lng = 37.7749, -122.4194
            else:
                _, lat, lng, _ = rng.choice(CITIES)
            lat += rng.gauss(0, 0.1)
            lng += rng.gauss(0, 0.1)
            started = time.perf_counter()
            await nearby_missions(conn, lat=lat, lng=lng, radius_km=radius_km, limit=limit)
            timings_ms.append((time.perf_counter() - started) * 1000)
    return timings_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--missions", type=int, default=5_000_000)
    parser.add_argument("--searches", type=int, default=2000)
    args = parser.parse_args()
    server = EmbeddedPostgres(data_dir=Path(tempfile.mkdtemp(prefix="bw-bench-")) / "pg")
    url = server.start()
    try:
        apply_migrations(url)
        report = seed(url, problems=args.problems, missions=args.missions)
        print(f"seed: {report.summary()}")
        for radius in (50.0, 5.0, 500.0):
            timings = sorted(asyncio.run(time_searches(url, count=args.searches, radius_km=radius, limit=10)))
            q = statistics.quantiles(timings, n=100)
            print(f"geo search radius={radius:g} km limit=10 over {args.missions:,} missions, "
                  f"{len(timings)} queries: p50 {q[49]:.2f} ms, p95 {q[94]:.2f} ms, p99 {q[98]:.2f} ms")
    finally:
        server.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
