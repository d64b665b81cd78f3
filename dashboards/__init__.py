"""The operations dashboard (Dash, multi-page): runs, latency, guardrail, Redis, costs, comparisons.

    from dashboards.app import create_app
    create_app("reports", "baselines").run(host="127.0.0.1", port=8050)

It reads run results through `harness.results.load_result` and never starts load (DESIGN.md §2).
This package imports nothing at import time, so `bwperf` (which imports `dashboards.cli`) starts
without Dash.
"""
