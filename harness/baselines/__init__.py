"""Baselines: the store of promoted runs, the run history and change points over it.

    from harness.baselines import load_history, detect_change_points
    history = load_history("baselines/history.jsonl")
    steps = {s.key: detect_change_points(s) for s in history.select("*/latency_p95_ms")}

`analysis.find_change_points(values)` is the pure algorithm over numbers; `series` maps its indices
back to runs; `store` promotes and lists baselines.
"""

from harness.baselines.analysis import ChangePointOptions, Split, find_change_points
from harness.baselines.series import (
    ChangePoint,
    History,
    HistoryRow,
    Series,
    SeriesPoint,
    detect_change_points,
    load_history,
    record_run,
)
from harness.baselines.store import list_baselines, promote

__all__ = [
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
]
