"""The plan's `data:` key: named data files, each with how its rows are handed out.

    data:
      agents: {file: data/agents.csv, mode: unique, onExhausted: stop}
      queries: {file: data/queries.jsonl, mode: random, seed: 7}

Checked when the plan is read (keys, mode, the file's existence and size); the rows themselves
are read once per process when the load starts (`harness.data.table`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.parsing.fields import Fields, Problems, describe, join
from harness.parsing.limits import MAX_DATA_FILE_BYTES, MAX_DATA_LINE_BYTES, MAX_DATA_ROWS

MODES = ("unique", "per-vu", "sequential", "random")
# What each mode may do when rows run out (the first is the default); the others never run out.
ON_EXHAUSTED = {"unique": ("fail", "stop"), "per-vu": ("fail", "cycle")}
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
KEYS = ("file", "mode", "onExhausted", "seed")

# The bounds live with every other input bound (docs/input-limits.md).
MAX_FILE_BYTES = MAX_DATA_FILE_BYTES
MAX_ROWS = MAX_DATA_ROWS
MAX_LINE_BYTES = MAX_DATA_LINE_BYTES  # one CSV record or JSON line, in bytes (UTF-8)


@dataclass(frozen=True)
class DataSpec:
    name: str
    path: Path
    shown: str  # the path as messages show it
    format: str  # "csv" | "jsonl"
    mode: str
    on_exhausted: str | None  # None for the modes that cycle
    seed: int = 0


def read_data_specs(raw: Any, *, plan_dir: Path, problems: Problems) -> dict[str, DataSpec]:
    """`data:` of a plan; every problem is added to `problems` with its key path."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add("data", f"must be a mapping of data set name to {{file, mode}}, but is {describe(raw)}")
        return {}
    specs: dict[str, DataSpec] = {}
    for name, body in raw.items():
        spec = _read_one(str(name), Fields(body, join("data", str(name)), problems), plan_dir)
        if spec is not None:
            specs[str(name)] = spec
    return specs


def _read_one(name: str, fields: Fields, plan_dir: Path) -> DataSpec | None:
    if not fields.valid:
        return None
    fields.reject_unknown(KEYS)
    before = len(fields.problems.items)
    file = fields.string("file", required=True)
    mode = fields.string("mode", required=True)
    seed = fields.number("seed", default=0, integer=True, ge=0)
    if mode is not None and mode not in MODES:
        fields.problems.add(fields.key_path("mode"), f"must be one of {', '.join(MODES)}, but is {mode!r}")
    on_exhausted = _on_exhausted(fields, mode)
    if fields.has("seed") and mode != "random":
        fields.problems.add(fields.key_path("seed"), f"applies to mode random only, but mode is {mode!r}")
    path, data_format = _check_file(fields, file, plan_dir)
    if len(fields.problems.items) > before or path is None or mode is None or data_format is None:
        return None
    return DataSpec(name=name, path=path, shown=_shown(path), format=data_format, mode=mode,
                    on_exhausted=on_exhausted, seed=int(seed or 0))


def _on_exhausted(fields: Fields, mode: str | None) -> str | None:
    allowed = ON_EXHAUSTED.get(mode or "")
    value = fields.string("onExhausted")
    if allowed is None:
        if value is not None and mode in MODES:
            fields.problems.add(fields.key_path("onExhausted"), f"does not apply to mode {mode} (its rows never run out)")
        return None
    if value is None:
        return allowed[0]
    if value not in allowed:
        fields.problems.add(fields.key_path("onExhausted"),
                            f"must be one of {', '.join(allowed)} for mode {mode}, but is {value!r}")
    return value


def _check_file(fields: Fields, file: str | None, plan_dir: Path) -> tuple[Path | None, str | None]:
    if file is None:
        return None, None
    path = (plan_dir / file).resolve()
    data_format = FORMATS.get(path.suffix.lower())
    key = fields.key_path("file")
    if data_format is None:
        fields.problems.add(key, f"must end in {', '.join(FORMATS)}, but is {file!r}")
        return None, None
    try:
        size = path.stat().st_size
    except OSError as error:
        fields.problems.add(key, f"cannot be read: {_shown(path)} ({error.strerror or error})")
        return None, None
    if not path.is_file():
        fields.problems.add(key, f"must be a file, but {_shown(path)} is not")
    elif size > MAX_FILE_BYTES:
        fields.problems.add(key, f"must be at most {MAX_FILE_BYTES // 2**20} MiB, but {_shown(path)} "
                                 f"is {size / 2**20:.0f} MiB")
    return path, data_format


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
