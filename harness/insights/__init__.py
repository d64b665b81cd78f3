"""Insights: what a run's own figures say about it, as a person would read them (throughput limit
reached, every iteration raised, error spike, generator saturated or host busy, guardrail falling behind, dropped
iterations with the VUs that would have been needed). Pure rules over a `RunResult`; the overview
and `report.html` show them.

    from harness.insights import find_insights
    for insight in find_insights(result):
        print(insight.severity, insight.title)
"""

from harness.insights.find import RULES, find_insights
from harness.insights.iterations import RaisedIterations, raised_iterations
from harness.insights.model import Insight, Severity, span_text

__all__ = ["RULES", "Insight", "RaisedIterations", "Severity", "find_insights", "raised_iterations", "span_text"]
