"""The GitHub workflows: actionlint when it is installed, a schema check always, and every command
they call is a real one (`make` targets, `bwperf` commands and options, `python -m app ...`)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from .conftest import (
    PENDING_BWPERF_COMMANDS,
    PENDING_HARNESS_ENV_NAMES,
    REPO,
    app_commands,
    check_bwperf_call,
    pending,
)

WORKFLOWS = REPO / ".github" / "workflows"
NAMES = ("ci.yml", "weekly-baseline.yml", "security.yml")
KNOWN_EVENTS = {"push", "pull_request", "schedule", "workflow_dispatch", "workflow_call", "release"}
TOP_LEVEL_KEYS = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
JOB_KEYS = {"name", "runs-on", "needs", "if", "permissions", "environment", "concurrency", "outputs", "env",
            "defaults", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services"}
STEP_KEYS = {"id", "if", "name", "uses", "run", "shell", "with", "env", "continue-on-error",
             "timeout-minutes", "working-directory"}
SHA = re.compile(r"^[0-9a-f]{40}$")


def workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in document:  # YAML 1.1 reads the key `on` as a boolean
        document["on"] = document.pop(True)
    return document


def steps(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_name, job in document["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def test_the_three_workflows_exist_and_no_other() -> None:
    assert sorted(p.name for p in WORKFLOWS.glob("*.y*ml")) == sorted(NAMES)


# ── actionlint when installed ──────────────────────────────────────────────────────────────

def find_actionlint() -> str | None:
    """ACTIONLINT, `actionlint` on PATH, or beside this Python (a pip wheel's script)."""
    for candidate in (os.environ.get("ACTIONLINT"), shutil.which("actionlint"),
                      str(Path(sys.executable).parent / "actionlint")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def test_actionlint_finds_no_problem() -> None:
    binary = find_actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed (ACTIONLINT, PATH, or the venv); the schema checks below still ran")
    files = [str(WORKFLOWS / name) for name in NAMES]
    result = subprocess.run([binary, "-oneline", *files], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


# ── schema checks, always ──────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("name", NAMES)
def test_workflow_has_the_shape_github_accepts(name: str) -> None:
    document = workflow(name)
    where = f".github/workflows/{name}"
    assert set(document) <= TOP_LEVEL_KEYS, f"{where}: unknown keys {set(document) - TOP_LEVEL_KEYS}"
    assert document.get("name") and document.get("jobs"), f"{where}: needs name and jobs"
    events = document["on"]
    assert set(events) <= KNOWN_EVENTS, f"{where}: unknown events {set(events) - KNOWN_EVENTS}"
    for entry in (events.get("schedule") or []):
        fields = entry["cron"].split()
        assert len(fields) == 5 and all(re.fullmatch(r"[\d*/,\-A-Z]+", f) for f in fields), entry
    assert document.get("permissions", {}).get("contents") == "read", f"{where}: least privilege by default"
    for job_name, job in document["jobs"].items():
        assert set(job) <= JOB_KEYS, f"{where}: job {job_name}: unknown keys {set(job) - JOB_KEYS}"
        assert job.get("runs-on") and job.get("steps"), f"{where}: job {job_name} needs runs-on and steps"
        assert isinstance(job.get("timeout-minutes"), int), f"{where}: job {job_name} has no timeout-minutes"
    for job_name, step in steps(document):
        assert set(step) <= STEP_KEYS, f"{where}: {job_name}: unknown step keys {set(step) - STEP_KEYS}"
        assert ("uses" in step) != ("run" in step), f"{where}: {job_name}: a step has one of uses/run: {step}"


def test_workflows_match_the_vendored_github_workflow_schema() -> None:
    """SchemaStore's schema as vendored by check-jsonschema (no download), when installed."""
    jsonschema = pytest.importorskip("jsonschema")
    try:
        schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "github-workflows.json"
        schema = json.loads(schema_file.read_text())
    except (ModuleNotFoundError, FileNotFoundError):
        pytest.skip("check-jsonschema (which vendors the workflow schema) is not installed")
    for name in NAMES:
        document = workflow(name)
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=str)
        assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_actions_are_pinned_and_third_party_ones_by_commit() -> None:
    for name in NAMES:
        for job_name, step in steps(workflow(name)):
            if "uses" not in step:
                continue
            action, _, ref = step["uses"].partition("@")
            assert ref and ref not in {"master", "main"}, f"{name}: {job_name}: {step['uses']} is not pinned"
            if not action.startswith(("actions/", "github/")):
                assert SHA.match(ref), f"{name}: {job_name}: third-party {action} must be pinned to a commit SHA"


def test_secrets_reach_scripts_through_env_never_inline() -> None:
    """`${{ secrets.X }}` inside `run:` is script injection; env variables are not."""
    for name in NAMES:
        for job_name, step in steps(workflow(name)):
            assert "${{" not in step.get("run", "") or "secrets." not in step["run"], (
                f"{name}: {job_name}: a run script interpolates a secret; pass it through env:")


def test_ci_lints_and_runs_make_test_with_debian_chromium() -> None:
    document = workflow("ci.yml")
    assert {"push", "pull_request"} <= set(document["on"])
    scripts = " ".join(step.get("run", "") for _, step in steps(document))
    assert "ruff check" in scripts and "make test" in scripts
    assert re.search(r"apt-get install [^\n]*\bchromium\b", scripts)
    assert document["jobs"]["test"]["container"]["image"].startswith("python:3.11-bookworm")


def test_weekly_baseline_runs_on_monday_compares_at_20_percent_and_keeps_artifacts() -> None:
    document = workflow("weekly-baseline.yml")
    crons = [entry["cron"] for entry in document["on"]["schedule"]]
    assert crons and all(cron.split()[4] in {"1", "MON"} for cron in crons), crons
    assert "workflow_dispatch" in document["on"]
    job = document["jobs"]["baseline"]
    assert job["env"]["STAGING_URL"] == "${{ secrets.STAGING_URL }}"
    scripts = [step.get("run", "") for _, step in steps(document)]
    assert any('bwperf gate scenarios/baseline.yaml --target "$STAGING_URL" --allow-remote-target '
               '--profile ci --out reports/weekly --history .perf-history/baselines' in script
               and "--threshold 20" in script and '--markdown "$GITHUB_STEP_SUMMARY"' in script for script in scripts)
    uploads = [step for _, step in steps(document) if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1 and uploads[0]["if"] == "always()" and "reports/weekly" in uploads[0]["with"]["path"]


def test_weekly_baseline_keeps_its_history_on_a_branch_and_reports_change_points() -> None:
    document = workflow("weekly-baseline.yml")
    assert document["permissions"] == {"contents": "read"}
    assert document["jobs"]["baseline"]["permissions"] == {"contents": "write"}
    by_name = {step.get("name", ""): step for _, step in steps(document)}
    checkout = by_name["Check out the run history (branch perf-history)"]["run"]
    assert "git worktree add .perf-history perf-history" in checkout and "--orphan perf-history" in checkout
    push = by_name["Push the run history (branch perf-history)"]
    assert push["if"] == "always()" and "git push origin HEAD:perf-history" in push["run"] and "git add baselines" in push["run"]
    changes = by_name["Change points in the history"]["run"]
    assert "bwperf baseline history --dir .perf-history/baselines" in changes and "--changes-only" in changes
    verdict = by_name["The gate's verdict"]
    assert verdict["if"] == "always()" and all(f"{code})" in verdict["run"] for code in (0, 1, 4, 99))


def test_security_scans_dependencies_and_the_image_weekly_and_on_prs() -> None:
    document = workflow("security.yml")
    assert "schedule" in document["on"] and "pull_request" in document["on"]
    scripts = " ".join(step.get("run", "") for _, step in steps(document))
    assert "pip-audit" in scripts and "docker build" in scripts
    trivy = [step for _, step in steps(document) if "trivy-action" in step.get("uses", "")]
    assert any(step["with"].get("image-ref") for step in trivy)
    assert document["jobs"]["container-scan"]["permissions"]["security-events"] == "write"


# ── commands the workflows call exist ──────────────────────────────────────────────────────

def _commands() -> Iterator[tuple[str, list[str]]]:
    for name in NAMES:
        for _, step in steps(workflow(name)):
            for line in step.get("run", "").splitlines():
                line = line.strip()
                if re.match(r"^(make|bwperf|python -m app) ", line):
                    yield name, shlex.split(line)


def _makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*):", (REPO / "Makefile").read_text(), re.MULTILINE))


def _command_params() -> list[Any]:
    params = []
    for name, argv in _commands():
        key = argv[1] if argv[0] == "bwperf" else None
        params.append(pending((name, argv), PENDING_BWPERF_COMMANDS, key=key, id=f"{name}:{' '.join(argv[:2])}"))
    return params


@pytest.mark.parametrize("call", _command_params())
def test_each_command_a_workflow_calls_exists(call: tuple[str, list[str]], bwperf_commands: dict[str, list[str]]) -> None:
    name, argv = call
    where = f".github/workflows/{name}"
    if argv[0] == "make":
        assert argv[1] in _makefile_targets(), f"{where}: `make {argv[1]}` is not a Makefile target"
    elif argv[0] == "bwperf":
        check_bwperf_call(bwperf_commands, argv[1:], where=where)
    else:
        assert argv[3] in app_commands(), f"{where}: `python -m app {argv[3]}` is not an app command"


def _harness_env_params() -> list[Any]:
    env = workflow("weekly-baseline.yml")["jobs"]["baseline"]["env"]
    names = [n for n in env if n not in {"STAGING_URL", "PIP_DISABLE_PIP_VERSION_CHECK"}]
    return [pending(n, PENDING_HARNESS_ENV_NAMES) for n in names]


@pytest.mark.parametrize("variable", _harness_env_params())
def test_variables_handed_to_bwperf_run_are_read_by_the_harness(variable: str) -> None:
    sources = "\n".join(p.read_text() for p in (REPO / "harness").rglob("*.py"))
    assert f'"{variable}"' in sources or f"'{variable}'" in sources, (
        f".github/workflows/weekly-baseline.yml passes {variable}, which nothing in harness/ reads")
