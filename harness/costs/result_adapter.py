"""From a run result to `Measurements`: read the file, recognise its shape, adapt it.

Two shapes are read (see each module's docstring for the fields):
  - the harness's own run result, `schema_version` 1 (result_run.py), read typed: from a file
    through `harness.results.load_result` (which validates it), from a dict through the model;
  - a k6-style summary with k6 metric names (result_k6.py).
Every failure is a `harness.errors.ResultFileError` (path, reason).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.costs.errors import ResultFileError
from harness.costs.measurements import Measurements
from harness.costs.result_k6 import measurements_from_k6_summary
from harness.costs.result_run import measurements_from_run_result
from harness.results import RESULT_FILE_NAME
from harness.parsing.bounded import BoundsError, loads_json, read_capped
from harness.parsing.limits import MAX_JSON_BYTES
from harness.results.io import result_from_document


def measurements_from_result_json(data: Mapping[str, Any], *, source: str = "run result") -> Measurements:
    """Adapt a run result given as a plain dict (pure; no file needed): a run result (it has
    `schema_version` or `meta`) is validated as every reader validates one
    (`harness.results.io.result_from_document`: schema version required), then read typed."""
    if "schema_version" in data or "meta" in data:
        return measurements_from_run_result(result_from_document(data, source=source), source=source)
    return measurements_from_k6_summary(data, source=source)


def load_measurements(path: Path) -> Measurements:
    """Read a run result (a file, or a run directory holding result.json; gzipped or not) within
    the bounds every result reader keeps (`harness.results.io`); errors name the file."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULT_FILE_NAME
    name = str(path)
    try:
        data = loads_json(read_capped(path, MAX_JSON_BYTES), finite=False)
    except FileNotFoundError:
        raise ResultFileError(name, "run result file not found") from None
    except BoundsError as exc:
        raise ResultFileError(name, str(exc)) from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise ResultFileError(name, f"cannot read the run result: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ResultFileError(name, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    if not isinstance(data, dict):
        raise ResultFileError(name, f"expected a JSON object, but found {type(data).__name__}")
    return measurements_from_result_json(data, source=name)
