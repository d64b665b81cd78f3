"""`bwperf compare` end to end: exit codes, messages, and the four outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bwperf.cli import main_app
from harness.results import save_result
from tests.harness.compare.results_factory import BASELINE_PLAN, build_result

ROOT = Path(__file__).resolve().parents[3]

runner = CliRunner()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("runs")
    faster_plan = BASELINE_PLAN.scaled(1.0)
    return {
        "baseline": save_result(build_result(BASELINE_PLAN, seed=1), folder / "baseline.json"),
        "same": save_result(build_result(faster_plan, seed=2), folder / "same.json"),
        "slower": save_result(build_result(BASELINE_PLAN.scaled(1.35, name="/api/v1/missions/nearby"), seed=3), folder / "slower.json"),
        "other_plan": save_result(
            build_result(BASELINE_PLAN.__class__(requests=BASELINE_PLAN.requests, duration_s=120.0), seed=4), folder / "other.json"),
    }


def compare(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(main_app, ["compare", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_no_regression_exits_0_and_prints_the_rule(runs: dict[str, Path]) -> None:
    code, out, err = compare("--baseline", runs["baseline"], "--current", runs["same"])
    assert code == 0, err
    assert "no regression" in out
    assert "rule: regressed: worse by more than 20 %" in out


def test_a_regression_exits_1(runs: dict[str, Path]) -> None:
    code, out, _ = compare("--baseline", runs["baseline"], "--current", runs["slower"])
    assert code == 1
    assert "REGRESSION" in out and "search_missions/GET /api/v1/missions/nearby/latency_p95_ms" in out


def test_a_higher_threshold_lets_it_pass(runs: dict[str, Path]) -> None:
    code, _, _ = compare("--baseline", runs["baseline"], "--current", runs["slower"], "--threshold", "50")
    assert code == 0


def test_config_can_ignore_the_regressing_request(runs: dict[str, Path], tmp_path: Path) -> None:
    config = tmp_path / "compare.yaml"
    config.write_text('metrics:\n  "*/missions/nearby/*": {ignore: true}\n  "(all)/*": {ignore: true}\n')
    code, out, _ = compare("--baseline", runs["baseline"], "--current", runs["slower"], "--config", config)
    assert code == 0
    assert "ignored by the configuration" in out


@pytest.mark.parametrize("which", ["baseline", "current"])
def test_missing_file_exits_2_with_one_line_naming_it(runs: dict[str, Path], tmp_path: Path, which: str) -> None:
    missing = tmp_path / "missing.json"
    args = {"baseline": runs["baseline"], "current": runs["same"], which: missing}
    code, out, err = compare("--baseline", args["baseline"], "--current", args["current"])
    assert code == 2
    assert err == f"error: {missing}: no such file\n"
    assert "Traceback" not in out + err


def test_truncated_and_wrong_version_exit_2(runs: dict[str, Path], tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text(runs["baseline"].read_text()[:300])
    code, _, err = compare("--baseline", cut, "--current", runs["same"])
    assert (code, err.startswith(f"error: {cut}: is truncated")) == (2, True)
    document = json.loads(runs["baseline"].read_text())
    document["schema_version"] = 2
    v2 = tmp_path / "v2.json"
    v2.write_text(json.dumps(document))
    code, _, err = compare("--baseline", v2, "--current", runs["same"])
    assert code == 2 and "schema_version 2" in err and err.count("\n") == 1


def test_a_corrupt_stored_histogram_exits_2_naming_the_file(runs: dict[str, Path], tmp_path: Path) -> None:
    document = json.loads(runs["baseline"].read_text())
    document["requests"][0]["duration_ms"]["hdr"] = "HISTFAAAAB" + "x" * 20
    broken = tmp_path / "broken-hdr.json"
    broken.write_text(json.dumps(document))
    code, _, err = compare("--baseline", broken, "--current", runs["same"])
    assert code == 2 and err.startswith(f"error: {broken}:") and err.count("\n") == 1


def test_bad_config_exits_2(runs: dict[str, Path], tmp_path: Path) -> None:
    config = tmp_path / "compare.yaml"
    config.write_text("treshold_pct: 10\n")
    code, _, err = compare("--baseline", runs["baseline"], "--current", runs["same"], "--config", config)
    assert code == 2
    assert err.startswith(f"error: {config}: treshold_pct: Extra inputs are not permitted")


def test_plan_mismatch_exits_2_listing_differences_unless_allowed(runs: dict[str, Path]) -> None:
    code, _, err = compare("--baseline", runs["baseline"], "--current", runs["other_plan"])
    assert code == 2
    assert "scenario.browse_problems.duration_s: baseline 60, current 120" in err
    assert "scenario.search_missions.duration_s: baseline 60, current 120" in err
    code, out, _ = compare("--baseline", runs["baseline"], "--current", runs["other_plan"], "--allow-plan-mismatch")
    assert code in (0, 1) and "compared anyway" in out


def test_outputs_markdown_json_junit(runs: dict[str, Path], tmp_path: Path) -> None:
    md, js, xml = tmp_path / "out" / "summary.md", tmp_path / "out" / "cmp.json", tmp_path / "out" / "junit.xml"
    code, _, _ = compare("--baseline", runs["baseline"], "--current", runs["slower"],
                         "--markdown", md, "--json", js, "--junit", xml)
    assert code == 1
    markdown = md.read_text()
    assert "| metric | baseline | current | Δ% | noise band | verdict |" in markdown
    assert "❌ regressed" in markdown and "**Rule**" in markdown
    document = json.loads(js.read_text())
    assert document["format"] == "bwperf.compare/1" and document["regressed"] is True
    assert document["rule"]["threshold_pct"] == 20.0
    regressed = [m["key"] for m in document["metrics"] if m["verdict"] == "regressed"]
    suite = ET.parse(xml).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(document["metrics"])
    failed = sorted(case.get("name") or "" for case in cases if case.find("failure") is not None)
    assert failed == sorted(regressed) and suite.get("failures") == str(len(regressed))


def test_markdown_is_appended_to_the_github_step_summary(runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("# Weekly baseline\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, _, _ = compare("--baseline", runs["baseline"], "--current", runs["same"], "--markdown", summary)
    assert code == 0
    text = summary.read_text()
    assert text.startswith("# Weekly baseline\n## ✅ bwperf compare")


def test_several_baselines(runs: dict[str, Path]) -> None:
    code, out, _ = compare("--baseline", runs["baseline"], "--baseline", runs["same"], "--current", runs["slower"])
    assert code == 1
    assert "baseline: run-1" in out and "run-2" in out


def test_files_with_nothing_in_common_exit_2(runs: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "k6.json"
    empty.write_text('{"metrics": {"vus": {"value": 1, "min": 0, "max": 1}}}')
    code, _, err = compare("--baseline", runs["baseline"], "--current", empty)
    assert code == 2
    assert err.startswith(f"error: {empty}: has no metric in common with {runs['baseline']}")


# -- fitted to the terminal's width (COLUMNS, as shutil.get_terminal_size reads it) --

REAL_BASELINE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "baseline_result.json"
REAL_K6_EXPORT = Path(__file__).resolve().parent / "fixtures" / "k6_summary_export.json"


def compare_process(columns: int, *args: str | Path) -> tuple[int, str]:
    """`python -m bwperf compare` as a user runs it, its output piped, with COLUMNS set."""
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bwperf", "compare", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout and not done.stderr, done.stderr  # a crash also exits 1
    return done.returncode, done.stdout


@pytest.mark.parametrize("columns", [80, 60])
def test_real_runs_fit_a_narrow_terminal_with_every_metric_whole(tmp_path: Path, columns: int) -> None:
    document = tmp_path / "comparison.json"
    code, out = compare_process(columns, "--baseline", REAL_BASELINE, "--current", REAL_K6_EXPORT,
                                "--allow-plan-mismatch", "--json", document)
    assert code == 1, out  # throughput fell by 41 %
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns, [line for line in lines if len(line) > columns]
    keys = [m["key"] for m in json.loads(document.read_text())["metrics"]]
    assert len(keys) == 7 and all(f" {key}" in out for key in keys)  # each name whole, on its verdict's line
    assert "regressed (all)/(all)/throughput_per_s" in lines
    assert "┃" not in out and "REGRESSION: 7 metrics compared" in " ".join(lines)


def test_a_wide_terminal_keeps_the_table(tmp_path: Path) -> None:
    code, out = compare_process(160, "--baseline", REAL_BASELINE, "--current", REAL_K6_EXPORT, "--allow-plan-mismatch")
    assert code == 1
    assert "┃ metric" in out and "│ (all)/(all)/throughput_per_s" in out
    assert max(len(line) for line in out.splitlines()) <= 160


def test_a_narrow_terminal_shows_one_block_per_metric(runs: dict[str, Path]) -> None:
    result = runner.invoke(main_app, ["compare", "--baseline", str(runs["baseline"]), "--current", str(runs["slower"])],
                           env={"COLUMNS": "72"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 72
    block = lines.index("regressed search_missions/GET /api/v1/missions/nearby/latency_p95_ms")
    assert lines[block + 1].startswith("  53.5 ms → 71.3 ms, Δ +17.8 ms (+33.3 %)")
    assert lines[block + 2] == "  noise band: ±4.39 ms (CI 99% fw)"
