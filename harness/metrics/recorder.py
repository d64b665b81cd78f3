"""The producer side: records measurements into the window of the moment they happen.

Windows are indexed by `floor((t - run_start) / window_s)` of the completion time, so a window is
complete once the clock has passed its end; `take_closed(now)` hands those over (with the VU
gauges stamped) and forgets them, so memory stays bounded by the open windows.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from harness.metrics.accumulators import RateAccumulator, new_accumulator
from harness.metrics.failures import FailureClass
from harness.metrics.names import MAX_REQUEST_NAMES_PER_SCENARIO, OTHER_REQUEST_NAME, MetricKind
from harness.metrics.window import RequestWindow, Window

GaugeReader = Callable[[], dict[str, tuple[int, int]]]  # scenario -> (busy VUs, allocated VUs)


class Recorder:
    def __init__(self, *, run_start_s: float, window_s: float, clock: Callable[[], float]) -> None:
        self.run_start_s = run_start_s
        self.window_s = window_s
        self._clock = clock
        self._open: dict[int, Window] = {}
        self._names: dict[str, set[str]] = {}

    def window_index(self, at_s: float) -> int:
        return max(0, math.floor((at_s - self.run_start_s) / self.window_s))

    def _window(self) -> Window:
        index = self.window_index(self._clock())
        window = self._open.get(index)
        if window is None:
            window = self._open[index] = Window(index)
        return window

    def _request_name(self, scenario: str, name: str) -> str:
        name = name.split("?", 1)[0]
        seen = self._names.setdefault(scenario, set())
        if name in seen:
            return name
        if len(seen) >= MAX_REQUEST_NAMES_PER_SCENARIO:
            return OTHER_REQUEST_NAME
        seen.add(name)
        return name

    def record_request(
        self, *, scenario: str, method: str, name: str, duration_ms: float, failure: FailureClass | None
    ) -> None:
        window = self._window()
        key = (scenario, method, self._request_name(scenario, name))
        request = window.requests.get(key)
        if request is None:
            request = window.requests[key] = RequestWindow()
        request.duration.add(duration_ms)
        if failure is not None:
            request.failures[failure.value] += 1

    def record_iteration_start(self, *, scenario: str, lag_ms: float | None) -> None:
        window = self._window().scenario(scenario)
        window.iterations_started += 1
        if lag_ms is not None:
            window.lag.add(lag_ms)

    def record_iteration_end(self, *, scenario: str, duration_ms: float, error: bool,
                             scheduled_duration_ms: float | None = None) -> None:
        window = self._window().scenario(scenario)
        window.iterations_completed += 1
        window.iteration_duration.add(duration_ms)
        if scheduled_duration_ms is not None:
            window.scheduled.add(scheduled_duration_ms)
        if error:
            window.iteration_errors += 1

    def record_drop(self, *, scenario: str) -> None:
        self._window().scenario(scenario).dropped += 1

    def record_check(self, *, scenario: str, name: str, ok: bool) -> None:
        window = self._window().scenario(scenario)
        rate = window.checks.get(name)
        if rate is None:
            rate = window.checks[name] = RateAccumulator()
        rate.add(ok)

    def record_custom(self, *, scenario: str, metric: str, kind: MetricKind, value: float) -> None:
        window = self._window().scenario(scenario)
        entry = window.custom.get(metric)
        if entry is None:
            entry = window.custom[metric] = (kind, new_accumulator(kind))
        entry[1].add(value)  # type: ignore[arg-type]

    def take_closed(self, *, now_s: float, gauges: dict[str, tuple[int, int]]) -> tuple[list[Window], int]:
        """Windows that ended before `now_s`, oldest first, and the index closed through."""
        current = self.window_index(now_s)
        closed_through = current - 1
        windows = [self._open.pop(i) for i in sorted(self._open) if i <= closed_through]
        self._stamp(windows, closed_through, gauges)
        return windows, closed_through

    def take_all(self, *, gauges: dict[str, tuple[int, int]]) -> tuple[list[Window], int]:
        """Every open window (at the end of the run)."""
        windows = [self._open.pop(i) for i in sorted(self._open)]
        closed_through = max([w.index for w in windows] + [self.window_index(self._clock())])
        self._stamp(windows, closed_through, gauges)
        return windows, closed_through

    def _stamp(self, windows: list[Window], closed_through: int, gauges: dict[str, tuple[int, int]]) -> None:
        if not gauges or closed_through < 0:
            return
        if not windows or windows[-1].index != closed_through:
            windows.append(Window(closed_through))
        last = windows[-1]
        for scenario, (busy, allocated) in gauges.items():
            window = last.scenario(scenario)
            window.active_vus = busy
            window.allocated_vus = allocated
