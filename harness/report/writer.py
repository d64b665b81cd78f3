"""Writing a run's report files: `report.html` and `summary.md`, beside the result by default."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.report.charts import build_charts
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from harness.report.targets import plan_targets
from harness.results.io import RESULT_FILE_NAME, load_result
from harness.results.model import RunResult

HTML_FILE_NAME = "report.html"
MARKDOWN_FILE_NAME = "summary.md"
FORMATS = ("html", "md")
REPORT_FILE_MODE = 0o644


@dataclass(frozen=True)
class WrittenReport:
    result: RunResult
    result_path: Path
    html: Path | None
    markdown: Path | None


def result_file(path: Path) -> Path:
    """The result file of a run directory, or the file itself."""
    return path / RESULT_FILE_NAME if path.is_dir() else path


def write_text_atomic(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, REPORT_FILE_MODE)  # mkstemp makes 0600; a report is for reading
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_report(path: str | Path, *, formats: Iterable[str] = FORMATS, out_dir: Path | None = None,
                 plan_path: Path | None = None) -> WrittenReport:
    """Load and validate the result at `path` (a result file or a run directory), then write the
    requested formats into `out_dir` (default: the result's directory). Raises ResultFileError
    (naming the file) for a result that cannot be read."""
    wanted = set(formats)
    unknown = wanted - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown report format(s) {sorted(unknown)}; known: {', '.join(FORMATS)}")
    source = result_file(Path(path))
    result = load_result(source)
    target_dir = out_dir or source.parent
    html_path = markdown_path = None
    notes: list[str] = []
    if "html" in wanted:
        targets = plan_targets(result, plan_path=plan_path)
        charts, left_out = build_charts(result, targets.curves)
        notes = [*left_out, *([targets.note] if targets.note else [])]
        html_path = write_text_atomic(target_dir / HTML_FILE_NAME, render_html(result, charts, notes=notes))
    if "md" in wanted:
        link = HTML_FILE_NAME if html_path is not None or (target_dir / HTML_FILE_NAME).exists() else None
        markdown_path = write_text_atomic(target_dir / MARKDOWN_FILE_NAME,
                                          render_markdown(result, html_name=link, notes=notes))
    return WrittenReport(result=result, result_path=source, html=html_path, markdown=markdown_path)
