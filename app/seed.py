"""Bulk-load realistic problems and missions with binary COPY, then build the indexes.

`python -m app seed --problems N --missions M [--seed S]` loads into the database named by
DATABASE_URL. Large loads drop the tables' secondary indexes first and rebuild them after the
load (far faster than maintaining them row by row); problems and missions load in parallel.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np
import psycopg

from .config import Settings
from .seed_data import (MISSION_COLUMNS, MISSION_TYPES, PROBLEM_COLUMNS, PROBLEM_TYPES,
                        mission_rows, problem_rows)

CHUNK_ROWS = 100_000
REBUILD_INDEXES_ABOVE_ROWS = 50_000
SEEDED_TABLES = ("problems", "missions")


@dataclass(frozen=True)
class SeedReport:
    problems: int
    missions: int
    load_s: float
    index_s: float

    @property
    def total_s(self) -> float:
        return self.load_s + self.index_s

    def summary(self) -> str:
        rows = self.problems + self.missions
        rate = rows / self.load_s if self.load_s else 0.0
        return (f"seeded {self.problems:,} problems and {self.missions:,} missions: "
                f"load {self.load_s:.1f}s ({rate:,.0f} rows/s), indexes {self.index_s:.1f}s, "
                f"total {self.total_s:.1f}s")


def _chunks(total: int, make: Callable[[np.random.Generator, int], Iterator[tuple]],
            rng: np.random.Generator) -> Iterator[Iterable[tuple]]:
    done = 0
    while done < total:
        size = min(CHUNK_ROWS, total - done)
        yield make(rng, size)
        done += size


def copy_rows(database_url: str, *, table: str, columns: tuple[str, ...], types: tuple[str, ...],
              chunks: Iterable[Iterable[tuple]], progress: Callable[[str, int], None]) -> int:
    """COPY all rows of `chunks` into `table` in one transaction; returns the row count."""
    count = 0
    with psycopg.connect(database_url) as conn:
        conn.execute("SET synchronous_commit = off")  # one commit at the end; durability unchanged
        with conn.cursor().copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(list(types))
            for chunk in chunks:
                for row in chunk:
                    copy.write_row(row)
                    count += 1
                progress(table, count)
    return count


def _secondary_indexes(conn: psycopg.Connection) -> dict[str, str]:
    """Name -> CREATE INDEX statement of every non-unique index on the seeded tables."""
    rows = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique",
        (list(SEEDED_TABLES),),
    ).fetchall()
    return {name: definition for name, definition in rows}


def _build_indexes(database_url: str, definitions: list[str]) -> None:
    def run(statement: str) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute(statement)

    # The GiST build is single-threaded; run it beside the B-trees.
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(run, definitions))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ANALYZE problems")
        conn.execute("ANALYZE missions")


def seed(database_url: str, *, problems: int, missions: int, random_seed: int = 42,
         progress: Callable[[str, int], None] | None = None) -> SeedReport:
    """Load `problems` and `missions` rows; rebuild secondary indexes after large loads."""
    report = progress or (lambda table, n: None)
    dropped: dict[str, str] = {}
    if problems + missions > REBUILD_INDEXES_ABOVE_ROWS:
        # Exactly the indexes that exist now (whichever migration made them) come back after.
        with psycopg.connect(database_url, autocommit=True) as conn:
            dropped = _secondary_indexes(conn)
            for index in dropped:
                conn.execute(f"DROP INDEX IF EXISTS {index}")
    with psycopg.connect(database_url) as conn:
        existing_problems = conn.execute("SELECT count(*) FROM problems").fetchone()[0]
    started = time.perf_counter()
    problem_rng, mission_rng = (np.random.default_rng([random_seed, i]) for i in (1, 2))
    problem_total = existing_problems + problems
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [
            pool.submit(copy_rows, database_url, table="problems", columns=PROBLEM_COLUMNS,
                        types=PROBLEM_TYPES, chunks=_chunks(problems, problem_rows, problem_rng),
                        progress=report),
            pool.submit(copy_rows, database_url, table="missions", columns=MISSION_COLUMNS,
                        types=MISSION_TYPES, progress=report,
                        chunks=_chunks(missions, lambda r, n: mission_rows(
                            r, n, problem_count=problem_total), mission_rng)),
        ]
        for job in jobs:
            job.result()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    if dropped:
        _build_indexes(database_url, list(dropped.values()))
    return SeedReport(problems=problems, missions=missions, load_s=load_s,
                      index_s=time.perf_counter() - started)


def _print_progress(table: str, rows: int) -> None:
    print(f"seed: {table}: {rows:,} rows", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app seed", description=__doc__)
    parser.add_argument("--problems", type=int, default=1000)
    parser.add_argument("--missions", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same rows)")
    args = parser.parse_args(argv)
    if args.problems < 0 or args.missions < 0:
        parser.error("--problems and --missions must be >= 0")
    settings = Settings.from_env()
    try:
        result = seed(settings.database_url, problems=args.problems, missions=args.missions,
                      random_seed=args.seed, progress=_print_progress)
    except psycopg.OperationalError as exc:
        print(f"seed: cannot reach the database named by DATABASE_URL: {exc}", file=sys.stderr)
        return 2
    print(f"seed: {result.summary()}")
    return 0
