"""A comparison's exit code and its reports on disk (Markdown, JSON, JUnit) and on the terminal:
what `bwperf compare` and `bwperf gate` both write."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import EXIT_INCONCLUSIVE, EXIT_OK, EXIT_REGRESSION, InputError

if TYPE_CHECKING:
    from rich.console import Console

    from harness.compare.engine import Comparison

CI_LOG_WIDTH = 200


def exit_code(comparison: Comparison) -> int:
    if comparison.regressed:
        return EXIT_REGRESSION
    return EXIT_INCONCLUSIVE if comparison.inconclusive else EXIT_OK


def report_console() -> Console:
    """Rich output; wide when not on a terminal (CI logs), so rows are not folded at 80 columns."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = CI_LOG_WIDTH
    return console


def write_reports(comparison: Comparison, *, markdown: Path | None, json_path: Path | None, junit: Path | None) -> None:
    from harness.compare.render_json import comparison_document
    from harness.compare.render_junit import render_junit
    from harness.compare.render_markdown import render_markdown

    if markdown is not None:
        write_markdown(markdown, render_markdown(comparison))
    if json_path is not None:
        _write(json_path, json.dumps(comparison_document(comparison), indent=1) + "\n")
    if junit is not None:
        _write(junit, render_junit(comparison))


def write_markdown(path: Path, text: str) -> None:
    """Markdown for people; appended when `path` is the job's $GITHUB_STEP_SUMMARY (other steps write there too)."""
    _write(path, text, append=os.environ.get("GITHUB_STEP_SUMMARY") == str(path))


def _write(path: Path, text: str, *, append: bool = False) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror or error})") from error

