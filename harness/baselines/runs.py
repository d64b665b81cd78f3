"""Stored runs beside the history, and the baselines a new run is compared with.

    baselines/history.jsonl           one row per recorded run (series.py)
    baselines/runs/<run-id>.json      the run's result, without its raw Prometheus scrapes

The history's rows hold values only; a comparison needs the histograms (noise bands, time
blocks), so `record_with_result` keeps a copy of each run's result, slimmed of the raw scrapes
(four fifths of a result file; the server's per-route histograms and everything the comparison
reads stay). The newest `keep` copies are kept; older rows stay in the history for the change
points, without their file.

`comparable_baselines` picks the last N runs a new run can honestly be compared with: the same
plan fingerprint, the same target, a clean measurement (a degraded run is no yardstick), and a
stored result. What it skipped, and why, comes back as notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from harness.baselines.series import HISTORY_FILE_NAME, load_history, record_run
from harness.compare.inputs import RunMetrics
from harness.compare.loading import load_run
from harness.compare.plans import diff_plans
from harness.errors import InputError, ResultFileError
from harness.results import load_result, save_result

RUNS_DIR_NAME = "runs"
KEEP_RESULTS = 30
DEFAULT_LAST = 10
SLIM_NOTE = "raw Prometheus scrapes left out of this history copy"


@dataclass(frozen=True)
class Recorded:
    run: RunMetrics
    added: bool
    result_file: str | None


@dataclass(frozen=True)
class BaselineSelection:
    runs: list[RunMetrics]
    notes: list[str] = field(default_factory=list)


def record_with_result(result: Path, *, directory: Path, recorded_at: datetime | None = None,
                       keep: int = KEEP_RESULTS) -> Recorded:
    """Record a run in the history, keeping a slim copy of its result when it is a bwperf result."""
    run = load_run(result)
    relative = None
    if run.source_format == "bwperf run result":
        relative = _store_slim(result, directory=directory, run_id=run.run_id)
    added = record_run(run, history_path=directory / HISTORY_FILE_NAME, recorded_at=recorded_at, result_file=relative)
    _prune(directory / RUNS_DIR_NAME, keep=keep)
    return Recorded(run=run, added=added, result_file=relative)


def comparable_baselines(directory: Path, current: RunMetrics, *, last: int = DEFAULT_LAST) -> BaselineSelection:
    """The last `last` recorded runs comparable with `current` (oldest first), and why others were skipped."""
    history = load_history(directory / HISTORY_FILE_NAME)
    notes = list(history.warnings)
    skipped = {"another plan": 0, "another target": 0, "degraded measurement": 0, "no stored result": 0}
    chosen: list[RunMetrics] = []
    for row in reversed(history.rows):
        if len(chosen) >= last or row.run_id == current.run_id:
            continue
        if row.plan is None or diff_plans(row.plan, current.plan):
            skipped["another plan"] += 1
        elif row.target and current.target and row.target.rstrip("/") != current.target.rstrip("/"):
            skipped["another target"] += 1
        elif row.health == "degraded":
            skipped["degraded measurement"] += 1
        elif row.result_file is None or not (directory / row.result_file).exists():
            skipped["no stored result"] += 1
        else:
            try:
                chosen.append(load_run(directory / row.result_file))
            except InputError as error:
                notes.append(f"history run {row.run_id} not used: {error}")
    shown = ", ".join(f"{count} with {why}" for why, count in skipped.items() if count)
    if shown:
        notes.append(f"history {directory / HISTORY_FILE_NAME}: runs not used as baselines: {shown}")
    return BaselineSelection(runs=list(reversed(chosen)), notes=notes)


def _store_slim(result: Path, *, directory: Path, run_id: str) -> str:
    loaded = load_result(result)
    samples = loaded.samples.model_copy(update={"prometheus": [], "notes": [*loaded.samples.notes, SLIM_NOTE]})
    relative = f"{RUNS_DIR_NAME}/{_safe(run_id)}.json"
    try:
        save_result(loaded.model_copy(update={"samples": samples}), directory / relative)
    except OSError as error:
        raise ResultFileError(str(directory / relative), f"cannot be written ({error.strerror or error})") from error
    return relative


def _prune(runs_dir: Path, *, keep: int) -> None:
    if not runs_dir.is_dir():
        return
    stored = sorted(runs_dir.glob("*.json"), key=lambda path: path.stat().st_mtime)
    for old in stored[:-keep] if keep > 0 else stored:
        old.unlink(missing_ok=True)


def _safe(run_id: str) -> str:
    """A run id as a file name: anything but letters, digits, '.', '_' and '-' becomes '_'."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in run_id)[:128] or "run"


MIN_HISTORY = 5  # comparable runs before the history alone is the yardstick (median ± MAD)


def gather_baselines(explicit: list[Path], *, history_dir: Path | None, current: RunMetrics,
                     last: int = DEFAULT_LAST, min_history: int = MIN_HISTORY) -> BaselineSelection:
    """The runs to compare `current` with: the last `last` comparable runs of the history once it
    holds `min_history` of them; until then the given baseline files, with whatever the history has."""
    given = [load_run(path) for path in explicit]
    if history_dir is None:
        if not given:
            raise InputError("compare needs a baseline: --baseline FILE (repeatable) or --history DIR")
        return BaselineSelection(runs=given)
    found = comparable_baselines(history_dir, current, last=last)
    notes = list(found.notes)
    if len(found.runs) >= min_history:
        notes.append(f"baseline: the median of the last {len(found.runs)} comparable runs in {history_dir} "
                     f"(band at least ±k·MAD of their values)")
        return BaselineSelection(runs=found.runs, notes=notes)
    seen = {run.run_id for run in given}
    runs = given + [run for run in found.runs if run.run_id not in seen]
    if not runs:
        raise InputError(f"{history_dir}: no comparable clean run recorded yet, and no --baseline given")
    notes.append(f"{history_dir}: {len(found.runs)} comparable run(s) recorded, {min_history} needed before the history "
                 f"alone is the baseline; compared with {len(runs)} run(s)")
    return BaselineSelection(runs=runs, notes=notes)
