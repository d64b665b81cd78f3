"""A fake clock and a fake VU host: VUs are busy for a fixed service time of fake seconds."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.executors.base import Ticket


@dataclass
class FakeClock:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def now_s(self) -> float:
        return self.now

    def sleep_until(self, deadline_s: float) -> None:
        self.sleeps.append(deadline_s)
        self.now = max(self.now, deadline_s)


@dataclass
class FakeHost:
    service_s: float
    clock: FakeClock = field(default_factory=FakeClock)
    busy_until: list[float] = field(default_factory=list)
    handed: list[Ticket] = field(default_factory=list)
    dropped: list[Ticket] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    finished_at: float | None = None
    deadline: float | None = None
    stop_after: int | None = None
    looping: list[int] = field(default_factory=list)
    stopped_looping: list[int] = field(default_factory=list)

    def start_pooled_vu(self) -> bool:
        self.busy_until.append(self.clock.now)
        return True

    def try_hand(self, ticket: Ticket) -> bool:
        for index, until in enumerate(self.busy_until):
            if until <= self.clock.now:
                self.busy_until[index] = self.clock.now + self.service_s
                self.handed.append(ticket)
                return True
        return False

    def record_drop(self, ticket: Ticket) -> None:
        self.dropped.append(ticket)

    def warn_once(self, key: str, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def start_looping_vu(self, *, vu_index, keep_going) -> None:
        self.looping.append(vu_index)

    def stop_looping_vus(self, *, vu_indices, grace_s) -> None:
        self.stopped_looping.extend(vu_indices)

    def finish(self, *, deadline_s: float) -> None:
        self.finished_at = self.clock.now
        self.deadline = deadline_s

    def stop_requested(self) -> bool:
        return self.stop_after is not None and len(self.handed) + len(self.dropped) >= self.stop_after
