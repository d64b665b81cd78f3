"""`bwperf report RESULT_OR_DIR [--format html|md]` and the report `bwperf run` leaves behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.errors import EXIT_INPUT, EXIT_OK

ROOT = Path(__file__).resolve().parents[3]


def bwperf_report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bwperf", "report", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)


def test_report_of_a_run_directory_writes_both_and_prints_the_verdict(run_dir: Path) -> None:
    done = bwperf_report(str(run_dir))
    assert done.returncode == EXIT_OK, done.stderr
    assert (run_dir / "report.html").stat().st_size > 1_000_000
    assert (run_dir / "summary.md").read_text().startswith("# Run ")
    assert "verdict: PASS: 7 of 7 thresholds passed" in done.stderr
    assert "guardrail_latency" in done.stderr and str(run_dir / "report.html") in done.stderr


def test_format_md_writes_only_the_summary(run_dir: Path) -> None:
    done = bwperf_report(str(run_dir / "result.json"), "--format", "md")
    assert done.returncode == EXIT_OK, done.stderr
    assert (run_dir / "summary.md").exists() and not (run_dir / "report.html").exists()


def test_a_truncated_result_exits_2_naming_the_file(run_dir: Path) -> None:
    path = run_dir / "result.json"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    done = bwperf_report(str(run_dir))
    assert done.returncode == EXIT_INPUT
    assert str(path) in done.stderr and "truncated" in done.stderr
    assert not (run_dir / "report.html").exists()


def test_a_result_of_another_shape_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"schema_version": 1, "meta": {}}))
    done = bwperf_report(str(path))
    assert done.returncode == EXIT_INPUT
    assert str(path) in done.stderr and "not a valid run result" in done.stderr


def test_a_missing_result_exits_2(tmp_path: Path) -> None:
    done = bwperf_report(str(tmp_path / "nothing-here"))
    assert done.returncode == EXIT_INPUT and "no such file" in done.stderr


def test_an_unknown_format_is_refused(run_dir: Path) -> None:
    done = bwperf_report(str(run_dir), "--format", "pdf")
    assert done.returncode == EXIT_INPUT and "pdf" in done.stderr
