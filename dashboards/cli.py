"""`bwperf dashboard`: serve the operations dashboard (reads results; never starts load).

Bound to 127.0.0.1 unless `--host` says otherwise (the compose service passes 0.0.0.0 inside its
container). Dash is imported when the command runs, so `bwperf` starts without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_RESULTS = Path("reports")
DEFAULT_BASELINES = Path("baselines")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050


def dashboard_command(
    results: Annotated[Path, typer.Option("--results", help="Where runs land: <dir>/<run-id>/result.json.")] = DEFAULT_RESULTS,
    baselines: Annotated[Path, typer.Option("--baselines", help="The baseline store (current.json, history.jsonl).")] = DEFAULT_BASELINES,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = DEFAULT_PORT,
    host: Annotated[str, typer.Option("--host", help="Address to bind (0.0.0.0 exposes it to the network).")] = DEFAULT_HOST,
    poll_interval: Annotated[float, typer.Option("--poll-interval", min=0.2, help="Seconds between checks for new or changed runs.")] = 2.0,
) -> None:
    """Serve the Dash operations dashboard: runs, latency, guardrail, Redis, costs, comparisons."""
    from dashboards.app import create_app

    app = create_app(results, baselines, poll_interval_s=poll_interval)
    typer.echo(f"dashboard: http://{host}:{port}/ (results {results}/, baselines {baselines}/); Ctrl-C stops it")
    app.run(host=host, port=port, debug=False)
