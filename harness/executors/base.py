"""What every executor shares: the common k6 options, stages, the worker slice, and the
protocols a runtime uses to drive virtual users (so the engine supplies gevent, tests a fake).

An executor module defines a frozen config dataclass (parsed and validated from the plan, every
problem collected), a runtime class (runs the scenario on a `VuHost`), and an `ExecutorType`
named by its k6 executor name, which `registry.py` lists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.parsing.fields import Fields, join

DEFAULT_GRACEFUL_STOP_S = 30.0
DEFAULT_TIME_UNIT_S = 1.0
DEFAULT_MAX_DURATION_S = 600.0
DEFAULT_GRACEFUL_RAMP_DOWN_S = 30.0
DEFAULT_EXEC = "default"

COMMON_KEYS = ("executor", "startTime", "gracefulStop", "exec", "tags")


@dataclass(frozen=True)
class CommonOptions:
    """The options every k6 scenario has (k6's BaseConfig)."""

    name: str
    executor: str
    start_time_s: float = 0.0
    graceful_stop_s: float = DEFAULT_GRACEFUL_STOP_S
    exec_name: str = DEFAULT_EXEC
    tags: dict[str, str] = field(default_factory=dict)


def read_common(name: str, fields: Fields) -> CommonOptions:
    return CommonOptions(
        name=name,
        executor=str(fields.get_raw("executor")),
        start_time_s=fields.duration_s("startTime", default=0.0) or 0.0,
        graceful_stop_s=fields.duration_s("gracefulStop", default=DEFAULT_GRACEFUL_STOP_S),
        exec_name=fields.string("exec", default=DEFAULT_EXEC) or DEFAULT_EXEC,
        tags=fields.string_map("tags"),
    )


@dataclass(frozen=True)
class Stage:
    duration_s: float
    target: float


def read_stages(fields: Fields, *, integer_target: bool) -> tuple[Stage, ...]:
    """`stages: [{duration: 30s, target: 10}, ...]`; stages are counted from 1 in messages."""
    raw_stages = fields.sequence("stages", required=True)
    if fields.has("stages") and not raw_stages and isinstance(fields.get_raw("stages"), list):
        fields.problems.add(fields.key_path("stages"), "must have at least one stage, but has none")
    stages: list[Stage] = []
    for number, raw in enumerate(raw_stages, start=1):
        stage_fields = Fields(raw, join(fields.key_path("stages"), number), fields.problems)
        if not stage_fields.valid:
            continue
        stage_fields.reject_unknown(("duration", "target"))
        duration_s = stage_fields.duration_s("duration", required=True)
        target = stage_fields.number("target", required=True, integer=integer_target, ge=0)
        if duration_s is not None and target is not None:
            stages.append(Stage(duration_s=duration_s, target=target))
    return tuple(stages)


def scale_stages(stages: tuple[Stage, ...], duration_scale: float) -> tuple[Stage, ...]:
    return tuple(dataclasses.replace(s, duration_s=s.duration_s * duration_scale) for s in stages)


@dataclass(frozen=True)
class WorkerSlice:
    """This process's share of a scenario: worker `index` of `count`.

    The rule that makes N workers' merged schedule equal the one-process schedule: of a scenario
    that can use at most C VUs, only W = min(count, C) workers take part; worker k < W takes the
    iterations and VUs whose global index i satisfies i % W == k.
    """

    index: int = 0
    count: int = 1

    def active_workers(self, capacity_vus: int) -> int:
        return max(1, min(self.count, capacity_vus))

    def owns(self, global_index: int, *, capacity_vus: int) -> bool:
        workers = self.active_workers(capacity_vus)
        return self.index < workers and global_index % workers == self.index

    def share(self, total: int, *, capacity_vus: int) -> int:
        """How many of the indices 0..total-1 this worker owns."""
        workers = self.active_workers(capacity_vus)
        if self.index >= workers:
            return 0
        return len(range(self.index, total, workers))


LOCAL = WorkerSlice()


@dataclass(frozen=True)
class Ticket:
    """Permission for one iteration of a scenario, scheduled at `scheduled_s` on the clock
    (None for executors that loop without a schedule)."""

    scenario: str
    index: int
    scheduled_s: float | None


class Clock(Protocol):
    def now_s(self) -> float: ...

    def sleep_until(self, deadline_s: float) -> None: ...


class VuHost(Protocol):
    """What a runtime needs from the engine to run one scenario's VUs."""

    clock: Clock

    def start_pooled_vu(self) -> bool:
        """Start one more VU that waits for tickets; False if none could be started."""

    def try_hand(self, ticket: Ticket) -> bool:
        """Give the ticket to an idle pooled VU at once; False if none is idle (or tickets queue)."""

    def enqueue(self, ticket: Ticket, *, limit: int) -> bool:
        """Queue the ticket for the next free pooled VU, first in first out; False when `limit`
        tickets already wait. Tickets still queued when the scenario finishes count as dropped."""

    def start_looping_vu(self, *, vu_index: int, keep_going: Callable[[int], bool]) -> None:
        """Start a VU that runs iterations while `keep_going(iterations_done_by_this_vu)`."""

    def stop_looping_vus(self, *, vu_indices: list[int], grace_s: float) -> None:
        """Ask these looping VUs to stop after their current iteration (killed after grace_s)."""

    def record_drop(self, ticket: Ticket) -> None: ...

    def warn_once(self, key: str, message: str) -> None: ...

    def finish(self, *, deadline_s: float) -> None:
        """No new work: idle VUs leave; busy ones may finish until `deadline_s`, then are killed."""

    def stop_requested(self) -> bool: ...


class Runtime(Protocol):
    def run(self, host: VuHost, *, start_s: float) -> None:
        """Run the scenario from clock time `start_s` (its startTime already applied)."""


@dataclass(frozen=True)
class ExecutorType:
    """An executor as the registry knows it: its k6 name, its keys, how to read a config."""

    name: str
    keys: tuple[str, ...]
    read: Callable[[CommonOptions, Fields], Any]
    runtime: Callable[..., Runtime]

    def parse(self, name: str, fields: Fields) -> Any:
        fields.reject_unknown(COMMON_KEYS + self.keys)
        common = read_common(name, fields)
        return self.read(common, fields)


class ScenarioConfig(Protocol):
    common: CommonOptions

    @property
    def capacity_vus(self) -> int: ...

    @property
    def duration_s(self) -> float: ...

    def scaled(self, duration_scale: float) -> ScenarioConfig: ...

    def target_rate_per_s(self) -> float | None: ...

    def new_runtime(self, *, worker: WorkerSlice) -> Runtime: ...


def total_stage_duration_s(stages: tuple[Stage, ...]) -> float:
    return sum(stage.duration_s for stage in stages)
