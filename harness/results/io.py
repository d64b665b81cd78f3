"""Reading and writing run-result files.

`load_result(path)` is the one way to read a result: it checks the schema version first (so a
file of another version gets a message saying so, not a list of field errors), then validates.
Every failure is a `ResultFileError` whose message starts with the path.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from harness.errors import ResultFileError
from harness.results.model import SCHEMA_VERSION, RunResult

RESULT_FILE_NAME = "result.json"


def load_result(path: str | Path) -> RunResult:
    """The validated result in `path` (a result file, or a run directory holding result.json)."""
    file_path = Path(path)
    if file_path.is_dir():
        file_path = file_path / RESULT_FILE_NAME
    try:
        text = file_path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ResultFileError(str(file_path), "no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ResultFileError(str(file_path), f"cannot be read ({error})") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        stripped = text.strip()
        truncated = stripped.startswith("{") and not stripped.endswith("}")
        hint = "truncated (an unfinished write?)" if truncated else "not valid JSON"
        raise ResultFileError(str(file_path), f"is {hint} ({error.msg} at line {error.lineno})") from error
    if not isinstance(document, dict):
        raise ResultFileError(str(file_path), "is not a run result (the top level is not an object)")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultFileError(
            str(file_path),
            f"has schema_version {version!r}; this harness reads schema_version {SCHEMA_VERSION}",
        )
    try:
        return RunResult.model_validate(document)
    except ValidationError as error:
        first = error.errors()[:5]
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in first)
        raise ResultFileError(str(file_path), f"is not a valid run result ({error.error_count()} problems: {details})") from error


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
