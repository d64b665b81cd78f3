"""What a page is rendered from: the app's data sources (`DashboardData`) and, per request, the
catalog of runs and the run the user chose (`PageContext`).

`DashboardData` owns the caches (runs by file stamp, comparison inputs by file stamp, the cost
model by file stamp), so a poll or a page change re-reads only files that changed.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hdrh.codec import (
    HdrCookieException,
    HdrHistogramSettingsException,
    HdrLengthException,
)

from dashboards.data import RunCatalog, RunEntry, RunStore
from dashboards.history import BaselineStore, merged_history
from harness.baselines import RUNS_DIR_NAME as HISTORY_RUNS_DIR_NAME
from harness.baselines import History
from harness.compare import RunMetrics, from_result
from harness.costs import DEFAULT_MODEL_PATH, CostError, CostModel, load_model
from harness.results import ResultFileError, RunResult

LATEST = "latest"  # a run value meaning "no pinned run": follow the newest run of the plan
# What decoding a stored histogram can raise on bytes that are not one (hdrh's own errors too).
UNREADABLE_DATA = (ValueError, TypeError, KeyError, zlib.error, HdrCookieException, HdrLengthException,
                   HdrHistogramSettingsException)


class DashboardData:
    """The results directory, the baseline store and the cost model, cached by file stamps."""

    def __init__(self, results_dir: Path, baselines_dir: Path, *, cost_model_path: Path = DEFAULT_MODEL_PATH) -> None:
        self.results_dir = Path(results_dir)
        self.baselines_dir = Path(baselines_dir)
        self.cost_model_path = Path(cost_model_path)
        self.runs = RunStore(self.results_dir, history_runs_dir=self.baselines_dir / HISTORY_RUNS_DIR_NAME)
        self.baselines = BaselineStore(self.baselines_dir)
        self._lock = threading.Lock()
        self._metrics: dict[tuple[str, int, int], RunMetrics] = {}
        self._model: tuple[tuple[int, int] | None, CostModel | None, str | None] | None = None

    def signature(self) -> list[Any]:
        """What changes when any file the dashboard shows changes (JSON-ready, for dcc.Store)."""
        return [[list(stamp) for stamp in self.runs.signature()], [list(s) if s else None for s in self.baselines.signature()]]

    def metrics_of(self, path: Path, result: RunResult, *, stamp: tuple[int, int]) -> RunMetrics:
        """The run as the comparison engine reads it; raises ResultFileError for unreadable histograms."""
        key = (str(path), *stamp)
        with self._lock:
            cached = self._metrics.get(key)
        if cached is not None:
            return cached
        try:
            metrics = from_result(result, source=str(path))
        except UNREADABLE_DATA as error:
            raise ResultFileError(str(path), f"holds data that cannot be read ({type(error).__name__}: {error})") from error
        with self._lock:
            self._metrics[key] = metrics
        return metrics

    def run_metrics(self, entry: RunEntry) -> RunMetrics:
        if entry.result is None:
            raise ResultFileError(str(entry.path), entry.error or "not readable")
        return self.metrics_of(entry.path, entry.result, stamp=(entry.mtime_ns, entry.size))

    def history(self, catalog: RunCatalog) -> tuple[History, list[str]]:
        """`history.jsonl` plus the runs it lacks; and the problems met on the way."""
        stored = self.baselines.history()
        problems = [stored.error] if stored.error else []
        problems += list(stored.history.warnings)
        runs = []
        for entry in catalog.runs:
            try:
                runs.append((self.run_metrics(entry), entry.result.meta.ended_at))  # type: ignore[union-attr]
            except ResultFileError as error:
                problems.append(str(error))
        return merged_history(stored.history, runs), problems

    def cost_model(self) -> tuple[CostModel | None, str | None]:
        try:
            status = self.cost_model_path.stat()
            stamp: tuple[int, int] | None = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._model is None or self._model[0] != stamp:
                try:
                    self._model = (stamp, load_model(self.cost_model_path), None)
                except CostError as error:
                    self._model = (stamp, None, str(error))
            return self._model[1], self._model[2]


@dataclass(frozen=True)
class PageContext:
    data: DashboardData
    catalog: RunCatalog
    selected: RunEntry | None  # None when there is no readable run
    following: bool  # the selection follows the newest run (of `plan`)
    colours: Mapping[str, str]
    plan: str | None = None  # the plan being looked at (a run's `meta.plan_path`)

    @property
    def result(self) -> RunResult | None:
        return self.selected.result if self.selected is not None else None


@dataclass(frozen=True)
class Selection:
    """What the address names, resolved against the runs on disk."""

    selected: RunEntry | None
    following: bool
    plan: str | None
    missing: str | None = None  # why nothing is shown: the address names a run or plan that is not there


def plan_of(entry: RunEntry) -> str | None:
    return entry.result.meta.plan_path if entry.result is not None else None


def plans_newest_first(catalog: RunCatalog) -> list[str]:
    """Every plan with a readable run, the one run most recently first."""
    plans: list[str] = []
    for entry in reversed(catalog.runs):
        plan = plan_of(entry)
        if plan is not None and plan not in plans:
            plans.append(plan)
    return plans


def newest_of_plan(catalog: RunCatalog, plan: str | None) -> RunEntry | None:
    for entry in reversed(catalog.runs):
        if plan is None or plan_of(entry) == plan:
            return entry
    return None


def find_run(catalog: RunCatalog, run: str) -> RunEntry | None:
    """A readable run by its id (what links carry) or its folder key (what the picker holds)."""
    return catalog.get(run) or next((entry for entry in catalog.runs if entry.run_id == run), None)


def default_plan(catalog: RunCatalog, baseline: RunResult | None) -> str | None:
    """The current baseline's plan when it has a run here (so `/` opens compared with it), else the
    newest run's plan."""
    if baseline is not None and newest_of_plan(catalog, baseline.meta.plan_path) is not None:
        return baseline.meta.plan_path
    return plan_of(catalog.latest) if catalog.latest is not None else None


def resolve_selection(catalog: RunCatalog, value: str | None) -> tuple[RunEntry | None, bool]:
    """(run, following) for a bare run value: that run, or the newest of any plan when it says `latest`
    or names a run that is gone. The dashboard itself resolves addresses with `select_run`."""
    if value and value != LATEST:
        chosen = find_run(catalog, value)
        if chosen is not None:
            return chosen, False
    return catalog.latest, True


def select_run(catalog: RunCatalog, run: str | None, plan: str | None = None, *,
           baseline: RunResult | None = None) -> Selection:
    """`run` pins one run (its plan is the plan looked at); else the newest run of `plan`, else of the
    default plan. A run or plan the address names but the catalog lacks is `missing`, never replaced."""
    if run and run != LATEST:
        chosen = find_run(catalog, run)
        if chosen is None:
            return Selection(None, False, plan, missing=f"No run {run} in {catalog.results_dir}")
        return Selection(chosen, False, plan_of(chosen))
    if plan:
        newest = newest_of_plan(catalog, plan)
        if newest is None:
            return Selection(None, True, plan, missing=f"No run of plan {plan} in {catalog.results_dir}")
        return Selection(newest, True, plan)
    wanted = default_plan(catalog, baseline)
    return Selection(newest_of_plan(catalog, wanted), True, wanted)
