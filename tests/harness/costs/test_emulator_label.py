"""Token counts the LLM emulator produced are labelled as such in every format (issue 16, point 3).

The harness's result records no LLM endpoint; the run says "emulator" when it scraped the
emulator's own metrics, or the guardrail worker on loopback (the bundled stack points it at the
emulator). A worker elsewhere stays "unknown" and nothing says "emulator".
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from harness.costs.cli import app
from harness.costs.measurements import EMULATOR_CAVEAT, Measurements
from harness.costs.model import CostModel
from harness.costs.render import FORMATS
from harness.costs.report import CostReport, build_report
from harness.costs.result_run import measurements_from_run_result
from harness.results import RunResult
from tests.harness.costs.conftest import FIXED_TIME
from tests.harness.costs.test_result_run import WORKER, run_result

HEADING = f"Measured projection beside the plan, {EMULATOR_CAVEAT}"
REMOTE_WORKER = "http://10.20.0.7:9101/metrics"


def _moved(data: dict[str, Any], url: str) -> dict[str, Any]:
    for sample in data["samples"]["prometheus"]:
        if sample["url"] == WORKER:
            sample["url"] = url
    return data


def _source(data: dict[str, Any]) -> str:
    return measurements_from_run_result(RunResult.model_validate(data), source="r.json").llm_source


def test_a_worker_on_loopback_talked_to_the_emulator() -> None:
    assert _source(run_result()) == "emulator"


def test_a_remote_worker_is_unknown_unless_the_emulator_was_scraped() -> None:
    data = _moved(run_result(), REMOTE_WORKER)
    assert _source(data) == "unknown"
    data["samples"]["prometheus"].append(
        {"t_s": 60.0, "url": "http://10.20.0.8:9100/metrics", "values": {'llm_emulator_tokens_total{direction="input"}': 9.0}}
    )
    assert _source(data) == "emulator"


@pytest.fixture(scope="module")
def emulated(model: CostModel, measured: Measurements) -> CostReport:
    m = dataclasses.replace(measured, llm_source="emulator")
    return build_report(model, model_path="tiers.yaml", measurements=m, generated_at=FIXED_TIME)


def _text(report: CostReport, fmt: str) -> str:
    return FORMATS[fmt].render(report).decode("utf-8")


def test_every_format_names_the_emulator_in_the_projection_heading(emulated: CostReport, tmp_path: Path) -> None:
    assert f"## {HEADING}" in _text(emulated, "md")
    assert f'<h2 id="projection">{HEADING.replace(chr(39), "&#x27;")}</h2>' in _text(emulated, "html")
    projection = json.loads(_text(emulated, "json"))["projection"]
    assert (projection["heading"], projection["llmSource"], projection["fromEmulator"]) == (HEADING, "emulator", True)
    assert EMULATOR_CAVEAT in projection["costBasis"]
    frame = pd.read_csv(io.StringIO(_text(emulated, "csv")))
    assert HEADING in set(frame["scenario"])
    xlsx = tmp_path / "r.xlsx"
    xlsx.write_bytes(FORMATS["xlsx"].render(emulated))
    assert load_workbook(xlsx)["Projection"]["A1"].value == HEADING


def test_without_the_emulator_nothing_says_emulator(report: CostReport) -> None:
    assert report.projection is not None and report.projection.measurements.llm_source == "unknown"
    for fmt in ("md", "html", "json", "csv"):
        assert "emulator" not in _text(report, fmt), fmt
    assert json.loads(_text(report, "json"))["projection"]["fromEmulator"] is False


def test_the_terminal_says_so(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text(json.dumps(run_result()))
    result = CliRunner().invoke(app, ["report", "--run", str(tmp_path), "--out", str(tmp_path / "r.md")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"note: {HEADING}."
