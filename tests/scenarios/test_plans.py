"""The plans load and validate, mirror the seed (8.1-8.3), and their profiles come out right."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.plan.load import load_plan

from .conftest import ROOT, SCENARIOS

PLANS = ("baseline", "key_scenarios", "db_pool_saturation")


@pytest.mark.parametrize("name", PLANS)
def test_every_plan_validates_and_names_behaviours_that_exist(name: str) -> None:
    plan = load_plan(SCENARIOS / f"{name}.yaml")
    assert plan.scenarios and plan.thresholds
    # Loading the behaviours imports Locust (gevent patches the process): do it in a child.
    code = ("import json, locust\n"
            "from harness.plan.load import load_plan, check_custom_metrics\n"
            "from harness.engine.behaviours import load_behaviours\n"
            f"plan = load_plan({str(SCENARIOS / f'{name}.yaml')!r})\n"
            "found = load_behaviours(plan)\n"
            "check_custom_metrics(plan, found.metrics)\n"
            "print(json.dumps({'functions': sorted(found.functions), 'metrics': sorted(found.metrics)}))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["functions"] == sorted(plan.scenarios) and "errors" in found["metrics"]


def test_baseline_mirrors_the_seeds_k6_options() -> None:
    plan = load_plan(SCENARIOS / "baseline.yaml")
    doc = plan.document["scenarios"]
    assert list(doc) == ["browse_problems", "agent_registration_burst", "create_problems", "search_missions"]
    rates = {name: (s.get("executor"), s.get("rate"), s.get("duration"), s["preAllocatedVUs"], s["maxVUs"])
             for name, s in doc.items()}
    assert rates == {
        "browse_problems": ("constant-arrival-rate", 50, "5m", 20, 100),
        "agent_registration_burst": ("ramping-arrival-rate", None, None, 30, 200),
        "create_problems": ("constant-arrival-rate", 5, "5m", 10, 50),
        "search_missions": ("constant-arrival-rate", 30, "5m", 15, 80),
    }
    burst = doc["agent_registration_burst"]
    assert burst["startRate"] == 1 and burst["stages"] == [
        {"duration": "30s", "target": 10}, {"duration": "1m", "target": 50}, {"duration": "30s", "target": 1}]
    thresholds = {(t.key, t.expression) for t in plan.thresholds}
    assert thresholds == {
        ("http_req_duration", "p(50)<50"), ("http_req_duration", "p(95)<200"), ("http_req_duration", "p(99)<500"),
        ("http_req_duration{scenario:search_missions}", "p(95)<150"),
        ("errors", "rate<0.01"), ("http_req_failed", "rate<0.001"), ("guardrail_latency", "p(95)<2000"),
    }
    assert plan.agents >= 130  # the keyed rate at one request per second per key (see the plan)


@pytest.mark.parametrize(("profile", "seconds"), [("full", 300.0), ("ci", 60.0), ("smoke", 20.0)])
def test_baseline_profiles_scale_durations_and_stages_not_rates(profile: str, seconds: float) -> None:
    plan = load_plan(SCENARIOS / "baseline.yaml").with_profile(profile)
    assert plan.duration_s == pytest.approx(seconds, abs=0.01)
    scale = seconds / 300.0
    burst = plan.scenarios["agent_registration_burst"]
    assert [s.duration_s for s in burst.stages] == pytest.approx([30 * scale, 60 * scale, 30 * scale], abs=0.01)
    assert [s.target for s in burst.stages] == [10, 50, 1]
    assert {n: c.target_rate_per_s() for n, c in plan.scenarios.items() if n != "agent_registration_burst"} == {
        "browse_problems": 50.0, "create_problems": 5.0, "search_missions": 30.0}


def test_key_scenarios_carry_the_budgets_of_8_3() -> None:
    keys = {(t.key, t.expression) for t in load_plan(SCENARIOS / "key_scenarios.yaml").thresholds}
    assert ("http_req_duration{scenario:evidence_upload,name:/api/v1/missions/:id/evidence}", "max<5000") in keys
    assert ("http_req_duration{scenario:agent_heartbeats}", "p(95)<100") in keys
    assert ("iterations{scenario:agent_heartbeats}", "count==100") in keys
    saturation = load_plan(SCENARIOS / "db_pool_saturation.yaml")
    assert ("server_errors_not_503", "count==0") in {(t.key, t.expression) for t in saturation.thresholds}
    assert saturation.stack_env == {"DB_POOL_MAX": "3", "DB_POOL_TIMEOUT_S": "0.2"}
    assert saturation.scenarios["db_saturation"].vus == 100


@pytest.mark.parametrize("name", ["key_scenarios", "db_pool_saturation"])
def test_key_plan_profiles(name: str) -> None:
    plan = load_plan(SCENARIOS / f"{name}.yaml")
    assert plan.with_profile("smoke").duration_s == pytest.approx(20.0, abs=0.1)
    assert plan.with_profile("full").duration_s == pytest.approx(60.0)
