"""A run named the short way, as `bwperf baseline promote` takes it: a file or run directory, `latest`
(the newest run in the results directory, of one plan if asked), or a unique prefix of a run id.

    resolve_run("latest", results_dir=Path("reports"), plan="baseline")  # reports/<newest>/result.json
    resolve_run("20261126T02", results_dir=Path("reports"))                # the one run id starting so

Runs are the `<results>/<run-id>/result.json` files `bwperf run` writes; their ids start with the
UTC start time and carry the plan's name (`20261126T024157Z-baseline-caf9`), which is what orders
them and tells their plan without opening each (result files run to megabytes).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from harness.errors import InputError
from harness.results.io import RESULT_FILE_NAME

LATEST = "latest"
RUN_ID = re.compile(r"^(?P<started>\d{8}T\d{6}Z)-(?P<plan>.+)-[0-9a-f]{4}$")  # harness.engine.cli.new_run_id
NAMED_AT_MOST = 5  # candidates named in an ambiguity error; the rest are counted
PATH_SUFFIXES = (".json", ".ndjson", ".jsonl")


def resolve_run(reference: str, *, results_dir: Path, plan: str | None = None) -> Path:
    """The result file `reference` names. A path that exists (or looks like one: a separator or a
    JSON suffix) is taken as it is; `latest` and a run id prefix are looked up in `results_dir`."""
    given = Path(reference)
    if reference != LATEST and (given.exists() or "/" in reference or given.suffix in PATH_SUFFIXES):
        if plan is not None:
            raise InputError(f"--plan picks among the runs in {results_dir}; it does not apply to the file {reference}")
        return given / RESULT_FILE_NAME if given.is_dir() else given
    runs = _runs(results_dir, plan=plan)
    if reference == LATEST:
        return _latest(runs, results_dir=results_dir, plan=plan)
    if reference in runs:
        return runs[reference]
    matches = sorted(run_id for run_id in runs if run_id.startswith(reference))
    if not matches:
        of_plan = "" if plan is None else f" of plan {Path(plan).stem!r}"
        raise InputError(f"{reference}: no such file, and no run id{of_plan} in {results_dir} starts with it")
    if len(matches) > 1:
        shown = ", ".join(matches[:NAMED_AT_MOST]) + (f" and {len(matches) - NAMED_AT_MOST} more"
                                                       if len(matches) > NAMED_AT_MOST else "")
        raise InputError(f"{reference}: ambiguous, {len(matches)} runs in {results_dir} start with it: {shown}")
    return runs[matches[0]]


def plan_of(run_id: str) -> str | None:
    """The plan's name in a `bwperf run` id (None for an id of another shape)."""
    match = RUN_ID.match(run_id)
    return match.group("plan") if match else None


def _runs(results_dir: Path, *, plan: str | None) -> dict[str, Path]:
    """The runs in `results_dir` by id, only those of `plan` (a plan file or its name) when given."""
    if not results_dir.is_dir():
        raise InputError(f"{results_dir}: no such results directory (give a result file, or --results)")
    wanted = None if plan is None else Path(plan).stem
    return {path.parent.name: path for path in results_dir.glob(f"*/{RESULT_FILE_NAME}")
            if path.is_file() and (wanted is None or plan_of(path.parent.name) == wanted)}


def _latest(runs: dict[str, Path], *, results_dir: Path, plan: str | None) -> Path:
    if not runs:
        of_plan = "" if plan is None else f" of plan {Path(plan).stem!r}"
        raise InputError(f"latest: no run{of_plan} in {results_dir}")
    return runs[max(runs, key=lambda run_id: (_started(run_id, runs[run_id]), run_id))]


def _started(run_id: str, path: Path) -> datetime:
    """When the run started, from its id; the file's time for an id of another shape."""
    match = RUN_ID.match(run_id)
    if match:
        return datetime.strptime(match.group("started"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
