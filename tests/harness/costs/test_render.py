"""Every format opens and shows the figures: HTML parsed, XLSX read back, CSV and JSON parsed."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from harness.costs.render import FORMATS
from harness.costs.report import CostReport
from harness.costs.tidy import COLUMNS, PLAN, what_if_label

D = Decimal
TOTALS = {"MVP": D("64.80"), "Growth": D("329"), "Scale": D("1917"), "Enterprise": D("12850")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.script_srcs: list[str] = []
        self.inline_script_sizes: list[int] = []
        self.link_hrefs: list[str] = []
        self.chart_ids: list[str] = []
        self.section_ids: list[str] = []
        self.tables = 0
        self.tables_in_wraps = 0
        self.viewport = ""
        self._open_divs: list[bool] = []  # per open <div>: is it a .table-wrap
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self._in_script = True
            if a.get("src"):
                self.script_srcs.append(a["src"] or "")
            self.inline_script_sizes.append(0)
        elif tag == "link" and a.get("href"):
            self.link_hrefs.append(a["href"] or "")
        elif tag == "div" and "plotly-graph-div" in (a.get("class") or ""):
            self.chart_ids.append(a.get("id") or "")
        elif tag == "h2" and a.get("id"):
            self.section_ids.append(a["id"] or "")
        elif tag == "table":
            self.tables += 1
            self.tables_in_wraps += bool(self._open_divs and self._open_divs[-1])
        elif tag == "meta" and a.get("name") == "viewport":
            self.viewport = a.get("content") or ""
        if tag == "div":
            self._open_divs.append("table-wrap" in (a.get("class") or "").split())

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        elif tag == "div" and self._open_divs:
            self._open_divs.pop()

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_script_sizes[-1] += len(data)


@pytest.fixture(scope="module")
def html_page(report: CostReport) -> tuple[str, _Page]:
    text = FORMATS["html"].render(report).decode("utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    return text, page


def test_html_is_self_contained(html_page: tuple[str, _Page]) -> None:
    _, page = html_page
    assert page.script_srcs == []  # no <script src=...> at all, so no CDN
    assert not [h for h in page.link_hrefs if h.startswith(("http", "//"))]
    big = [size for size in page.inline_script_sizes if size > 1_000_000]
    assert len(big) == 1  # plotly.js inlined exactly once


def test_html_has_every_chart_and_section(html_page: tuple[str, _Page]) -> None:
    text, page = html_page
    assert set(page.chart_ids) == {
        "chart-tiers",
        "chart-units",
        "chart-projection",
        "chart-whatifs",
        "chart-tornado-mvp",
        "chart-tornado-growth",
        "chart-tornado-scale",
        "chart-tornado-enterprise",
    }
    assert page.section_ids == [
        "findings",
        "tiers",
        "units",
        "projection",
        "whatifs",
        "sensitivity",
        "lines",
        "assumptions",
    ]
    assert page.tables >= 10
    for total in ("$64.80", "$329.00", "$1,917.00", "$12,850.00"):
        assert total in text
    assert "under-provisioned" in text and "run-42 (laptop)" in text


def test_markdown(report: CostReport) -> None:
    text = FORMATS["md"].render(report).decode("utf-8")
    assert text.startswith("# BetterWorld cost-tier report")
    row = next(line for line in text.splitlines() if line.startswith("| Scale | seed tables"))
    assert "| $637.00 | $1,280.00 | $1,917.00 | $1,917.00 | $0.00 |" in row
    assert "| Enterprise | $0.1285 | $0.0257 | $0.0785 | $1.3500 | $5,000.00 | $7,850.00 | 38.9 % |" in text
    assert "Enterprise API: under-provisioned (plan 24, measured need 39)." in text


def test_csv_is_one_tidy_table_pandas_reads_as_is(report: CostReport, tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_bytes(FORMATS["csv"].render(report))
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(COLUMNS)
    assert {"tier", "line", "quantity", "unit", "unit price (USD)", "monthly cost (USD)", "source"} <= set(frame)
    for column in ("quantity", "unit price (USD)", "monthly cost (USD)"):
        assert pd.api.types.is_float_dtype(frame[column]), column
    plan = frame[frame["scenario"] == PLAN].groupby("tier", sort=False)["monthly cost (USD)"].sum()
    assert plan.round(6).to_dict() == {tier: float(total) for tier, total in TOTALS.items()}
    assert len(frame[frame["scenario"] == PLAN]) == sum(len(c.lines) for c in report.tiers)


def test_csv_what_ifs_and_projection_sum_to_their_totals(report: CostReport) -> None:
    frame = pd.read_csv(io.StringIO(FORMATS["csv"].render(report).decode("utf-8")))
    sums = frame.groupby(["scenario", "tier"])["monthly cost (USD)"].sum()
    for result in report.scenarios:
        assert sums[(what_if_label(result.scenario_name), result.tier_name)] == pytest.approx(
            float(result.total_usd_month), abs=1e-6
        )
    assert report.projection is not None
    for tier in report.projection.tiers:
        assert sums[(report.projection.title, tier.tier_name)] == pytest.approx(
            float(tier.projected_total_usd_month), abs=1e-6
        )
    guard = frame[(frame["scenario"] == PLAN) & (frame["tier"] == "Enterprise") & (frame["line"] == "Guardrail evaluation")]
    assert guard[["quantity", "unit price (USD)", "monthly cost (USD)"]].values.tolist() == [[1350000.0, 0.003, 4050.0]]


def test_json_has_the_infracost_shape(report: CostReport) -> None:
    doc = json.loads(FORMATS["json"].render(report))
    assert doc["kind"] == "bwperf.cost-report" and doc["currency"] == "USD"
    assert D(doc["totalMonthlyCost"]) == sum(TOTALS.values())
    assert [p["name"] for p in doc["projects"]] == list(TOTALS)
    for project in doc["projects"]:
        resources = project["breakdown"]["resources"]
        assert sum(D(r["monthlyCost"]) for r in resources) == D(project["breakdown"]["totalMonthlyCost"])
        assert D(project["breakdown"]["totalMonthlyCost"]) == TOTALS[project["name"]]
        for resource in resources:
            assert {"name", "monthlyCost", "costComponents"} <= set(resource)
            for c in resource["costComponents"]:
                assert set(c) == {"name", "unit", "price", "monthlyQuantity", "monthlyCost"}
                assert D(c["price"]) * D(c["monthlyQuantity"]) == D(c["monthlyCost"])
    enterprise = doc["projects"][3]["breakdown"]["resources"]
    guard = next(r for r in enterprise if r["name"] == "ai.guardrail_evaluation")["costComponents"][0]
    assert (guard["unit"], guard["price"], guard["monthlyQuantity"], guard["monthlyCost"]) == (
        "calls",
        "0.003",
        "1350000",
        "4050.00",
    )
    assert doc["projection"]["tiers"][3]["api"]["status"] == "under-provisioned"


def test_html_reads_on_a_phone(html_page: tuple[str, _Page]) -> None:
    """Each table scrolls sideways in its own box and the page declares the device's width (the layout
    itself is measured in Chromium at 390 and 1440 px by tests/dashboards/test_layout.py)."""
    text, page = html_page
    assert page.tables > 5 and page.tables_in_wraps == page.tables
    assert page.viewport == "width=device-width, initial-scale=1"
    assert "@media (max-width: 700px)" in text


def test_html_figures_stack_subplots_and_show_whole_tier_names(report: CostReport) -> None:
    from harness.costs.charts import tier_stack_figure, unit_costs_figure
    from harness.costs.figure_layout import for_any_width

    names = [u.tier_name for u in report.unit_economics]
    for fig in (for_any_width(tier_stack_figure(report)), for_any_width(unit_costs_figure(report))):
        x_axes = [fig.layout[k] for k in fig.layout if k.startswith("xaxis")]
        y_axes = [fig.layout[k] for k in fig.layout if k.startswith("yaxis")]
        assert len(x_axes) >= 2 and all(tuple(a.domain) == (0.0, 1.0) for a in x_axes)  # one per row, full width
        tops = sorted(a.domain[1] for a in y_axes)
        assert all(low < high for low, high in zip(tops, tops[1:]))
        for axis in x_axes:
            assert axis.tickangle == 0 and axis.automargin is True
            assert [t.replace("<br>", " ").removesuffix(" (projected)") for t in axis.ticktext] == names
        assert fig.layout.legend.yref == "container"
