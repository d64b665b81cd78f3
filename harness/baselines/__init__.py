"""Baselines: the store of promoted runs, the run history and change points over it.

    from harness.baselines import load_history, detect_change_points
    history = load_history("baselines/history.jsonl")
    steps = {s.key: detect_change_points(s) for s in history.select("*/latency_p95_ms")}

`analysis.find_change_points(values)` is the pure algorithm over numbers; `series` maps its indices
back to runs; `store` promotes and lists baselines. Names are loaded on first use (PEP 562), so
`bwperf` does not import ruptures and scipy unless a command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ChangePointOptions": "harness.baselines.analysis",
    "Split": "harness.baselines.analysis",
    "find_change_points": "harness.baselines.analysis",
    "RUNS_DIR_NAME": "harness.baselines.runs",
    "ChangePoint": "harness.baselines.series",
    "History": "harness.baselines.series",
    "HistoryRow": "harness.baselines.series",
    "Series": "harness.baselines.series",
    "SeriesPoint": "harness.baselines.series",
    "detect_change_points": "harness.baselines.series",
    "load_history": "harness.baselines.series",
    "record_run": "harness.baselines.series",
    "row_from_run": "harness.baselines.series",
    "list_baselines": "harness.baselines.store",
    "promote": "harness.baselines.store",
}

__all__ = [
    "RUNS_DIR_NAME",
    "ChangePoint",
    "ChangePointOptions",
    "History",
    "HistoryRow",
    "Series",
    "SeriesPoint",
    "Split",
    "detect_change_points",
    "find_change_points",
    "list_baselines",
    "load_history",
    "promote",
    "record_run",
    "row_from_run",
]

if TYPE_CHECKING:
    from harness.baselines.analysis import ChangePointOptions, Split, find_change_points
    from harness.baselines.runs import RUNS_DIR_NAME
    from harness.baselines.series import (
        ChangePoint,
        History,
        HistoryRow,
        Series,
        SeriesPoint,
        detect_change_points,
        load_history,
        record_run,
        row_from_run,
    )
    from harness.baselines.store import list_baselines, promote


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'harness.baselines' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
