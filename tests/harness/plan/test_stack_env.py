"""The plan key `stack: {env: {...}}`: variables for the embedded stack that `bwperf run` starts
(a --target is used as it is). The end-to-end use is tests/scenarios/test_runs.py."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from rich.console import Console

from harness.engine import cli as engine_cli
from harness.errors import PlanError
from harness.plan.load import load_plan

SCENARIO = {"s": {"executor": "constant-vus", "vus": 1, "duration": "1s"}}


def plan_with(tmp_path: Path, **top: object) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"scenarios": SCENARIO, **top}))
    return path


def test_stack_env_is_read_as_strings_and_survives_a_profile(tmp_path: Path) -> None:
    plan = load_plan(plan_with(tmp_path, stack={"env": {"DB_POOL_MAX": "5", "DB_POOL_TIMEOUT_S": 0.5}}))
    assert plan.stack_env == {"DB_POOL_MAX": "5", "DB_POOL_TIMEOUT_S": "0.5"}
    assert plan.with_profile("smoke").stack_env == plan.stack_env


def test_no_stack_key_means_no_env(tmp_path: Path) -> None:
    assert load_plan(plan_with(tmp_path)).stack_env == {}


@pytest.mark.parametrize(("stack", "problem"), [
    ({"env": {"DB_POOL_MAX": "5"}, "services": ["api"]}, "plan.yaml: stack.services is an unknown key (known: env, seed)"),
    ({"env": {"BAD NAME": "1"}}, "plan.yaml: stack.env.BAD NAME is not an environment variable name"),
    ({"env": {"X": ["a"]}}, "plan.yaml: stack.env.X must be a string, but is ['a']"),
    ({"env": "DB_POOL_MAX=5"}, "plan.yaml: stack.env must be a mapping of strings, but is 'DB_POOL_MAX=5'"),
    ("small pool", "plan.yaml: stack must be a mapping of keys, but is 'small pool'"),
])
def test_bad_stack_env_is_a_plan_error_naming_the_key(tmp_path: Path, stack: object, problem: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        load_plan(plan_with(tmp_path, stack=stack))
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_the_embedded_stack_is_started_with_the_plans_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import harness.stack

    calls = []
    started = SimpleNamespace(dropped_stale_keys=0)  # what start_stack returns, as far as this reads
    monkeypatch.setattr(harness.stack, "start_stack", lambda **kwargs: calls.append(kwargs) or started)
    assert engine_cli._embedded_stack(Console(quiet=True), env={"DB_POOL_MAX": "5"}) is started
    assert calls[0]["extra_env"] == {"DB_POOL_MAX": "5"} and calls[0]["rate_limit_profile"] == "loadtest"
    assert calls[0]["fresh_queue"] is True
