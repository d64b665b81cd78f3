"""The load engine: k6 executors on Locust users, driven as a library.

Importing this package is cheap and does not import Locust (which monkey-patches the process
with gevent). The names below are loaded on first use:

- `VirtualUser`: the Locust user behind each k6 VU (`vu.client`, `vu.credentials`,
  `vu.metrics`, `vu.check`).
- `locust_user(behaviour)`: a plain Locust `FastHttpUser` class wrapping a behaviour function, so
  `locust -f scenarios/baseline.py` opens Locust's web UI with the same behaviours.
"""

from __future__ import annotations

from typing import Any

__all__ = ["VirtualUser", "locust_user"]

_LAZY = {
    "VirtualUser": ("harness.engine.vu", "VirtualUser"),
    "locust_user": ("harness.engine.locust_adapter", "locust_user"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'harness.engine' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    return getattr(importlib.import_module(module_name), attr)
