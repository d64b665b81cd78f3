"""Scraping a Prometheus text endpoint (the target's /metrics) into flat samples."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

SCRAPE_TIMEOUT_S = 3.0


def series_key(name: str, labels: dict[str, str]) -> str:
    if not labels:
        return name
    inner = ",".join(f'{key}="{labels[key]}"' for key in sorted(labels))
    return f"{name}{{{inner}}}"


def parse_metrics_text(text: str) -> dict[str, float]:
    """Every sample of a Prometheus exposition, as `name{label="v",...}` -> value."""
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[series_key(sample.name, dict(sample.labels))] = float(sample.value)
    return values


def scrape(url: str, *, timeout_s: float = SCRAPE_TIMEOUT_S) -> dict[str, float]:
    """Raises OSError (unreachable) or ValueError (not Prometheus text)."""
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        text = response.read().decode("utf-8", errors="replace")
    return parse_metrics_text(text)


def request_count(values: dict[str, float], *, path: str | None = None) -> float | None:
    """The server's own request count: `http_requests_total` summed (optionally for one path
    label), else the `_count` of a request-duration histogram. None when neither is exposed."""
    for prefix in ("http_requests_total", "http_request_duration_seconds_count"):
        total = None
        for key, value in values.items():
            name, _, labels = key.partition("{")
            if name != prefix:
                continue
            if path is not None and f'="{path}"' not in labels:
                continue
            total = (total or 0.0) + value
        if total is not None:
            return total
    return None
