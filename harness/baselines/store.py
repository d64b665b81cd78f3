"""The baseline store: dated copies of promoted runs in `baselines/`, and `current.json`.

    baselines/2026-01-12-sprint4.json     a promoted run, byte for byte
    baselines/current.json                a copy of the current baseline (what CI compares with)
    baselines/history.jsonl               one row per recorded run (see series.py)
    baselines/runs/<run-id>.json          the recorded runs' results, slimmed (see runs.py)

`current.json` is a copy, not a pointer, so every reader (compare, the dashboard, `load_result`)
opens it like any run; `list` tells which dated file it is by content hash.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from harness.baselines.runs import record_with_result
from harness.compare.loading import load_run
from harness.errors import InputError

DEFAULT_DIRECTORY = Path("baselines")
CURRENT_FILE_NAME = "current.json"
DEFAULT_NAME = "baseline"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SUFFIX = re.compile(r"^(.*)-(\d+)$")
DATED_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)\.json$")


@dataclass(frozen=True)
class Promoted:
    path: Path
    current: Path
    run_id: str
    recorded: bool  # False when the run was already in the history


@dataclass(frozen=True)
class StoredBaseline:
    path: Path
    day: date
    name: str
    size_bytes: int
    is_current: bool


def promote(
    result: Path, *, directory: Path = DEFAULT_DIRECTORY, name: str | None = None, today: date | None = None,
    recorded_at: datetime | None = None,
) -> Promoted:
    """Copy a run into the store under a dated name, make it current, and record it in the history.

    The file is read first (a broken or foreign file is refused before anything is written).
    A second promotion with the same name on the same day gets `-2`, `-3`, ... unless the bytes are
    the same, in which case the existing copy is reused.
    """
    label = name or DEFAULT_NAME
    if not NAME_PATTERN.match(label):
        raise InputError(f"--name must be letters, digits, '.', '_' or '-' (at most 64), but is {label!r}")
    run = load_run(result)
    day = today or date.today()
    target = _free_name(directory, f"{day:%Y-%m-%d}-{label}", _sha256(result))
    _copy_atomic(result, target)
    current = _copy_atomic(result, directory / CURRENT_FILE_NAME)
    recorded = record_with_result(result, directory=directory, recorded_at=recorded_at).added
    return Promoted(path=target, current=current, run_id=run.run_id, recorded=recorded)


def list_baselines(directory: Path = DEFAULT_DIRECTORY) -> list[StoredBaseline]:
    """The dated baselines, oldest first, with the one `current.json` holds marked."""
    if not directory.is_dir():
        return []
    current = directory / CURRENT_FILE_NAME
    current_hash = _sha256(current) if current.exists() else None
    found = []
    for path in sorted(directory.iterdir()):
        match = DATED_FILE.match(path.name)
        if not match or not path.is_file():
            continue
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            continue
        found.append(StoredBaseline(path=path, day=day, name=match.group(2), size_bytes=path.stat().st_size,
                                    is_current=current_hash is not None and _sha256(path) == current_hash))
    return sorted(found, key=lambda b: (b.day, *_numbered(b.name)))


def _numbered(name: str) -> tuple[str, int]:
    """`baseline-2` -> ("baseline", 2), `baseline` -> ("baseline", 1): same-day promotions in order."""
    match = SUFFIX.match(name)
    return (match.group(1), int(match.group(2))) if match else (name, 1)


def _free_name(directory: Path, stem: str, digest: str) -> Path:
    for number in range(1, 1000):
        candidate = directory / (f"{stem}.json" if number == 1 else f"{stem}-{number}.json")
        if not candidate.exists() or _sha256(candidate) == digest:
            return candidate
    raise InputError(f"{directory}: too many baselines named {stem}")


def _copy_atomic(source: Path, target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(descriptor)
        try:
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InputError(f"{target}: cannot be written ({error.strerror or error})") from error
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
