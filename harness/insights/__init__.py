"""Insights: what a run's own figures say about it, as a person would read them (throughput limit
reached, error spike, generator saturated or host busy, guardrail falling behind, dropped
iterations with the VUs that would have been needed). Pure rules over a `RunResult`; the overview
and `report.html` show them."""
