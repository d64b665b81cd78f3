"""Live Prometheus metrics of a run, served by the engine process while the load runs.

    names.py      the exported metric names and the histogram bucket bounds
    buckets.py    cumulative Prometheus buckets read from an HdrHistogram (pure)
    collector.py  a prometheus-client Collector over the run's merged `Aggregator` (read at scrape
                  time: the per-request path does no extra work), the generator's CPU, host PSI
    server.py     the HTTP endpoint (gevent), and the wait for the final scrape
    address.py    the checks of `--metrics-host` / `--metrics-port` (loopback unless asked)

    from harness.live import check_metrics_address
    check_metrics_address(host="127.0.0.1", port=9464, expose=False)

Names are loaded on first use (PEP 562): `bwperf run` checks the address without importing gevent.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "LiveCollector": "harness.live.collector",
    "MetricsServer": "harness.live.server",
    "check_metrics_address": "harness.live.address",
    "METRIC_NAMES": "harness.live.names",
}

__all__ = ["METRIC_NAMES", "LiveCollector", "MetricsServer", "check_metrics_address"]

if TYPE_CHECKING:
    from harness.live.address import check_metrics_address
    from harness.live.collector import LiveCollector
    from harness.live.names import METRIC_NAMES
    from harness.live.server import MetricsServer


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'harness.live' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
