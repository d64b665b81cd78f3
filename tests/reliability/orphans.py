"""Finding processes a command left behind: everything still alive in its session, or whose command
line names its working folder (servers started by the stack write their data there)."""

from __future__ import annotations

import os
from pathlib import Path

import psutil


def session_survivors(session_id: int) -> list[str]:
    """Processes still in session `session_id` (a command started with start_new_session=True)."""
    found = []
    for process in psutil.process_iter(["pid", "name", "cmdline"]):
        try:
            if os.getsid(process.pid) == session_id and process.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{process.pid} {' '.join(process.info['cmdline'] or [process.info['name']])}")
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return found


def processes_naming(folder: Path) -> list[str]:
    """Live processes whose command line mentions `folder` (e.g. `postgres -D <folder>/...`)."""
    needle = str(folder.resolve())
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            if process.status() != psutil.STATUS_ZOMBIE and (needle in cmdline or needle == process.info["cwd"]):
                found.append(f"{process.pid} {cmdline}")
        except psutil.Error:
            continue
    return found


def descendants(pid: int) -> set[int]:
    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.Error:
        return set()


def alive(pids: set[int]) -> list[str]:
    found = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{pid} {' '.join(process.cmdline())}")
        except psutil.Error:
            continue
    return found
