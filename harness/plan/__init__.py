"""Plan files: k6 options in YAML or JSON, validated with every problem named.

`load_plan(path)` returns a `Plan`; `PlanError` (from `harness.errors`) lists problems as
"scenarios/baseline.yaml: scenarios.browse_problems.rate must be > 0, but is -5".
"""
