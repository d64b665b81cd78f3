"""Apply the schema migrations in `app/migrations/` in order, once each.

Idempotent and safe to run from several processes at once: an advisory lock serialises them and
`schema_migrations` records what is applied. `python -m app migrate [--indexes/--no-indexes]`.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources

import psycopg

from .config import Settings

_LOCK_ID = 0x6277_6D69  # "bwmi": one advisory lock for all migrators
INDEX_MIGRATIONS = frozenset({"002_indexes.sql"})


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("app") / "migrations"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))
    return [(name, (folder / name).read_text()) for name in names]


class MigrationFailed(RuntimeError):
    """A migration the stored data does not allow; nothing of it was applied."""


def apply_migrations(database_url: str, *, include_indexes: bool = True) -> list[str]:
    """Apply pending migrations; returns the names applied now."""
    applied_now: list[str] = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for name, sql in migration_files():
                if name in done or (not include_indexes and name in INDEX_MIGRATIONS):
                    continue
                try:
                    with conn.transaction():
                        conn.execute(sql)
                        conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
                except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as exc:
                    # The data already stored breaks the migration (e.g. 005: two usernames that
                    # differ only in case): name it; the file's comment says how to repair.
                    raise MigrationFailed(f"migration {name} cannot apply to the data in this database: "
                                          f"{str(exc).splitlines()[0]} (see app/migrations/{name})") from exc
                applied_now.append(name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    return applied_now


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app migrate", description=__doc__)
    parser.add_argument("--no-indexes", action="store_true",
                        help="skip index migrations (the bulk seeder builds them after loading)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        applied = apply_migrations(settings.database_url, include_indexes=not args.no_indexes)
    except psycopg.OperationalError as exc:
        print(f"migrate: cannot reach the database named by DATABASE_URL: {exc}", file=sys.stderr)
        return 2
    except MigrationFailed as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 2
    print(f"migrate: applied {len(applied)} migration(s){': ' + ', '.join(applied) if applied else ''}")
    return 0
