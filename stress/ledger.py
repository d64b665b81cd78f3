"""The run's ledger of acknowledged writes: one JSON line per write, in `<run-dir>/ledger-<pid>.jsonl`.

Every load process (the local engine, or each `--workers` process) appends to its own file, so
nothing is shared between processes; `read_ledger` merges the files after the run. Secrets are
never written: agents are recorded by id, problems by id and job id. The run directory comes from
the engine (BWPERF_RUN_DIR); without it (plain Locust) nothing is recorded.

Records: {"kind": "agent", "id": uuid} | {"kind": "problem", "id": int, "job_id": hex}
         | {"kind": "agent_check", "id": uuid, "ok": bool, "status": int}
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.engine.hooks import run_dir_from_env

LEDGER_GLOB = "ledger-*.jsonl"
_LOCK = threading.Lock()
_OPEN: dict[tuple[int, Path], Any] = {}


def ledger_path(run_dir: Path, pid: int | None = None) -> Path:
    return run_dir / f"ledger-{pid or os.getpid()}.jsonl"


def record(kind: str, *, run_dir: Path | None = None, **fields: Any) -> bool:
    """Append one record (flushed at once); False when there is no run directory to write to."""
    directory = run_dir or run_dir_from_env()
    if directory is None:
        return False
    line = json.dumps({"kind": kind, **fields}, separators=(",", ":")) + "\n"
    key = (os.getpid(), directory)
    with _LOCK:
        handle = _OPEN.get(key)
        if handle is None:
            directory.mkdir(parents=True, exist_ok=True)
            handle = _OPEN[key] = ledger_path(directory).open("a", encoding="utf-8")
        handle.write(line)
        handle.flush()
    return True


@dataclass
class LedgerEntries:
    agents: list[str] = field(default_factory=list)
    problems: dict[int, str] = field(default_factory=dict)  # problem id -> job id
    agent_checks: dict[str, tuple[bool, int]] = field(default_factory=dict)  # agent id -> (ok, HTTP status)
    files: int = 0
    bad_lines: int = 0


def read_ledger(run_dir: Path) -> LedgerEntries:
    """Every process's ledger merged. A torn last line (a killed process) is counted, not fatal."""
    entries = LedgerEntries()
    seen_agents: set[str] = set()
    for path in sorted(run_dir.glob(LEDGER_GLOB)):
        entries.files += 1
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
                kind = item["kind"]
                if kind == "agent" and item["id"] not in seen_agents:
                    seen_agents.add(item["id"])
                    entries.agents.append(str(item["id"]))
                elif kind == "problem":
                    entries.problems[int(item["id"])] = str(item.get("job_id", ""))
                elif kind == "agent_check":
                    entries.agent_checks[str(item["id"])] = (bool(item["ok"]), int(item["status"]))
            except (ValueError, KeyError, TypeError):
                entries.bad_lines += 1
    return entries
