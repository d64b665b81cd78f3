"""Reading and writing run-result files.

`load_result(path)` is the one way to read a result, and `result_from_document` the one way to
validate one already parsed (compare, report, cost report and the dashboard all go through it):
the file is read within bounds (`harness.parsing.limits`: size after gunzip, nesting depth), the
schema version is checked first (so a file of another version, or of none, gets a message saying
so, not a list of field errors), then the model, then every stored histogram is decoded (with its
decompressed size capped), so a corrupt one is refused here and not by whichever view reads it.
Every failure is a `ResultFileError` whose message starts with the path.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import ResultFileError
from harness.metrics import hdr
from harness.parsing.bounded import BoundsError, loads_json, read_capped
from harness.parsing.limits import MAX_JSON_BYTES
from harness.results.model import SCHEMA_VERSION, RunResult, TrendValues

RESULT_FILE_NAME = "result.json"


def load_result(path: str | Path) -> RunResult:
    """The validated result in `path` (a result file, gzipped or not, or a run directory holding
    result.json)."""
    file_path = Path(path)
    if file_path.is_dir():
        file_path = file_path / RESULT_FILE_NAME
    document = read_json_document(file_path)
    if not isinstance(document, dict):
        raise ResultFileError(str(file_path), "is not a run result (the top level is not an object)")
    return result_from_document(document, source=str(file_path))


def read_json_document(file_path: Path, *, finite: bool = False) -> Any:
    """The JSON document in `file_path` (gunzipped when gzip), read within the bounds; a broken
    or truncated file is a `ResultFileError` saying which. `finite` refuses NaN and Infinity
    (our own results may hold them: Python's json writes them)."""
    source = str(file_path)
    try:
        data = read_capped(file_path, MAX_JSON_BYTES)
    except FileNotFoundError as error:
        raise ResultFileError(source, "no such file") from error
    except BoundsError as error:
        raise ResultFileError(source, str(error)) from None
    except (OSError, EOFError, zlib.error) as error:
        raise ResultFileError(source, f"cannot be read ({error})") from error
    if not data.strip():
        raise ResultFileError(source, "is empty")
    try:
        return loads_json(data, finite=finite)
    except BoundsError as error:
        raise ResultFileError(source, str(error)) from None
    except UnicodeDecodeError as error:
        raise ResultFileError(source, f"cannot be read (not UTF-8: {error.reason})") from None
    except json.JSONDecodeError as error:
        # Cut short: the parser ran out of text where more was due (wherever the cut fell, even
        # just after a `]`), rather than meeting a wrong character inside it.
        truncated = error.msg.startswith("Unterminated") or error.pos >= len(error.doc.rstrip())
        hint = "is truncated (an unfinished write?)" if truncated else "is not valid JSON"
        raise ResultFileError(source, f"{hint} ({error.msg} at line {error.lineno})") from None


def result_from_document(document: Mapping[str, Any], *, source: str) -> RunResult:
    """A parsed result document, validated: schema version, model, histograms."""
    version = document.get("schema_version")
    if version is None:
        raise ResultFileError(source, f"is not a valid run result (it has no schema_version; this harness reads schema_version {SCHEMA_VERSION})")
    if version != SCHEMA_VERSION:
        raise ResultFileError(source, f"has schema_version {version!r}; this harness reads schema_version {SCHEMA_VERSION}")
    try:
        result = RunResult.model_validate(document)
    except ValidationError as error:
        first = error.errors()[:5]
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in first)
        raise ResultFileError(source, f"is not a valid run result ({error.error_count()} problems: {details})") from None
    for where, text in _histograms(result):
        problem = _histogram_problem(text)
        if problem is not None:
            raise ResultFileError(source, f"{where} holds a histogram that cannot be read ({problem})")
    return result


def _histograms(result: RunResult) -> Iterator[tuple[str, str]]:
    def trend(where: str, values: TrendValues | None) -> Iterator[tuple[str, str]]:
        if values is not None:
            yield f"{where}.hdr", values.hdr

    for number, request in enumerate(result.requests):
        yield from trend(f"requests[{number}].duration_ms", request.duration_ms)
    for name, stats in result.scenarios.items():
        for field in ("http_req_duration", "iteration_duration", "iteration_lag", "iteration_duration_scheduled"):
            yield from trend(f"scenarios.{name}.{field}", getattr(stats, field))
    for name, values in result.metrics.items():
        yield from trend(f"metrics.{name}.trend", values.trend)
    for number, windows in enumerate(result.latency_windows):
        for block, text in enumerate(windows.hdr):
            yield f"latency_windows[{number}].hdr[{block}]", text


def _histogram_problem(text: str) -> str | None:
    """Why `text` is not a histogram we can decode (hdr.check: within the size cap, complete), or
    None; checked, not decoded: a day-long result holds thousands, decoded only when read."""
    try:
        hdr.check(text)
    except ValueError as error:
        return str(error)
    return None


def save_result(result: RunResult, path: str | Path) -> Path:
    """Write atomically (a reader never sees half a file)."""
    return write_json_atomic(Path(path), result.model_dump(mode="json"))


def write_json_atomic(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
            handle.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
