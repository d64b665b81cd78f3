"""Measurement health: was the machine fit to measure while the run ran?

    host.py        the kernel's cumulative counters (PSI, /proc/stat, load average) and the
                   conditions between two readings
    processes.py   CPU of process groups (the generator, the system under test)
    sampler.py     readings through a run: sample windows, the load phase, the verdict
    rules.py       the limits and the verdict (pure)
    generator.py   was the load generator, not the server, the bottleneck? (start lag, CPU, drops)
    text.py        the verdict in one line, for the summary, the report and the dashboard

    from harness.health import health_line
    print(health_line(result.health))

Names are loaded on first use (PEP 562): the engine's load processes import `generator` and
`host` without the result model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "health_line": "harness.health.text",
}

__all__ = ["health_line"]

if TYPE_CHECKING:
    from harness.health.text import health_line


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'harness.health' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
