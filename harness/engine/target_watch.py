"""Notice a target that has stopped answering: every request of every scenario failing to
connect, window after window. k6 would run on to the end of the schedule; we stop the run early
with a reason, so a dead target reads as what it is rather than as a five-minute error storm."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.metrics.aggregate import SeriesPoint

CONNECTION = "connection"


@dataclass
class TargetWatch:
    window_s: float
    down_after_s: float  # the plan's target.stopWhenUnreachableFor; 0: never
    _down_since_s: float | None = field(default=None, repr=False)
    _down_for_s: float = field(default=0.0, repr=False)

    def observe(self, points: Iterable[SeriesPoint]) -> str | None:
        """Feed closed windows (in order); returns the reason once the target counts as down."""
        by_window: dict[int, list[SeriesPoint]] = defaultdict(list)
        for point in points:
            by_window[point.index].append(point)
        for index in sorted(by_window):
            window = by_window[index]
            requests = sum(p.requests for p in window)
            refused = sum(p.failures.get(CONNECTION, 0) for p in window)
            if requests == 0:
                continue  # nothing asked: no evidence either way
            if refused < requests:
                self._down_since_s, self._down_for_s = None, 0.0
                continue
            if self._down_since_s is None:
                self._down_since_s = window[0].t_s
            self._down_for_s += self.window_s
            if self.down_after_s > 0 and self._down_for_s >= self.down_after_s:
                return (f"target unreachable: every request failed to connect for {self._down_for_s:.1f} s "
                        f"(since t={self._down_since_s:.1f} s)")
        return None
