"""Finding and loading the runs the dashboard shows.

A run is a folder holding `result.json`: `reports/<run-id>/result.json`, or one level deeper
(`reports/weekly/<run-id>/result.json`, where the weekly workflow writes). Folders without a
result file (`reports/costs/`, `reports/screenshots/`) are not runs and are skipped. The run
history's stored results (`<baselines>/runs/<run-id>.json`, what `bwperf baseline record` and the
weekly gate keep) are runs too, keyed `history/<run-id>`; a run found in both places is shown once,
from the results directory (its copy there still has the raw scrapes).

Every file is read through `harness.results.load_result` (validated by the result model). Loads
are cached by (mtime, size): a poll that finds nothing changed costs one `stat` per run, and only
the file that changed is read again. A file that cannot be read (truncated by a write in
progress, of another schema version, not JSON) becomes a broken entry whose message names the
file; it never stops the other runs from showing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from harness.results import RESULT_FILE_NAME, ResultFileError, RunResult, load_result

MAX_DEPTH = 2  # reports/<run-id>/result.json and reports/<group>/<run-id>/result.json
HISTORY_KEY_PREFIX = "history/"

FileStamp = tuple[str, int, int]  # (path, mtime_ns, size)


@dataclass(frozen=True)
class RunEntry:
    """One run folder: its result, or the error that kept it from loading."""

    key: str  # the folder below the results directory, e.g. "20260901T030000Z-baseline-1a2b"
    path: Path  # the result file
    mtime_ns: int
    size: int
    result: RunResult | None
    error: str | None  # starts with the file's path

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def run_id(self) -> str:
        return self.result.meta.run_id if self.result is not None else self.key

    @property
    def started_at(self) -> datetime | None:
        return self.result.meta.started_at if self.result is not None else None


@dataclass(frozen=True)
class RunCatalog:
    """Every run found: the readable ones oldest first, and the broken ones."""

    results_dir: Path
    runs: tuple[RunEntry, ...]
    broken: tuple[RunEntry, ...]

    @property
    def empty(self) -> bool:
        return not self.runs

    @property
    def latest(self) -> RunEntry | None:
        return self.runs[-1] if self.runs else None

    def get(self, key: str | None) -> RunEntry | None:
        for entry in self.runs:
            if entry.key == key:
                return entry
        return None

    def previous(self, entry: RunEntry) -> RunEntry | None:
        """The run before `entry` in time, if any."""
        index = self.runs.index(entry)
        return self.runs[index - 1] if index > 0 else None

    def scenario_names(self) -> list[str]:
        """Every scenario of every run, sorted: the key of the colour map shared by all pages."""
        return sorted({name for entry in self.runs if entry.result for name in entry.result.scenarios})


def find_result_files(results_dir: Path) -> Iterator[Path]:
    """Each `result.json` at most MAX_DEPTH folders below `results_dir` (none if it is missing)."""
    if not results_dir.is_dir():
        return
    pending = [(results_dir, 0)]
    while pending:
        folder, depth = pending.pop()
        try:
            children = sorted(folder.iterdir())
        except OSError:
            continue
        for child in children:
            if not child.is_dir() or child.name.startswith("."):
                continue
            candidate = child / RESULT_FILE_NAME
            if candidate.is_file():
                yield candidate
            elif depth + 1 < MAX_DEPTH:
                pending.append((child, depth + 1))


def find_history_files(history_runs_dir: Path | None) -> Iterator[Path]:
    """The run history's stored results: `<baselines>/runs/*.json`."""
    if history_runs_dir is not None and history_runs_dir.is_dir():
        yield from sorted(history_runs_dir.glob("*.json"))


def stamp_files(results_dir: Path, history_runs_dir: Path | None = None) -> tuple[FileStamp, ...]:
    """(path, mtime_ns, size) of every result file: what tells a poll that something changed."""
    stamps = []
    for path in [*find_result_files(results_dir), *find_history_files(history_runs_dir)]:
        try:
            status = path.stat()
        except OSError:  # deleted between the listing and the stat
            continue
        stamps.append((str(path), status.st_mtime_ns, status.st_size))
    return tuple(sorted(stamps))


class RunStore:
    """The runs under one results directory, re-read only when a file's (mtime, size) changes.

    Safe to share between the threads of the web server.
    """

    def __init__(self, results_dir: Path, *, history_runs_dir: Path | None = None) -> None:
        self.results_dir = Path(results_dir)
        self.history_runs_dir = history_runs_dir
        self._cache: dict[str, RunEntry] = {}
        self._lock = threading.Lock()
        self.loads = 0  # files read so far (tests check that an unchanged poll reads none)

    def signature(self) -> tuple[FileStamp, ...]:
        return stamp_files(self.results_dir, self.history_runs_dir)

    def catalog(self) -> RunCatalog:
        stamps = self.signature()
        with self._lock:
            entries = [self._entry(path, mtime_ns, size) for path, mtime_ns, size in stamps]
            live = {path for path, _, _ in stamps}
            for stale in set(self._cache) - live:
                del self._cache[stale]
        readable = sorted(_once_each(e for e in entries if e.ok), key=_chronological)
        broken = sorted((e for e in entries if not e.ok), key=lambda e: e.key)
        return RunCatalog(results_dir=self.results_dir, runs=tuple(readable), broken=tuple(broken))

    def _entry(self, path: str, mtime_ns: int, size: int) -> RunEntry:
        cached = self._cache.get(path)
        if cached is not None and (cached.mtime_ns, cached.size) == (mtime_ns, size):
            return cached
        file = Path(path)
        stored = self.history_runs_dir is not None and file.parent == self.history_runs_dir
        entry = load_entry(file, results_dir=self.results_dir, mtime_ns=mtime_ns, size=size,
                           key=f"{HISTORY_KEY_PREFIX}{file.stem}" if stored else None)
        self.loads += 1
        self._cache[path] = entry
        return entry


def _once_each(entries: Iterator[RunEntry]) -> list[RunEntry]:
    """One entry per run id: the results directory's before the history's copy."""
    chosen: dict[str, RunEntry] = {}
    for entry in sorted(entries, key=lambda e: e.key.startswith(HISTORY_KEY_PREFIX)):
        chosen.setdefault(entry.run_id, entry)
    return list(chosen.values())


def load_entry(path: Path, *, results_dir: Path, mtime_ns: int, size: int, key: str | None = None) -> RunEntry:
    key = key or path.parent.relative_to(results_dir).as_posix()
    try:
        result = load_result(path)
    except ResultFileError as error:
        return RunEntry(key=key, path=path, mtime_ns=mtime_ns, size=size, result=None, error=str(error))
    return RunEntry(key=key, path=path, mtime_ns=mtime_ns, size=size, result=result, error=None)


def _chronological(entry: RunEntry) -> tuple[float, str]:
    started = entry.started_at
    return (started.timestamp() if started is not None else float(entry.mtime_ns) / 1e9), entry.key
