"""A real run result (a 6-second run of scenarios/baseline.yaml against the embedded stack,
recorded by `bwperf run`) for the report's tests, the same result with a measurement health
(clean, or degraded by a busy neighbour; the recorded one predates health), and a small HTML
inspector."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.results import load_result
from harness.results.model import RunResult
from tests.dashboards.run_factory import build_health

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASELINE_RESULT = FIXTURES / "baseline_result.json"
HEALTH_WINDOW_S = 2.0  # the recorded run's sample interval
BUSY_WINDOW = 1  # the degraded result's neighbour ran in its second window (2-4 s)


@pytest.fixture
def baseline_result() -> RunResult:
    return load_result(BASELINE_RESULT)


def with_health(result: RunResult, *, busy_windows: tuple[int, ...]) -> RunResult:
    """The result with three sample windows of host conditions, a neighbour busy in `busy_windows`."""
    health = build_health(duration_s=3 * HEALTH_WINDOW_S, window_s=HEALTH_WINDOW_S, busy_windows=busy_windows,
                          neighbour_cores=1.2)
    return result.model_copy(update={"health": health})


@pytest.fixture
def clean_result(baseline_result: RunResult) -> RunResult:
    return with_health(baseline_result, busy_windows=())


@pytest.fixture
def degraded_result(baseline_result: RunResult) -> RunResult:
    return with_health(baseline_result, busy_windows=(BUSY_WINDOW,))


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A run directory holding a copy of the recorded result."""
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(BASELINE_RESULT, folder / "result.json")
    return folder


@dataclass
class PageFacts:
    """What an HTML page is made of, as a parser sees it."""

    ids: set[str] = field(default_factory=set)
    urls: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    scripts: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    meta: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


class _Inspector(HTMLParser):
    URL_ATTRIBUTES = ("src", "href", "action", "data", "poster", "srcset", "formaction")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.facts.tags.append(tag)
        if "id" in values:
            self.facts.ids.add(values["id"])
        for name in self.URL_ATTRIBUTES:
            if name in values:
                self.facts.urls.append((tag, name, values[name]))
        if tag == "meta":
            self.facts.meta.append(values)
        if tag in ("script", "style"):
            self._in = tag
            (self.facts.scripts if tag == "script" else self.facts.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.facts.scripts[-1] += data
        elif self._in == "style":
            self.facts.styles[-1] += data


def inspect_html(text: str) -> PageFacts:
    parser = _Inspector()
    parser.feed(text)
    parser.close()
    return parser.facts


LONG_DETAIL = ("peak 1,204 jobs at 41.5 s; drained to 12 by 63 s; the worker kept 4 consumers busy, 2 reclaimed jobs, "
               "oldest pending 18.2 s; stream http://127.0.0.1:6379/0 guardrail:jobs, dead-letter guardrail:jobs:dead")


@pytest.fixture
def stress_result(degraded_result: RunResult) -> RunResult:
    return stress_like(degraded_result)


def stress_like(degraded_result: RunResult) -> RunResult:
    """A stress-like result: goals with long cells (the 1,801 px table of issue 16), a degraded
    measurement, and a scenario that dropped iterations (an insight)."""
    from harness.results.model import GoalOutcome, GoalsVerdict, UnaccountedItem

    goals = GoalsVerdict(
        outcomes=[GoalOutcome(name="all jobs processed within 18 s of the load's end", kind="queue_drained",
                              status="fail", observed="12 jobs left at 23 s after the load's end (1,204 at peak)",
                              limit="queue_length == 0 and pending == 0 within 18 s of the load's end",
                              detail=LONG_DETAIL),
                  GoalOutcome(name="job broker cannot evict queued jobs", kind="redis_policy", status="warn",
                              observed="allkeys-lru", limit="noeviction (a queue must not be evicted)",
                              detail=LONG_DETAIL),
                  GoalOutcome(name="worker RSS bounded", kind="memory_growth", status="pass",
                              observed="80.0 -> 81.0 MiB (x1.01)", limit="last <= 1.5 x first, no restart")],
        unaccounted=[UnaccountedItem(kind="job", id="1712345678901-0", reason="dead-lettered after 3 attempts")],
        unaccounted_total=3)
    name, stats = next(iter(degraded_result.scenarios.items()))
    dropping = stats.model_copy(update={"dropped_iterations": 40})
    return degraded_result.model_copy(update={"goals": goals,
                                              "scenarios": {**degraded_result.scenarios, name: dropping}})
