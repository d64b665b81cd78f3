"""From a run result to `Measurements`: read the file, recognise its shape, adapt it.

Two shapes are read (see each module's docstring for the fields):
  - the harness's own run result, `schema_version` 1 (result_run.py), read typed: from a file
    through `harness.results.load_result` (which validates it), from a dict through the model;
  - a k6-style summary with k6 metric names (result_k6.py).
Every failure is a `harness.errors.ResultFileError` (path, reason).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.costs.errors import ResultFileError
from harness.costs.measurements import Measurements
from harness.costs.result_k6 import measurements_from_k6_summary
from harness.costs.result_run import measurements_from_run_result
from harness.results import RESULT_FILE_NAME, RunResult, load_result


def measurements_from_result_json(data: Mapping[str, Any], *, source: str = "run result") -> Measurements:
    """Adapt a run result given as a plain dict (pure; no file needed): a run result is validated
    by the result model first, then read typed."""
    if "schema_version" in data or "meta" in data:
        return measurements_from_run_result(_validated(data, source), source=source)
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
        raise ResultFileError(name, "run result file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultFileError(name, f"cannot read the run result: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ResultFileError(name, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    if not isinstance(data, dict):
        raise ResultFileError(name, f"expected a JSON object, but found {type(data).__name__}")
    if "schema_version" in data:
        return measurements_from_run_result(load_result(path), source=name)
    return measurements_from_result_json(data, source=name)


def _validated(data: Mapping[str, Any], source: str) -> RunResult:
    try:
        return RunResult.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ResultFileError(source, f"is not a valid run result ({error.error_count()} problems; the first, "
                                      f"{where}: {first['msg']})") from None
