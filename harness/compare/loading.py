"""`load_run(path)`: any supported file as a `RunMetrics`, the format told from the content.

- a bwperf run result (a JSON object with `schema_version`), read through `harness.results.load_result`
  so the schema is validated; a run directory holding `result.json` works too;
- a k6 NDJSON file (`--out json`, optionally gzipped): its first line is a k6 Metric or Point;
- a k6 summary export (`--summary-export`, or `handleSummary` JSON): an object with `metrics`.

Every failure is a `ResultFileError` whose message starts with the path.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from harness.compare.inputs import RunMetrics
from harness.compare.k6_inputs import from_k6_ndjson, from_k6_summary
from harness.compare.result_inputs import from_result
from harness.errors import ResultFileError
from harness.parsing.bounded import BoundsError, capped_lines, loads_json, open_capped
from harness.parsing.limits import MAX_NDJSON_BYTES, MAX_NDJSON_LINE_BYTES
from harness.results import load_result
from harness.results.io import read_json_document, result_from_document


def load_run(path: str | Path) -> RunMetrics:
    try:
        return _load(Path(path))
    except (ValueError, TypeError, KeyError, OverflowError, zlib.error) as error:
        # Content that parses but holds impossible values (a corrupt histogram, a count of "abc").
        raise ResultFileError(str(path), f"holds data that cannot be read ({type(error).__name__}: {error})") from error


def _load(file_path: Path) -> RunMetrics:
    source = str(file_path)
    if file_path.is_dir():
        return from_result(load_result(file_path), source=source)
    if not file_path.exists():
        raise ResultFileError(source, "no such file")
    ndjson = _load_k6_ndjson(file_path)
    if ndjson is not None:
        return ndjson
    document = read_json_document(file_path)  # bounded again, at the (smaller) document limit
    if not isinstance(document, dict):
        raise ResultFileError(source, "is not a run result, a k6 NDJSON output or a k6 summary export")
    if "schema_version" in document or "meta" in document:
        return from_result(result_from_document(document, source=source), source=source)
    if "metrics" in document:
        return from_k6_summary(document, source=source)
    raise ResultFileError(
        source, "is not a run result (no schema_version), a k6 NDJSON output or a k6 summary export (no metrics)"
    )


def _load_k6_ndjson(file_path: Path) -> RunMetrics | None:
    """The run in a k6 NDJSON file (streamed, gunzipped when gzip, within the bounds), or None when
    the first line is not a k6 line (then the file is one JSON document)."""
    source = str(file_path)
    try:
        with open_capped(file_path, MAX_NDJSON_BYTES) as stream:
            first = stream.readline(MAX_NDJSON_LINE_BYTES + 1)
            if not _is_k6_line(first):
                return None
            return from_k6_ndjson(_chain(first.decode("utf-8"), capped_lines(stream, first_number=2)), source=source)
    except BoundsError as error:
        raise ResultFileError(source, str(error)) from None
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile, zlib.error) as error:
        raise ResultFileError(source, f"cannot be read ({error})") from error


def _is_k6_line(line: bytes) -> bool:
    if len(line) > MAX_NDJSON_LINE_BYTES or not line.lstrip().startswith(b"{"):
        return False
    try:
        parsed = loads_json(line)
    except (json.JSONDecodeError, UnicodeDecodeError, BoundsError):
        return False
    return isinstance(parsed, dict) and parsed.get("type") in ("Metric", "Point") and "metric" in parsed


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
