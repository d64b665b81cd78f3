"""`bwperf cost report` through typer's CliRunner: outputs, defaults, and one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.costs.cli import app
from harness.costs.model import DEFAULT_MODEL_PATH

runner = CliRunner()

RESULT = {
    "run_id": "run-9",
    "thresholds": {"http_req_duration": ["p(95)<200"]},
    "metrics": {
        "http_reqs": {"count": 60000, "rate": 200.0},
        "http_req_duration": {"p(95)": 35.0},
        "guardrail_evaluations": {"count": 100, "rate": 5.0},
        "guardrail_input_tokens": {"avg": 2000},
        "guardrail_output_tokens": {"avg": 200},
    },
}


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["html", "md", "csv", "xlsx", "json"])
def test_every_format_is_written(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"r.{fmt}"
    code, stdout, stderr = _run("--format", fmt, "--out", str(out))
    assert (code, stderr) == (0, "")
    assert stdout.strip() == str(out)
    assert out.stat().st_size > 1000


def test_format_follows_the_out_suffix_and_defaults_to_html(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "costs.json"
    assert _run("--out", str(out))[0] == 0
    assert json.loads(out.read_text())["kind"] == "bwperf.cost-report"
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = _run()
    assert code == 0
    written = Path(stdout.strip())
    assert written.parent == Path("reports/costs") and written.suffix == ".html"
    assert (tmp_path / written).read_text().startswith("<!DOCTYPE html>")


def test_run_and_compare_to(tmp_path: Path) -> None:
    run = tmp_path / "result.json"
    run.write_text(json.dumps(RESULT))
    first = tmp_path / "first.json"
    assert _run("--format", "json", "--out", str(first))[0] == 0
    changed_model = tmp_path / "tiers.yaml"
    changed_model.write_text(
        DEFAULT_MODEL_PATH.read_text().replace(
            "calls_per_month: 300000, source: seed-10.2}", "calls_per_month: 330000, source: seed-10.2}", 1
        )
    )
    out = tmp_path / "second.md"
    code, _, stderr = _run(
        "--run", str(run), "--compare-to", str(first), "--model", str(changed_model), "--out", str(out)
    )
    assert (code, stderr) == (0, "")
    text = out.read_text()
    assert "## Change since the previous report" in text
    # Scale guardrails: 30,000 more evaluations * $0.003 = $90 more
    assert "| Scale | Guardrail evaluation | $900.00 | $990.00 | $90.00 | changed |" in text
    assert "## Measured projection beside the plan" in text
    assert "run-9" in text


def test_run_directory_of_the_harness(tmp_path: Path) -> None:
    from tests.harness.costs.test_result_run import run_result

    (tmp_path / "result.json").write_text(json.dumps(run_result()))
    out = tmp_path / "r.json"
    code, _, stderr = _run("--run", str(tmp_path), "--out", str(out))
    assert (code, stderr) == (0, "")
    projection = json.loads(out.read_text())["projection"]
    assert projection["run"] == "run-2026 (ci @ http://127.0.0.1:8080)"
    assert projection["apiCapacityRps"] == 220.0
    assert projection["costPerEvaluation"] == "0.0039"


def test_swing_option(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    assert _run("--swing-pct", "10", "--out", str(out))[0] == 0
    assert "Sensitivity: each driver -10 % / +10 %" in out.read_text()


def _assert_one_line_error(code: int, stderr: str, *needles: str) -> None:
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0]


def test_missing_model_file(tmp_path: Path) -> None:
    code, _, stderr = _run("--model", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, "none.yaml", "not found")


def test_bad_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tiers: [\n  oops: : :\n")
    code, _, stderr = _run("--model", str(bad), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, "bad.yaml", "invalid YAML at line")


def test_invalid_model_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text(DEFAULT_MODEL_PATH.read_text().replace("swing_pct: 20", "swing_pct: 200"))
    code, _, stderr = _run("--model", str(bad), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, "m.yaml", "sensitivity.swing_pct", "200")


def test_unknown_format(tmp_path: Path) -> None:
    code, _, stderr = _run("--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    _assert_one_line_error(code, stderr, "unknown format 'pdf'", "html, md, csv, xlsx, json")
    assert not (tmp_path / "r.pdf").exists()


def test_compare_to_a_file_that_is_not_a_cost_report(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps(RESULT))
    code, _, stderr = _run("--compare-to", str(other), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, "other.json", "not a cost report")
    code, _, stderr = _run("--compare-to", str(tmp_path / "missing.json"), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, "missing.json", "not found")


def test_bad_run_result(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    run.write_text(json.dumps({**RESULT, "thresholds": {}}))
    code, _, stderr = _run("--run", str(run), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, "run.json", "p(95)<N")
    code, _, stderr = _run("--run", str(tmp_path / "nope.json"), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, "nope.json", "not found")


def test_a_bwperf_run_result_that_is_invalid_or_gives_no_projection(tmp_path: Path) -> None:
    from tests.harness.costs.test_result_run import run_result

    broken = run_result()
    del broken["meta"]["window_s"]
    run = tmp_path / "run" / "result.json"
    run.parent.mkdir()
    run.write_text(json.dumps(broken))
    code, _, stderr = _run("--run", str(run.parent), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, str(run), "is not a valid run result", "window_s")
    unbudgeted = {**run_result(), "thresholds": []}
    run.write_text(json.dumps(unbudgeted))
    code, _, stderr = _run("--run", str(run), "--out", str(tmp_path / "r.md"))
    _assert_one_line_error(code, stderr, str(run), "p(95)<N")
    assert not (tmp_path / "r.md").exists()


def test_unwritable_output(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, stderr = _run("--out", str(blocker / "r.md"))
    _assert_one_line_error(code, stderr, "r.md", "cannot write the report")


def test_registered_under_bwperf_cost() -> None:
    from bwperf.cli import main_app

    result = runner.invoke(main_app, ["cost", "report", "--help"])
    assert result.exit_code == 0
    assert "--compare-to" in result.stdout
