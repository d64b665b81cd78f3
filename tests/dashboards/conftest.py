"""Fixture runs on disk: twelve weekly runs of the baseline plan (the last five regressed), a
current baseline promoted through the real store, and a history file with the older runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from harness.baselines.series import record_run
from harness.baselines.store import promote
from harness.compare.result_inputs import from_result
from harness.results import RunResult
from tests.dashboards.run_factory import build_run, weekly_specs, write_run

FIRST_IN_REPORTS = 3  # runs 0-2 survive only as history rows (reports/ is not kept forever)
BASELINE_INDEX = 3
HISTORY_ONLY_UP_TO = 5  # history.jsonl holds runs 0-5; the dashboard adds 6-11 from reports/
REGRESSION_FROM = 7  # runs 7-11 are 45 % slower (weekly_specs)


@dataclass(frozen=True)
class Lab:
    results: Path
    baselines: Path
    runs: tuple[RunResult, ...]  # all twelve, oldest first

    @property
    def newest(self) -> RunResult:
        return self.runs[-1]

    def in_reports(self) -> tuple[RunResult, ...]:
        return self.runs[FIRST_IN_REPORTS:]


@pytest.fixture(scope="session")
def weekly_runs() -> tuple[RunResult, ...]:
    return tuple(build_run(spec) for spec in weekly_specs())


def make_lab(root: Path, runs: tuple[RunResult, ...]) -> Lab:
    results, baselines = root / "reports", root / "baselines"
    paths = {}
    for index, result in enumerate(runs):
        if index >= FIRST_IN_REPORTS:
            paths[index] = write_run(results, result)
    for index, result in enumerate(runs[: HISTORY_ONLY_UP_TO + 1]):
        if index == BASELINE_INDEX:
            promote(paths[index], directory=baselines, name="sprint4", today=date(2026, 8, 24),
                    recorded_at=result.meta.ended_at)
        else:
            record_run(from_result(result, source=f"reports/{result.meta.run_id}/result.json"),
                       history_path=baselines / "history.jsonl", recorded_at=result.meta.ended_at)
    return Lab(results=results, baselines=baselines, runs=runs)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, weekly_runs: tuple[RunResult, ...]) -> Lab:
    """Shared and read-only: tests that write files make their own with `make_lab`."""
    return make_lab(tmp_path_factory.mktemp("lab"), weekly_runs)


@pytest.fixture(scope="module")
def lab_url(lab: Lab) -> Iterator[str]:
    """The dashboard over the shared lab, served on 127.0.0.1 for one test module."""
    from dashboards.app import create_app
    from tests.dashboards.browser import serving

    with serving(create_app(lab.results, lab.baselines)) as base:
        yield base
