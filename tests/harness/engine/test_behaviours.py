import pytest
import yaml

from harness.engine.behaviours import load_behaviours
from harness.errors import PlanError
from harness.metrics.names import MetricKind
from harness.plan.load import load_plan

from .conftest import FIXTURES


def plan_file(tmp_path, **top):
    document = {"scenarios": {"s": {"executor": "constant-vus", "duration": "1s", "exec": "get_health"}}, **top}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_named_file_relative_to_the_plan(tmp_path):
    plan = load_plan(FIXTURES / "engine_smoke.yaml")
    found = load_behaviours(plan)
    assert found.functions["light"].__name__ == "get_health"
    assert found.metrics == {"errors": MetricKind.RATE, "guardrail_latency": MetricKind.TREND, "calls": MetricKind.COUNTER}


def test_sibling_py_file_is_the_default(tmp_path):
    (tmp_path / "plan.py").write_text("def get_health(vu):\n    pass\n")
    assert list(load_behaviours(load_plan(plan_file(tmp_path))).functions) == ["s"]


def test_missing_exec_names_what_the_module_defines(tmp_path):
    (tmp_path / "plan.py").write_text("def browse(vu):\n    pass\n")
    with pytest.raises(PlanError, match=r"scenarios\.s\.exec names 'get_health', which .* does not define \(defines: browse\)"):
        load_behaviours(load_plan(plan_file(tmp_path)))


def test_no_behaviours_anywhere(tmp_path):
    with pytest.raises(PlanError, match="behaviours is not set and there is no"):
        load_behaviours(load_plan(plan_file(tmp_path)))
    with pytest.raises(PlanError, match="names module 'no_such_module_xyz', which cannot be imported"):
        load_behaviours(load_plan(plan_file(tmp_path, behaviours="no_such_module_xyz")))


def test_a_module_that_fails_to_import_is_a_plan_error(tmp_path):
    (tmp_path / "plan.py").write_text("def get_health(vu):\n    pass\nraise RuntimeError('boom')\n")
    with pytest.raises(PlanError, match=r"importing .*plan\.py failed: RuntimeError\('boom'\)"):
        load_behaviours(load_plan(plan_file(tmp_path)))
