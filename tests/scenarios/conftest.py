"""Helpers for the scenario tests: scaled copies of the real plans, and `bwperf run` in a
subprocess whose working directory is the test's own folder, so the embedded stack it starts
(data in `./.bwperf`) is the test's alone."""

from __future__ import annotations

from tests.conftest import own_platform

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.results import load_result
from harness.results.model import RunResult

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
TEST_PROFILE = "test"


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        elif value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def scaled_plan(folder: Path, name: str, changes: Mapping[str, Any]) -> Path:
    """A copy of scenarios/<name>.yaml with `changes` merged in (None deletes a key), its
    behaviours pointing at the real module; written to `folder`."""
    document = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text())
    behaviours = document.get("behaviours", f"{name}.py")
    document["behaviours"] = str(SCENARIOS / behaviours)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(_merge(document, changes), sort_keys=False))
    return path


def clean_env() -> dict[str, str]:
    """No DATABASE_URL/REDIS_URL: `bwperf run` starts its own embedded servers."""
    return {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}


def bwperf(*args: str, cwd: Path, timeout_s: float = 150.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bwperf", *args], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, check=False, timeout=timeout_s)


def run_plan(plan: Path, *, cwd: Path, target: str | None = None) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = cwd / "reports"
    extra = ["--target", target] if target else []
    done = bwperf("run", str(plan), "--profile", TEST_PROFILE, "--out", str(out), "--quiet", *extra, cwd=cwd)
    runs = sorted(out.glob("*/result.json"))
    assert len(runs) == 1, f"expected one result, found {runs}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done, runs[0].parent


def result_of(run_dir: Path) -> RunResult:
    return load_result(run_dir)


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A stack this module starts (loadtest limits), for tests that also read its database."""
    with own_platform(tmp_path_factory.mktemp("scenario-stack")) as stack:
        yield stack
