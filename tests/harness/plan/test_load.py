import json
import os
from pathlib import Path

import pytest
import yaml

from harness.errors import EXIT_INPUT, PlanError
from harness.executors.constant_arrival_rate import ConstantArrivalRateConfig
from harness.executors.ramping_arrival_rate import RampingArrivalRateConfig
from harness.metrics.names import MetricKind
from harness.plan.load import check_custom_metrics, load_plan

BASELINE = {
    "scenarios": {
        "browse_problems": {"executor": "constant-arrival-rate", "rate": 50, "timeUnit": "1s", "duration": "5m",
                            "preAllocatedVUs": 20, "maxVUs": 100, "exec": "browse_problems"},
        "agent_registration_burst": {
            "executor": "ramping-arrival-rate", "startRate": 1, "timeUnit": "1s",
            "stages": [{"duration": "30s", "target": 10}, {"duration": "1m", "target": 50}, {"duration": "30s", "target": 1}],
            "preAllocatedVUs": 30, "maxVUs": 200, "exec": "register_agent"},
    },
    "thresholds": {"http_req_duration": ["p(95)<200", "p(99)<500"], "errors": ["rate<0.01"],
                   "http_req_duration{scenario:browse_problems}": [{"threshold": "p(95)<150", "abortOnFail": True}]},
    "profiles": {"ci": {"duration_scale": 0.2}},
}


def write(tmp_path: Path, document: object, name: str = "baseline.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document) if name.endswith(".yaml") else json.dumps(document))
    return path


def problems_of(tmp_path: Path, document: object) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(write(tmp_path, document))
    assert caught.value.exit_code == EXIT_INPUT
    return caught.value.problems


def test_reads_the_design_plan(tmp_path):
    plan = load_plan(write(tmp_path, BASELINE))
    browse = plan.scenarios["browse_problems"]
    assert isinstance(browse, ConstantArrivalRateConfig)
    assert (browse.rate_per_s, browse.duration_s, browse.pre_allocated_vus, browse.max_vus) == (50.0, 300.0, 20, 100)
    burst = plan.scenarios["agent_registration_burst"]
    assert isinstance(burst, RampingArrivalRateConfig)
    assert [(s.duration_s, s.target) for s in burst.stages] == [(30.0, 10), (60.0, 50), (30.0, 1)]
    assert burst.duration_s == 120.0
    keys = [(t.key, t.expression, t.abort_on_fail) for t in plan.thresholds]
    assert ("http_req_duration{scenario:browse_problems}", "p(95)<150", True) in keys
    assert len(plan.sha256) == 64


def test_json_is_the_same_document(tmp_path):
    from_yaml = load_plan(write(tmp_path, BASELINE))
    from_json = load_plan(write(tmp_path, BASELINE, "baseline.json"))
    assert from_json.scenarios == from_yaml.scenarios
    assert set(from_json.thresholds) == set(from_yaml.thresholds)


def test_the_style_guide_message_names_file_key_limit_and_value(tmp_path):
    document = json.loads(json.dumps(BASELINE))
    document["scenarios"]["browse_problems"]["rate"] = -5
    path = write(tmp_path, document)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value) == f"{os.path.relpath(path)}: scenarios.browse_problems.rate must be > 0, but is -5"


def test_collects_every_problem_at_once(tmp_path):
    document = json.loads(json.dumps(BASELINE))
    browse = document["scenarios"]["browse_problems"]
    browse.update(rate=-5, maxVUs=10, colour="blue")
    document["scenarios"]["agent_registration_burst"]["stages"][1] = {"duration": "1x", "target": 50}
    document["thresholds"]["http_req_duration"].append("p95<1")
    document["extra"] = 1
    found = [p.split(": ", 1)[1] for p in problems_of(tmp_path, document)]
    assert "scenarios.browse_problems.rate must be > 0, but is -5" in found
    assert "scenarios.browse_problems.maxVUs can't be less than preAllocatedVUs (20), but is 10" in found
    assert any(p.startswith("scenarios.browse_problems.colour is an unknown key (known: ") for p in found)
    assert any(p.startswith("scenarios.agent_registration_burst.stages[2].duration must be a duration") for p in found)
    assert any(p.startswith("thresholds.http_req_duration[3] is not a threshold") for p in found)
    assert any(p.startswith("extra is an unknown key") for p in found)
    assert len(found) == 6


def test_unknown_executor_is_repeated(tmp_path):
    found = problems_of(tmp_path, {"scenarios": {"a": {"executor": "constant-arival-rate"}}})
    assert len(found) == 1
    assert "scenarios.a.executor 'constant-arival-rate' is not a known executor (known: constant-arrival-rate," in found[0]


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"executor": "constant-vus", "vus": 0, "duration": "1s"}, "scenarios.s.vus must be >= 1, but is 0"),
        ({"executor": "constant-vus", "vus": 1.5, "duration": "1s"}, "scenarios.s.vus must be a whole number, but is 1.5"),
        ({"executor": "constant-vus", "vus": 2}, "scenarios.s.duration is required, but is missing"),
        ({"executor": "shared-iterations", "vus": 5, "iterations": 3},
         "scenarios.s.vus can't be more than the number of iterations (3), but is 5"),
        ({"executor": "per-vu-iterations", "maxDuration": "0s"}, "scenarios.s.maxDuration must be at least 1ms, but is 0ms"),
        ({"executor": "ramping-vus", "stages": []}, "scenarios.s.stages must have at least one stage, but has none"),
        ({"executor": "ramping-vus", "stages": [{"duration": "1s", "target": 2, "x": 1}]},
         "scenarios.s.stages[1].x is an unknown key (known: duration, target)"),
        ({"executor": "constant-arrival-rate", "rate": 1, "duration": "1s"},
         "scenarios.s.preAllocatedVUs is required, but is missing"),
        ({"executor": "constant-vus", "duration": "1s", "startTime": "soon"},
         "scenarios.s.startTime must be a duration (expected a duration like '30s', '1m30s' or '500ms', found 'soon')"),
    ],
)
def test_executor_problems(tmp_path, scenario, message):
    found = problems_of(tmp_path, {"scenarios": {"s": scenario}})
    assert [p.split(": ", 1)[1] for p in found] == [message]


def test_threshold_filters_are_checked(tmp_path):
    document = {"scenarios": {"s": {"executor": "constant-vus", "duration": "1s"}},
                "thresholds": {"http_req_duration{scenario:nope}": ["p(95)<1"], "http_req_failed": ["p(95)<1"],
                               "iterations{name:/x}": ["count>1"]}}
    found = [p.split(": ", 1)[1] for p in problems_of(tmp_path, document)]
    assert "thresholds.http_req_duration{scenario:nope}[1] filters on scenario 'nope', which is not a scenario of this plan" in found
    assert "thresholds.http_req_failed[1] uses p(95), which a rate metric does not have" in found
    assert any(p.startswith("thresholds.iterations{name:/x}[1] filters on tag 'name'") for p in found)


def test_profiles_scale_durations(tmp_path):
    plan = load_plan(write(tmp_path, BASELINE))
    ci = plan.with_profile("ci")
    assert ci.scenarios["browse_problems"].duration_s == pytest.approx(60.0)
    assert [s.duration_s for s in ci.scenarios["agent_registration_burst"].stages] == pytest.approx([6.0, 12.0, 6.0])
    assert ci.profile == "ci"
    assert plan.with_profile("smoke").scenarios["browse_problems"].duration_s == pytest.approx(300 * 0.067)
    with pytest.raises(PlanError, match="profiles has no profile 'nightly'"):
        plan.with_profile("nightly")


def test_bad_profile_and_yaml(tmp_path):
    found = problems_of(tmp_path, {**BASELINE, "profiles": {"ci": {"duration_scale": 0}}})
    assert [p.split(": ", 1)[1] for p in found] == ["profiles.ci.duration_scale must be > 0, but is 0"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("scenarios: [unclosed\n")
    with pytest.raises(PlanError, match="is not valid YAML or JSON"):
        load_plan(broken)
    with pytest.raises(PlanError, match="cannot be read"):
        load_plan(tmp_path / "missing.yaml")


def test_thresholds_on_custom_metrics_are_checked_once_behaviours_are_known(tmp_path):
    plan = load_plan(write(tmp_path, {**BASELINE, "thresholds": {"errors": ["rate<0.01"], "guardrail_latency": ["p(95)<2000"],
                                                                 "typo_metric": ["count<1"]}}))
    with pytest.raises(PlanError) as caught:
        check_custom_metrics(plan, {"errors": MetricKind.RATE, "guardrail_latency": MetricKind.COUNTER})
    text = str(caught.value)
    assert "thresholds.guardrail_latency uses p(95), which a counter metric does not have" in text
    assert "thresholds.typo_metric names metric 'typo_metric', which nothing records" in text
    check_custom_metrics(load_plan(write(tmp_path, BASELINE)), {"errors": MetricKind.RATE})
