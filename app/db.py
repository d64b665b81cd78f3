"""The PostgreSQL connection pool (psycopg 3), opened and closed with the application.

The pool opens without waiting, so the API starts (and /ready reports `degraded`) while the
database is down. Every checkout waits at most `db_pool_timeout_s`, and every statement at most
`db_statement_timeout_ms`; either failure, or a lost connection, becomes `Unavailable` (503) so a
caller never sees a 500 or a hang because the database is slow or gone.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

import psycopg
from aiohttp import web
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from .config import Settings
from .errors import Unavailable
from .state import DB_POOL, SETTINGS

_CONNECT_TIMEOUT_S = 3


def make_pool(settings: Settings) -> AsyncConnectionPool:
    return AsyncConnectionPool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=max(settings.db_pool_max, settings.db_pool_min, 1),
        timeout=settings.db_pool_timeout_s,
        open=False,
        name="api",
        kwargs={
            "autocommit": True,
            "row_factory": dict_row,
            "connect_timeout": _CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
            "application_name": "bw-api",
        },
    )


async def db_pool_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: open the pool in the background, close it after in-flight requests finished."""
    pool = make_pool(app[SETTINGS])
    await pool.open(wait=False)
    app[DB_POOL] = pool
    yield
    await pool.close(timeout=5.0)


@asynccontextmanager
async def connection(
    app: web.Application, *, timeout_s: float | None = None
) -> AsyncIterator[psycopg.AsyncConnection]:
    """A pooled connection; database trouble becomes `Unavailable` rather than a 500."""
    pool = app[DB_POOL]
    try:
        async with pool.connection(timeout=timeout_s) as conn:
            yield conn
    except PoolTimeout:
        raise Unavailable("no database connection became free in time", details={"dependency": "database"}) from None
    except psycopg.errors.QueryCanceled:
        raise Unavailable("the database query timed out", details={"dependency": "database"}) from None
    except psycopg.OperationalError:
        raise Unavailable("the database is unavailable", details={"dependency": "database"}) from None


def pool_stats(app: web.Application) -> dict[str, int]:
    pool = app.get(DB_POOL)
    return pool.get_stats() if pool is not None else {}
