"""`bwperf cost ...`: the cost-tier report for finance.

Every bad input (missing file, bad YAML, unknown format, a run result that is invalid or gives no
projection, a --compare-to file that is not a cost report) is an `InputError`: one line on stderr
naming the file, and the exit code `harness.errors.exit_code_for` gives every command (2).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from harness.costs.compare import load_previous
from harness.costs.errors import CostError
from harness.errors import BwperfError, exit_code_for
from harness.costs.model import DEFAULT_MODEL_PATH, load_model
from harness.costs.report import build_report
from harness.costs.result_adapter import load_measurements

DEFAULT_OUT_DIR = Path("reports/costs")

app = typer.Typer(
    help="Cost-tier model (MVP / Growth / Scale / Enterprise) and finance reports.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    """Cost-tier model (MVP / Growth / Scale / Enterprise) and finance reports."""


@app.command("report")
def report_command(
    run: Annotated[
        Path | None,
        typer.Option(
            "--run", help="Run result (result.json, its run directory, or a k6 summary): adds the measured projection."
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=(
                "html, md, csv, xlsx or json (default: from --out's suffix, else html). csv is one tidy table:"
                " a row per line, tier and scenario (plan, each what-if, the run's projection)."
            ),
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (default: reports/costs/cost-report-<UTC time>.<format>).")
    ] = None,
    compare_to: Annotated[
        Path | None,
        typer.Option("--compare-to", help="An earlier JSON cost report: show what changed, per tier and line."),
    ] = None,
    model: Annotated[Path, typer.Option("--model", help="Cost model YAML.")] = DEFAULT_MODEL_PATH,
    swing_pct: Annotated[
        float | None,
        typer.Option("--swing-pct", help="Sensitivity swing in percent (default: the model's sensitivity.swing_pct)."),
    ] = None,
) -> None:
    """Write the cost-tier report: tiers, unit costs, what-ifs, sensitivity, and (with --run) projections."""
    from harness.costs.render import FORMATS  # plotly, pandas and xlsxwriter load only when a report is written

    try:
        chosen = _choose_format(fmt, out, known=list(FORMATS))
        if swing_pct is not None and not 0 < swing_pct < 100:
            raise CostError(f"--swing-pct must be between 0 and 100, but is {swing_pct:g}")
        cost_model = load_model(model)
        measurements = load_measurements(run) if run is not None else None
        previous = load_previous(compare_to) if compare_to is not None else None
        now = datetime.now(UTC)
        report = build_report(
            cost_model,
            model_path=str(model),
            measurements=measurements,
            previous=previous,
            previous_label=str(compare_to) if compare_to else "previous report",
            swing_pct=None if swing_pct is None else Decimal(repr(swing_pct)),
            generated_at=now,
        )
        spec = FORMATS[chosen]
        target = out or DEFAULT_OUT_DIR / f"cost-report-{now:%Y%m%dT%H%M%SZ}{spec.suffix}"
        _write(target, spec.render(report))
    except BwperfError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exit_code_for(exc)) from None
    typer.echo(str(target))
    if report.projection is not None and report.projection.measurements.from_emulator:
        typer.echo(f"note: {report.projection.title}.")


def _choose_format(fmt: str | None, out: Path | None, *, known: list[str]) -> str:
    if fmt is not None:
        name = fmt.lower()
        if name not in known:
            raise CostError(f"--format: unknown format {fmt!r} (expected one of {', '.join(known)})")
        return name
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    suffix = {"markdown": "md", "htm": "html"}.get(suffix, suffix)
    return suffix if suffix in known else "html"


def _write(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise CostError(f"{target}: cannot write the report: {exc.strerror or exc}") from None
