"""`load_run(path)`: any supported file as a `RunMetrics`, the format told from the content.

- a bwperf run result (a JSON object with `schema_version`), read through `harness.results.load_result`
  so the schema is validated; a run directory holding `result.json` works too;
- a k6 NDJSON file (`--out json`, optionally gzipped): its first line is a k6 Metric or Point;
- a k6 summary export (`--summary-export`, or `handleSummary` JSON): an object with `metrics`.

Every failure is a `ResultFileError` whose message starts with the path.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from harness.compare.inputs import RunMetrics
from harness.compare.k6_inputs import from_k6_ndjson, from_k6_summary
from harness.compare.result_inputs import from_result
from harness.errors import ResultFileError
from harness.results import load_result

GZIP_MAGIC = b"\x1f\x8b"


def load_run(path: str | Path) -> RunMetrics:
    try:
        return _load(Path(path))
    except (ValueError, TypeError, KeyError, zlib.error) as error:
        # Content that parses but holds impossible values (a corrupt histogram, a count of "abc").
        raise ResultFileError(str(path), f"holds data that cannot be read ({type(error).__name__}: {error})") from error


def _load(file_path: Path) -> RunMetrics:
    source = str(file_path)
    if file_path.is_dir():
        return from_result(load_result(file_path), source=source)
    if not file_path.exists():
        raise ResultFileError(source, "no such file")
    try:
        with _open_text(file_path) as handle:
            first_line = handle.readline()
            if _is_k6_line(first_line):
                return from_k6_ndjson(_chain(first_line, handle), source=source)
            text = first_line + handle.read()
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as error:
        raise ResultFileError(source, f"cannot be read ({error})") from error
    if not text.strip():
        raise ResultFileError(source, "is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        ending = text.rstrip()
        truncated = error.pos >= len(ending) or not ending.endswith(("}", "]")) or error.msg.startswith("Unterminated")
        hint = "is truncated" if truncated else "is not valid JSON"
        raise ResultFileError(source, f"{hint} ({error.msg} at line {error.lineno})") from error
    if not isinstance(document, dict):
        raise ResultFileError(source, "is not a run result, a k6 NDJSON output or a k6 summary export")
    if "schema_version" in document or "meta" in document:
        return from_result(load_result(file_path), source=source)
    if "metrics" in document:
        return from_k6_summary(document, source=source)
    raise ResultFileError(
        source, "is not a run result (no schema_version), a k6 NDJSON output or a k6 summary export (no metrics)"
    )


def _open_text(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open("r", encoding="utf-8")


def _is_k6_line(line: str) -> bool:
    try:
        parsed = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(parsed, dict) and parsed.get("type") in ("Metric", "Point") and "metric" in parsed


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest
