"""Every executor, under its k6 name. An unknown name is an error that repeats the name."""

from __future__ import annotations

from types import MappingProxyType

from harness.executors import (
    constant_arrival_rate,
    constant_vus,
    per_vu_iterations,
    ramping_arrival_rate,
    ramping_vus,
    shared_iterations,
)
from harness.executors.base import ExecutorType

EXECUTORS: MappingProxyType[str, ExecutorType] = MappingProxyType(
    {
        module.EXECUTOR.name: module.EXECUTOR
        for module in (
            constant_arrival_rate,
            ramping_arrival_rate,
            shared_iterations,
            per_vu_iterations,
            constant_vus,
            ramping_vus,
        )
    }
)


class UnknownExecutorError(KeyError):
    def __init__(self, name: object) -> None:
        self.name = name
        known = ", ".join(sorted(EXECUTORS))
        super().__init__(f"{name!r} is not a known executor (known: {known})")

    def __str__(self) -> str:
        return str(self.args[0])


def executor_type(name: object) -> ExecutorType:
    if not isinstance(name, str) or name not in EXECUTORS:
        raise UnknownExecutorError(name)
    return EXECUTORS[name]
