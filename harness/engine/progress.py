"""Live progress per scenario: iterations/s, p95, errors, drops, VUs (rich on a terminal,
a plain line every few seconds otherwise)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.console import Console
from rich.live import Live
from rich.table import Table

from harness.metrics.aggregate import SeriesPoint

PLAIN_EVERY_S = 5.0


@dataclass
class _Row:
    rate: float = 0.0
    p95_ms: float | None = None
    requests: int = 0
    errors: int = 0
    drops: int = 0
    vus: int = 0


@dataclass
class Progress:
    scenarios: list[str]
    duration_s: float
    quiet: bool = False
    console: Console = field(default_factory=lambda: Console(stderr=True))
    _rows: dict[str, _Row] = field(default_factory=dict)
    _live: Live | None = None
    _last_plain_s: float = 0.0
    _elapsed_s: float = 0.0

    def start(self) -> None:
        self._rows = {name: _Row() for name in self.scenarios}
        if not self.quiet and self.console.is_terminal:
            self._live = Live(self._table(), console=self.console, refresh_per_second=2, transient=False)
            self._live.start()

    def update(self, points: list[SeriesPoint], *, elapsed_s: float) -> None:
        self._elapsed_s = elapsed_s
        for point in points:
            row = self._rows.setdefault(point.scenario, _Row())
            row.rate = point.iterations_per_s
            row.p95_ms = point.p95_ms
            row.requests += point.requests
            row.errors += sum(point.failures.values())
            row.drops += point.dropped
            row.vus = point.allocated_vus
        if self._live is not None:
            self._live.update(self._table())
        elif not self.quiet and time.monotonic() - self._last_plain_s >= PLAIN_EVERY_S:
            self._last_plain_s = time.monotonic()
            self.console.print(self._plain(), highlight=False)

    def message(self, text: str) -> None:
        if not self.quiet:
            self.console.print(text, highlight=False)

    def stop(self) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.stop()
            self._live = None

    def _plain(self) -> str:
        parts = [f"[{self._elapsed_s:6.1f}s/{self.duration_s:.0f}s]"]
        for name, r in self._rows.items():
            p95 = f"{r.p95_ms:.1f}ms" if r.p95_ms is not None else "-"
            parts.append(f"{name}: {r.rate:.1f} it/s p95 {p95} err {r.errors} drop {r.drops} vus {r.vus}")
        return " | ".join(parts)

    def _table(self) -> Table:
        table = Table(title=f"bwperf run  {self._elapsed_s:.0f}s / {self.duration_s:.0f}s", expand=False)
        for column in ("scenario", "iter/s", "p95 ms", "requests", "errors", "dropped", "VUs"):
            table.add_column(column, justify="left" if column == "scenario" else "right")
        for name, r in self._rows.items():
            table.add_row(name, f"{r.rate:.1f}", f"{r.p95_ms:.1f}" if r.p95_ms is not None else "-",
                          str(r.requests), str(r.errors), str(r.drops), str(r.vus))
        return table
