"""`bwperf gate`: the CI regression gate. Run the plan, compare it with the history, and when a
metric regressed or is inconclusive, run the plan once more and fail only on a regression both
runs show (`flow.py`; the two-run rule is `harness.compare.confirm`)."""
