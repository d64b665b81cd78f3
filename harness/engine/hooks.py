"""The two post-load hooks a behaviour module may define, and what they are handed.

    def after_session(context: SessionContext) -> None   # every load process, after its share of the load
    def after_load(context: AfterLoadContext) -> None    # once, after all load, samplers still running

Both run bounded (a hook that overruns its bound is killed and a warning is kept in the result),
and neither runs when the run was interrupted. `run_dir` is where the run's files go
(`<out>/<run-id>/`); it is also in the environment as BWPERF_RUN_DIR for worker processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gevent

RUN_DIR_ENV = "BWPERF_RUN_DIR"
AFTER_SESSION_MAX_S = 300.0
AFTER_LOAD_MAX_S = 3600.0


def run_dir_from_env() -> Path | None:
    value = os.environ.get(RUN_DIR_ENV)
    return Path(value) if value else None


@dataclass(frozen=True)
class SessionContext:
    target: str
    worker_index: int
    worker_count: int
    run_dir: Path | None
    warn: Callable[[str], None]


@dataclass(frozen=True)
class AfterLoadContext:
    target: str
    redis_url: str | None
    metrics_urls: tuple[str, ...]
    run_dir: Path
    duration_scale: float
    warn: Callable[[str], None]
    message: Callable[[str], None]
    stopped: Callable[[], bool] = field(default=lambda: False)


def run_bounded(hook: Callable[..., None], context: object, *, max_s: float, name: str,
                warn: Callable[[str], None]) -> None:
    """Run the hook in this greenlet, killed after `max_s`; its failure is a warning, never a crash."""
    try:
        with gevent.Timeout(max_s):
            hook(context)
    except gevent.Timeout:
        warn(f"{name} hook stopped after {max_s:.0f} s")
    except Exception as error:  # noqa: BLE001 - a hook's failure is reported, the run's result still written
        warn(f"{name} hook failed: {error!r}")
