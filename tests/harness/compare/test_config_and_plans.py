"""compare.yaml (globs, precedence, errors) and plan fingerprints (differences, refusal)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.compare import (
    CompareSettings,
    PlanMismatchError,
    compare_runs,
    load_config,
)
from harness.compare.config import CompareConfigError
from harness.compare.inputs import Unit
from harness.compare.plans import diff_plans
from tests.harness.compare.synthetic import STANDARD, synthetic_run

CONFIG = """\
threshold_pct: 15
floors: {ms: 2}
metrics:
  "*/latency_p99_ms": {threshold_pct: 40}
  "search_missions/*/latency_p99_ms": {threshold_pct: 50, floor: 10}
  "*/GET /health/*": {ignore: true}
"""


def test_config_globs_apply_in_order_and_later_patterns_win(tmp_path: Path) -> None:
    path = tmp_path / "compare.yaml"
    path.write_text(CONFIG)
    settings = load_config(path)
    assert settings.rule_for("browse/GET /x/latency_p95_ms", Unit.MS).threshold_pct == 15
    assert settings.rule_for("browse/GET /x/latency_p95_ms", Unit.MS).floor == 2
    assert settings.rule_for("browse/GET /x/latency_p99_ms", Unit.MS).threshold_pct == 40
    p99 = settings.rule_for("search_missions/GET /nearby/latency_p99_ms", Unit.MS)
    assert (p99.threshold_pct, p99.floor) == (50, 10)
    assert settings.rule_for("browse/GET /health/error_rate_pct", Unit.PCT).ignore
    assert settings.rule_for("browse/GET /x/error_rate_pct", Unit.PCT).floor == 0.5  # default floor kept


def test_threshold_option_replaces_the_default_but_not_the_patterns(tmp_path: Path) -> None:
    path = tmp_path / "compare.yaml"
    path.write_text(CONFIG)
    settings = load_config(path).with_threshold(30)
    assert settings.rule_for("a/b/latency_p95_ms", Unit.MS).threshold_pct == 30
    assert settings.rule_for("a/b/latency_p99_ms", Unit.MS).threshold_pct == 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("threshold_pct: -3\n", "threshold_pct"),
        ("metrics:\n  '*/p99': {threshold: 40}\n", "metrics.*/p99.threshold"),
        ("floors: {seconds: 1}\n", "floors.seconds"),
        ("confidence: 1.5\n", "confidence"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("threshold_pct: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_file_and_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CompareConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def test_missing_config_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(CompareConfigError, match="no such file"):
        load_config(tmp_path / "nope.yaml")


BASE_PLAN = {
    "scenarios": ["browse", "search"],
    "profile": "ci",
    "scenario.browse.executor": "constant-arrival-rate",
    "scenario.browse.rate_per_s": 50.0,
    "scenario.browse.duration_s": 300.0,
    "scenario.search.executor": "constant-arrival-rate",
    "scenario.search.rate_per_s": 30.0,
}


def test_diff_plans_lists_every_difference() -> None:
    other = dict(BASE_PLAN, **{"scenario.browse.rate_per_s": 100.0, "scenario.search.executor": "ramping-arrival-rate"})
    described = [d.describe() for d in diff_plans(BASE_PLAN, other)]
    assert described == [
        "scenario.browse.rate_per_s: baseline 50, current 100",
        "scenario.search.executor: baseline constant-arrival-rate, current ramping-arrival-rate",
    ]


def test_diff_plans_tolerates_measured_wobble_and_skips_unknown_keys() -> None:
    other = dict(BASE_PLAN, **{"scenario.browse.duration_s": 300.4})
    del other["profile"]
    assert diff_plans(BASE_PLAN, other) == []


def test_a_missing_scenario_is_one_difference_not_many() -> None:
    other = {k: v for k, v in BASE_PLAN.items() if not k.startswith("scenario.search")} | {"scenarios": ["browse", "create"]}
    differences = diff_plans(BASE_PLAN, other)
    assert [d.describe() for d in differences] == ["scenarios: only in the baseline: search; only in the current run: create"]


def test_compare_refuses_mismatched_plans_unless_allowed() -> None:
    baseline = synthetic_run(STANDARD.__class__(requests=STANDARD.requests, plan=BASE_PLAN), seed=1)
    current = synthetic_run(STANDARD.__class__(requests=STANDARD.requests, plan=dict(BASE_PLAN, **{"scenario.browse.rate_per_s": 75.0})), seed=2)
    with pytest.raises(PlanMismatchError) as caught:
        compare_runs([baseline], current, settings=CompareSettings())
    assert "scenario.browse.rate_per_s: baseline 50, current 75" in str(caught.value)
    assert "--allow-plan-mismatch" in str(caught.value)
    allowed = compare_runs([baseline], current, settings=CompareSettings(), allow_plan_mismatch=True)
    assert [d.key for d in allowed.plan_differences] == ["scenario.browse.rate_per_s"]
    assert any("compared anyway" in note for note in allowed.notes)
