"""The load-test harness: everything between a plan file and a verdict.

In layers, from the top (each package imports only packages of lower layers; `|` are independent
siblings; the contracts are in pyproject.toml and checked by tests/test_doors.py):

    gate
    engine | faults | tour
    report
    plan | baselines
    goals | compare | costs | insights | live
    health | samplers | executors | stack | credentials
    results | platform_client | thresholds | data
    errors | parsing | metrics | version | lifeline

The `bwperf` command that composes these (and the dashboard) lives outside, in `bwperf/`.
"""
