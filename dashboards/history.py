"""The baseline store as the dashboard reads it, and the run history with its change points.

    baselines/current.json      the current baseline: a run result, read with `load_result`
    baselines/history.jsonl     one row per recorded run (`harness.baselines.load_history`)

The history the Latency and Runs pages show is that file's rows plus every readable run in the
results directory that it does not hold yet (a run is in the history from the moment it lands,
not only once `bwperf baseline record` has seen it). Change points come from
`harness.baselines.detect_change_points`, over the runs of one plan only: a smoke run and a full
run of another plan are not the same series.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from harness.baselines import (
    ChangePoint,
    History,
    Series,
    detect_change_points,
    load_history,
    row_from_run,
)
from harness.compare import ALL, RunMetrics
from harness.results import ResultFileError, RunResult, load_result

CURRENT_FILE_NAME = "current.json"
HISTORY_FILE_NAME = "history.jsonl"
P95_SUFFIX = "latency_p95_ms"


@dataclass(frozen=True)
class CurrentBaseline:
    path: Path
    result: RunResult | None  # None: no current baseline, or a broken one (see error)
    error: str | None
    stamp: tuple[int, int] | None = None  # (mtime_ns, size) of the file read


@dataclass(frozen=True)
class StoredHistory:
    path: Path
    history: History
    error: str | None


class BaselineStore:
    """`current.json` and `history.jsonl` under one directory, re-read when their (mtime, size) change."""

    def __init__(self, baselines_dir: Path) -> None:
        self.directory = Path(baselines_dir)
        self._lock = threading.Lock()
        self._current: tuple[tuple[int, int] | None, CurrentBaseline] | None = None
        self._history: tuple[tuple[int, int] | None, StoredHistory] | None = None

    @property
    def current_path(self) -> Path:
        return self.directory / CURRENT_FILE_NAME

    @property
    def history_path(self) -> Path:
        return self.directory / HISTORY_FILE_NAME

    def signature(self) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        return _stamp(self.current_path), _stamp(self.history_path)

    def current(self) -> CurrentBaseline:
        stamp = _stamp(self.current_path)
        with self._lock:
            if self._current is None or self._current[0] != stamp:
                self._current = (stamp, self._read_current(stamp))
            return self._current[1]

    def history(self) -> StoredHistory:
        stamp = _stamp(self.history_path)
        with self._lock:
            if self._history is None or self._history[0] != stamp:
                self._history = (stamp, self._read_history())
            return self._history[1]

    def _read_current(self, stamp: tuple[int, int] | None) -> CurrentBaseline:
        if stamp is None:
            return CurrentBaseline(path=self.current_path, result=None, error=None)
        try:
            return CurrentBaseline(path=self.current_path, result=load_result(self.current_path), error=None, stamp=stamp)
        except ResultFileError as error:
            return CurrentBaseline(path=self.current_path, result=None, error=str(error), stamp=stamp)

    def _read_history(self) -> StoredHistory:
        try:
            return StoredHistory(path=self.history_path, history=load_history(self.history_path), error=None)
        except ResultFileError as error:
            return StoredHistory(path=self.history_path, history=History(rows=()), error=str(error))


def merged_history(stored: History, runs: Sequence[tuple[RunMetrics, datetime]]) -> History:
    """The stored rows plus a row for each run (with the moment it ended) not in them yet."""
    rows = list(stored.rows)
    known = {row.run_id for row in rows}
    for run, ended_at in runs:
        if run.run_id not in known:
            rows.append(row_from_run(run, recorded_at=ended_at))
            known.add(run.run_id)
    rows.sort(key=lambda row: row.moment)
    return History(rows=tuple(rows), warnings=stored.warnings)


def same_plan(history: History, plan_sha256: str | None) -> History:
    """Only the rows of runs of this plan file (all rows when the plan is unknown)."""
    if plan_sha256 is None:
        return history
    return History(rows=tuple(r for r in history.rows if r.plan_sha256 == plan_sha256), warnings=history.warnings)


def request_p95_series(history: History) -> list[Series]:
    """p95 latency of each scenario x request, and of the whole run, over the runs that have it.

    Custom trends (`guardrail_latency/latency_p95_ms`, seconds rather than milliseconds of API
    time) are left to the Guardrail page.
    """
    wanted = []
    for series in history.select(f"*/{P95_SUFFIX}"):
        if series.key.count("/") >= 2:  # scenario/request/metric; a request name may hold slashes
            wanted.append(series)
    return sorted(wanted, key=lambda s: (s.key.startswith(ALL), s.key))


def change_points(series: Sequence[Series]) -> dict[str, list[ChangePoint]]:
    """The steps in each series (harness.baselines); a series too short for any has none."""
    return {s.key: detect_change_points(s) for s in series}


def scenario_of(key: str) -> str:
    """`browse_problems/GET /api/v1/problems/latency_p95_ms` -> `browse_problems`."""
    return key.split("/", 1)[0]


def request_of(key: str) -> str:
    """`browse_problems/GET /api/v1/problems/latency_p95_ms` -> `GET /api/v1/problems`."""
    parts = key.split("/")
    return "/".join(parts[1:-1])


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size
