"""`bwperf`: the one command-line entry. It composes the sub-commands of each area.

This is the composition root: the only module that imports both the harness and the dashboard,
and the only one that may start both the harness and the platform under test; it starts the
platform by command (`python -m app ...`), never by importing it (DESIGN.md §2).
"""

from __future__ import annotations

import typer

main_app = typer.Typer(
    name="bwperf",
    help="BetterWorld performance lab: run the platform, load it, compare runs, report costs.",
    no_args_is_help=True,
    add_completion=False,
)

# Sub-command groups, one per area. Each area owns its `cli.py`; add one line here per area.
# -- sub-apps --
from harness.gate.cli import compare_command, gate_command  # noqa: E402
main_app.command("compare")(compare_command)
main_app.command("gate")(gate_command)
from harness.baselines.cli import app as baseline_app  # noqa: E402
main_app.add_typer(baseline_app, name="baseline")
from harness.engine.cli import run_command  # noqa: E402
main_app.command("run")(run_command)
from harness.report.cli import report_command  # noqa: E402
main_app.command("report")(report_command)
from harness.costs.cli import app as cost_app; main_app.add_typer(cost_app, name="cost")  # noqa: E402, E702
from harness.stack.cli import seed as seed_command, up as up_command  # noqa: E402

main_app.command("up")(up_command)
main_app.command("seed")(seed_command)
from harness.tour import tour as tour_command  # noqa: E402

main_app.command("tour")(tour_command)
from harness.faults.selftest import selftest_command; main_app.command("selftest")(selftest_command)  # noqa: E402, E702
from dashboards.cli import dashboard_command  # noqa: E402

main_app.command("dashboard")(dashboard_command)


def main() -> None:
    main_app()


if __name__ == "__main__":
    main()
