"""Run history: one row per run in `baselines/history.jsonl`, and each metric's series over it.

The data model around `analysis.py` (which sees only numbers): rows are runs, a `Series` is one
metric key over the runs that have it, in time order, and `detect_change_points` maps the
analysis's indices back to runs.

    history = load_history("baselines/history.jsonl")
    for series in history.select("*/latency_p95_ms"):
        for change in detect_change_points(series):
            print(series.key, change.run_id, change.change_pct, change.verdict)

A row: `{"run_id", "started_at", "recorded_at", "source", "source_format", "plan_sha256",
"health", "target", "plan", "result_file", "metrics": {key: {"value", "unit", "direction"}}}`;
values only (no histograms), so the file grows by a few kilobytes a run. `health` is the run's
measurement-health verdict ("clean", "degraded", or null when not recorded), `plan` its plan
fingerprint (what makes two runs comparable), `result_file` the run's stored result (relative to
the history's folder; see `runs.py`), which gives the comparison its histograms.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.baselines.analysis import (
    DEFAULT_OPTIONS,
    ChangePointOptions,
    find_change_points,
)
from harness.compare.inputs import Direction, RunMetrics, Unit
from harness.errors import ResultFileError
from harness.parsing.bounded import BoundsError, loads_json, read_capped
from harness.parsing.limits import MAX_JSON_BYTES

HISTORY_FILE_NAME = "history.jsonl"


@dataclass(frozen=True)
class HistoryPoint:
    value: float
    unit: Unit
    direction: Direction


@dataclass(frozen=True)
class HistoryRow:
    run_id: str
    started_at: datetime | None
    recorded_at: datetime
    source: str
    source_format: str
    plan_sha256: str | None
    metrics: dict[str, HistoryPoint]
    health: str | None = None
    target: str | None = None
    plan: dict[str, Any] | None = None
    result_file: str | None = None

    @property
    def moment(self) -> datetime:
        """When the run happened (its start, else when it was recorded)."""
        return self.started_at or self.recorded_at

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "recorded_at": self.recorded_at.isoformat(),
            "source": self.source,
            "source_format": self.source_format,
            "plan_sha256": self.plan_sha256,
            "health": self.health,
            "target": self.target,
            "plan": self.plan,
            "result_file": self.result_file,
            "metrics": {k: {"value": p.value, "unit": p.unit.value, "direction": p.direction.value} for k, p in self.metrics.items()},
        }


@dataclass(frozen=True)
class SeriesPoint:
    run_id: str
    moment: datetime
    value: float


@dataclass(frozen=True)
class Series:
    key: str
    unit: Unit
    direction: Direction
    points: tuple[SeriesPoint, ...]

    @property
    def values(self) -> list[float]:
        return [p.value for p in self.points]


@dataclass(frozen=True)
class ChangePoint:
    """A step in a metric's history: `run_id` is the first run at the new level."""

    index: int
    run_id: str | None
    moment: datetime | None
    before: float
    after: float
    change_pct: float
    pvalue: float
    verdict: str  # "regression", "improvement" (by the metric's direction) or "change"


@dataclass(frozen=True)
class History:
    rows: tuple[HistoryRow, ...]
    warnings: tuple[str, ...] = ()

    def keys(self) -> list[str]:
        return sorted({key for row in self.rows for key in row.metrics})

    def series(self, key: str) -> Series:
        having = [row for row in self.rows if key in row.metrics]
        if not having:
            raise KeyError(f"no run in the history has the metric {key!r}")
        last = having[-1].metrics[key]
        return Series(
            key=key,
            unit=last.unit,
            direction=last.direction,
            points=tuple(SeriesPoint(row.run_id, row.moment, row.metrics[key].value) for row in having),
        )

    def select(self, pattern: str = "*") -> list[Series]:
        return [self.series(key) for key in self.keys() if fnmatch.fnmatchcase(key, pattern)]

    def has_run(self, run_id: str) -> bool:
        return any(row.run_id == run_id for row in self.rows)


def row_from_run(run: RunMetrics, *, recorded_at: datetime, result_file: str | None = None) -> HistoryRow:
    return HistoryRow(
        run_id=run.run_id,
        started_at=_aware(run.started_at) if run.started_at else None,
        recorded_at=_aware(recorded_at),
        source=run.source,
        source_format=run.source_format,
        plan_sha256=run.plan_sha256,
        metrics={k: HistoryPoint(v.value, v.unit, v.direction) for k, v in sorted(run.metrics.items())},
        health=None if run.health is None else run.health.verdict,
        target=run.target,
        plan=dict(run.plan) if run.plan_known else None,
        result_file=result_file,
    )


def record_run(run: RunMetrics, *, history_path: Path, recorded_at: datetime | None = None,
               result_file: str | None = None) -> bool:
    """Append the run to the history; False (and nothing written) when its run id is already there."""
    if history_path.exists() and load_history(history_path).has_run(run.run_id):
        return False
    row = row_from_run(run, recorded_at=recorded_at or datetime.now(UTC), result_file=result_file)
    history_path.parent.mkdir(parents=True, exist_ok=True)
    with history_path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row.to_json(), separators=(",", ":")) + "\n")
    return True


def load_history(path: str | Path) -> History:
    """Every row, oldest run first. A last line cut short (a crash while appending) is skipped with
    a warning; any other bad line is an error naming the file and the line."""
    file_path = Path(path)
    if not file_path.exists():
        return History(rows=())
    try:
        text = read_capped(file_path, MAX_JSON_BYTES).decode("utf-8")
    except BoundsError as error:
        raise ResultFileError(str(file_path), str(error)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ResultFileError(str(file_path), f"cannot be read ({error})") from error
    rows, warnings = [], []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(_row(loads_json(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:  # BoundsError is a ValueError
            if number == len(lines):  # no newline after it: the append was cut short
                warnings.append(f"{file_path}: line {number} is incomplete and was skipped")
                continue
            raise ResultFileError(str(file_path), f"line {number} is not a history row ({error})") from error
    rows.sort(key=lambda row: row.moment)
    return History(rows=tuple(rows), warnings=tuple(warnings))


def detect_change_points(
    series: Series | Sequence[float], *, options: ChangePointOptions = DEFAULT_OPTIONS
) -> list[ChangePoint]:
    """The steps in a metric's history (or in plain numbers), mapped back to runs."""
    values = series.values if isinstance(series, Series) else [float(v) for v in series]
    found = []
    for split in find_change_points(values, options=options):
        point = series.points[split.index] if isinstance(series, Series) else None
        found.append(ChangePoint(
            index=split.index,
            run_id=point.run_id if point else None,
            moment=point.moment if point else None,
            before=split.mean_before,
            after=split.mean_after,
            change_pct=split.change_pct,
            pvalue=split.pvalue,
            verdict=_verdict(split.mean_after - split.mean_before, series.direction if isinstance(series, Series) else None),
        ))
    return found


def _verdict(delta: float, direction: Direction | None) -> str:
    if direction is None or delta == 0:
        return "change"
    worse = delta > 0 if direction is Direction.LOWER_IS_BETTER else delta < 0
    return "regression" if worse else "improvement"


def _row(document: dict[str, Any]) -> HistoryRow:
    started = document.get("started_at")
    return HistoryRow(
        run_id=str(document["run_id"]),
        started_at=_aware(datetime.fromisoformat(started)) if started else None,
        recorded_at=_aware(datetime.fromisoformat(document["recorded_at"])),
        source=str(document.get("source", "")),
        source_format=str(document.get("source_format", "")),
        plan_sha256=document.get("plan_sha256"),
        health=document.get("health"),
        target=document.get("target"),
        plan=document.get("plan") if isinstance(document.get("plan"), dict) else None,
        result_file=document.get("result_file"),
        metrics={
            key: HistoryPoint(float(p["value"]), Unit(p["unit"]), Direction(p["direction"]))
            for key, p in document["metrics"].items()
        },
    )


def _aware(moment: datetime) -> datetime:
    """Times without a zone are taken as UTC, so every row sorts against every other."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
