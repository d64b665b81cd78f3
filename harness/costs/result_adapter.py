"""From a run result to `Measurements`: read the file, recognise its shape, adapt it.

Two shapes are read (see each module's docstring for the fields):
  - the harness's own run result, `schema_version` 1 (result_run.py); from a file it is first
    validated by the result model, `harness.results.load_result`;
  - a k6-style summary with k6 metric names (result_k6.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.costs.errors import ResultFileError
from harness.costs.measurements import Measurements
from harness.costs.result_k6 import measurements_from_k6_summary
from harness.costs.result_run import measurements_from_run_result

RESULT_FILE_NAME = "result.json"  # what a run directory holds (harness.results.io)


def measurements_from_result_json(data: Mapping[str, Any], *, source: str = "run result") -> Measurements:
    """Adapt a run result given as a plain dict (pure; no file or model needed)."""
    if "schema_version" in data or "meta" in data:
        return measurements_from_run_result(data, source=source)
    return measurements_from_k6_summary(data, source=source)


def load_measurements(path: Path) -> Measurements:
    """Read a run result (a file, or a run directory holding result.json); errors name the file."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULT_FILE_NAME
    name = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultFileError(f"{name}: run result file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultFileError(f"{name}: cannot read the run result: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ResultFileError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    if not isinstance(data, dict):
        raise ResultFileError(f"{name}: expected a JSON object, but found {type(data).__name__}")
    if "schema_version" in data:
        data = _validated_run_result(path)
    return measurements_from_result_json(data, source=name)


def _validated_run_result(path: Path) -> dict[str, Any]:
    """Validate through the result model (DESIGN.md: reports read results through it)."""
    from harness.results import ResultFileError as ModelError
    from harness.results import load_result

    try:
        return load_result(path).model_dump(mode="json")
    except ModelError as exc:
        raise ResultFileError(str(exc)) from None
