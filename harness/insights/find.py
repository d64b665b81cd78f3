"""Every rule over one result, most severe first."""

from __future__ import annotations

from collections.abc import Callable

from harness.insights.errors import error_spikes
from harness.insights.guardrail import guardrail_behind
from harness.insights.iterations import every_iteration_raised
from harness.insights.load import dropped_iterations, throughput_limit
from harness.insights.machine import generator_saturated, host_busy
from harness.insights.model import SEVERITY_ORDER, Insight
from harness.results.model import RunResult

RULES: tuple[Callable[[RunResult], list[Insight]], ...] = (
    every_iteration_raised, throughput_limit, dropped_iterations, error_spikes, guardrail_behind, generator_saturated, host_busy)


def find_insights(result: RunResult) -> list[Insight]:
    """What the run's own figures say, most severe first (rule order within a severity)."""
    found = [insight for rule in RULES for insight in rule(result)]
    return sorted(found, key=lambda i: SEVERITY_ORDER[i.severity])
