"""A plan's `goals:` as the plan loader reads them: latency and error rates are k6 thresholds now,
and a plan that still lists them as goals is refused in one line naming the file, the key and the
threshold to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import PlanError
from harness.goals.spec import parse_goals
from harness.plan.load import load_plan

PLAN = """\
scenarios:
  burst: {executor: constant-vus, vus: 1, duration: 1s, exec: f}
goals:
  - {name: drained, kind: queue_drained, within: 1m}
  - {name: "p95 < 2 s in the burst", kind: latency, scenarios: [burst], percentile: 95, max_ms: 2000}
"""


def test_a_latency_goal_is_refused_in_one_line_with_the_threshold_to_write(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.yaml").write_text(PLAN)
    with pytest.raises(PlanError) as raised:
        load_plan(tmp_path / "old.yaml")
    (line,) = str(raised.value).splitlines()
    assert line == ("old.yaml: goals[2].kind is 'latency', which is no longer a goal kind (a k6 threshold says it): "
                    'remove the goal and write thresholds: {"http_req_duration{scenario:burst}": ["p(95)<2000"]}')


@pytest.mark.parametrize(("raw", "suggestion"), [
    ({"kind": "error_rate", "max_rate": 0.05}, '{"http_req_failed": ["rate<0.05"]}'),
    ({"kind": "error_rate", "scenarios": ["flood"], "max_rate": 0.01}, '{"http_req_failed{scenario:flood}": ["rate<0.01"]}'),
    ({"kind": "latency", "scenarios": ["a", "b"], "max_ms": 200},
     '{"http_req_duration{scenario:a}": ["p(95)<200"], "http_req_duration{scenario:b}": ["p(95)<200"]}'),
    ({"kind": "latency", "request": "/api/v1/problems", "percentile": 99, "max_ms": 500},
     '{"http_req_duration{name:/api/v1/problems}": ["p(99)<500"]}'),
    ({"kind": "latency"}, '{"http_req_duration": ["p(95)<2000"]}'),  # no limit given: k6's syntax, with an example
])
def test_each_former_goal_kind_names_its_threshold(raw: dict, suggestion: str) -> None:
    goals, problems = parse_goals([{"name": "x", **raw}])
    assert goals == ()
    ((path, message),) = problems
    assert path == "goals[1].kind" and message.endswith(f"write thresholds: {suggestion}")


def test_the_stress_plans_load_with_their_latency_and_error_limits_as_thresholds() -> None:
    stress = Path(__file__).resolve().parents[3] / "stress"
    keys = {plan: {f"{t.key} {t.expression}" for t in load_plan(stress / f"{plan}.yaml").thresholds}
            for plan in ("agent_swarm", "db_saturation", "queue_flood")}
    assert keys["agent_swarm"] == {"http_req_failed rate<0.05", "http_req_duration{scenario:burst} p(95)<2000",
                                   "http_reqs{scenario:burst} count>0"}
    assert keys["db_saturation"] == {"http_req_duration{scenario:readers_browse} p(95)<200",
                                     "http_req_duration{scenario:readers_geo} p(95)<200",
                                     "http_req_duration{scenario:writers} p(95)<500",
                                     "http_reqs{scenario:readers_browse} count>0", "http_reqs{scenario:readers_geo} count>0",
                                     "http_reqs{scenario:writers} count>0"}
    assert keys["queue_flood"] == {"http_req_failed rate<0.01", "http_reqs count>0"}
