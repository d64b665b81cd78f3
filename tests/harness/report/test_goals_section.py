"""A stress plan's goals in both report files, read from the result alone (`RunResult.goals`):
summary.md opens with the verdict and the failed goals; report.html is built once, with the goals
section in its place (after the threshold verdict) and the header's badge saying FAIL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.report import goals_section
from harness.report.markdown import render_markdown
from harness.report.writer import write_report
from harness.results import save_result
from harness.results.model import GoalOutcome, GoalsVerdict, RunResult, UnaccountedItem

from .conftest import inspect_html

DRAINED = "all jobs processed within 18 s"


@pytest.fixture
def goals_result(baseline_result: RunResult) -> RunResult:
    goals = GoalsVerdict(
        outcomes=[GoalOutcome(name=DRAINED, kind="queue_drained", status="fail", observed="12 jobs left at 23 s",
                              limit="empty within 18 s of the load's end", detail="peak 30 jobs"),
                  GoalOutcome(name="job broker cannot evict queued jobs", kind="redis_policy", status="warn",
                              observed="allkeys-lru", limit="noeviction (a queue must not be evicted)"),
                  GoalOutcome(name="worker RSS bounded", kind="memory_growth", status="pass",
                              observed="80.0 -> 81.0 MiB (x1.01)", limit="last <= 1.5 x first, no restart")],
        unaccounted=[UnaccountedItem(kind="job", id="1-0", reason="dead-lettered")], unaccounted_total=3)
    return baseline_result.model_copy(update={"goals": goals})


def test_the_summary_opens_with_fail_and_the_failed_goal(goals_result: RunResult) -> None:
    text = render_markdown(goals_result)
    first, _, second = text.splitlines()[:3]
    assert first == f"# Run {goals_result.meta.run_id}: FAIL"
    assert second.startswith(f'FAIL: goal "{DRAINED}" failed; 2 of 3 goals met, 1 with a warning; 7 of 7 thresholds '
                             "passed; measurement")
    failed = text.split("Failed:", 1)[1].split("\n\n", 2)[1]
    assert failed == f"- goal **{DRAINED}**: 12 jobs left at 23 s (limit: empty within 18 s of the load's end)"
    assert text.index("## Verdict") < text.index("## Stress goals") < text.index("## Measurement health")
    goals = text.split("## Stress goals", 1)[1].split("\n## ", 1)[0]
    assert f"| FAIL | {DRAINED} | 12 jobs left at 23 s |" in goals and "| WARN | job broker" in goals
    assert "- job 1-0: dead-lettered" in goals and "... and 2 more (reconciliation.json)" in goals


def test_a_passing_goals_only_run_never_says_0_of_0(goals_result: RunResult) -> None:
    assert goals_result.goals is not None
    passed = goals_result.goals.model_copy(update={"outcomes": goals_result.goals.outcomes[1:], "unaccounted": [],
                                                   "unaccounted_total": 0})
    run = goals_result.model_copy(update={"goals": passed, "thresholds": [], "thresholds_ok": True})
    text = render_markdown(run)
    assert text.splitlines()[2].startswith("PASS: 2 of 2 goals met, 1 with a warning; no thresholds; measurement")
    assert "0 of 0" not in text and "Failed:" not in text


def test_the_html_report_is_built_once_with_the_goals_section(goals_result: RunResult, tmp_path: Path) -> None:
    written = write_report(save_result(goals_result, tmp_path / "result.json"), formats=["html"])
    assert written.html is not None
    text = written.html.read_text(encoding="utf-8")
    page = inspect_html(text)
    assert {"verdict", "goals", "goals-table", "chart-bend"} <= page.ids
    assert '<span class="badge FAIL">FAIL</span>' in text
    assert f"<title>{goals_result.meta.run_id}: FAIL</title>" in text
    verdict = re.search(r'<p class="verdict-text verdict-fail" id="verdict-text">(.*?)</p>', text)
    assert verdict is not None and verdict.group(1).startswith(f"FAIL: goal &quot;{DRAINED}&quot; failed")
    assert text.index('id="verdict"') < text.index('id="goals"') < text.index('id="health"')
    assert '<a href="#goals">Stress goals</a>' in text
    section = re.search(r'<section id="goals">.*?</section>', text, re.S)
    assert section is not None
    assert f'<td class="left">{DRAINED}</td>' in section.group(0) and "WARN" in section.group(0)
    assert not hasattr(goals_section, "add_goals_to_report")  # no patching of a written file


def test_a_result_without_goals_has_no_goals_section(baseline_result: RunResult, tmp_path: Path) -> None:
    written = write_report(save_result(baseline_result, tmp_path / "result.json"))
    assert written.html is not None and written.markdown is not None
    assert 'id="goals"' not in written.html.read_text(encoding="utf-8")
    assert "## Stress goals" not in written.markdown.read_text(encoding="utf-8")
