"""One renderer per output format, registered under the name `--format` takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.costs.render.csv_report import render_csv
from harness.costs.render.html_report import render_html
from harness.costs.render.json_report import render_json
from harness.costs.render.markdown import render_markdown
from harness.costs.render.xlsx import render_xlsx
from harness.costs.report import CostReport


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    render: Callable[[CostReport], bytes]


def _text(render: Callable[[CostReport], str]) -> Callable[[CostReport], bytes]:
    return lambda report: render(report).encode("utf-8")


FORMATS: dict[str, Format] = {
    "html": Format("html", ".html", _text(render_html)),
    "md": Format("md", ".md", _text(render_markdown)),
    "csv": Format("csv", ".csv", _text(render_csv)),
    "xlsx": Format("xlsx", ".xlsx", render_xlsx),
    "json": Format("json", ".json", _text(render_json)),
}

__all__ = ["FORMATS", "Format"]
