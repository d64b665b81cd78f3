"""The bulk seeder loads the rows it says, keeps every index, and `bwperf seed` reaches the
database `bwperf up` would use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from app.seed import REBUILD_INDEXES_ABOVE_ROWS, seed


def _indexes(conn: psycopg.Connection) -> dict[str, str]:
    rows = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('problems', 'missions')"
    ).fetchall()
    return dict(rows)


def test_a_large_load_rebuilds_exactly_the_indexes_that_existed(clean_db: str) -> None:
    with psycopg.connect(clean_db) as conn:
        before = _indexes(conn)
    problems, missions = 20_000, REBUILD_INDEXES_ABOVE_ROWS
    report = seed(clean_db, problems=problems, missions=missions)
    with psycopg.connect(clean_db) as conn:
        assert _indexes(conn) == before
        assert conn.execute("SELECT count(*) FROM problems").fetchone()[0] == problems
        assert conn.execute("SELECT count(*) FROM missions").fetchone()[0] == missions
        bad = conn.execute(
            "SELECT count(*) FROM missions WHERE latitude NOT BETWEEN -90 AND 90 "
            "OR longitude NOT BETWEEN -180 AND 180 OR problem_id NOT BETWEEN 1 AND %s", (problems,)
        ).fetchone()[0]
        domains = conn.execute("SELECT count(DISTINCT domain) FROM problems").fetchone()[0]
    assert bad == 0 and domains >= 10
    assert report.problems == problems and report.index_s > 0


def test_the_same_seed_gives_the_same_rows(clean_db: str) -> None:
    seed(clean_db, problems=300, missions=0, random_seed=7)
    with psycopg.connect(clean_db) as conn:
        first = conn.execute("SELECT title, latitude FROM problems ORDER BY id").fetchall()
        conn.execute("TRUNCATE problems RESTART IDENTITY CASCADE")
        conn.commit()
    seed(clean_db, problems=300, missions=0, random_seed=7)
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("SELECT title, latitude FROM problems ORDER BY id").fetchall() == first


def test_bwperf_seed_uses_database_url_and_reports(clean_db: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": clean_db}
    result = subprocess.run([sys.executable, "-m", "bwperf", "seed", "--problems", "120",
                             "--missions", "80", "--home", str(tmp_path)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "seeded 120 problems and 80 missions" in result.stdout
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("SELECT count(*) FROM missions").fetchone()[0] == 80


def test_bad_counts_are_refused(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bwperf", "seed", "--problems", "-1",
                             "--home", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "must be >= 0" in result.stderr
