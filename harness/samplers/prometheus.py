"""Scraping a Prometheus text endpoint (the target's /metrics) into flat samples."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from harness.results.samples import parse_series

from harness.platform_client import PlatformClient, origin_and_path

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
    """Raises harness.platform_client.PlatformError (unreachable, timed out, not 200: an OSError
    and a TargetError) or ValueError (not Prometheus text)."""
    origin, path = origin_and_path(url)
    with PlatformClient(origin, connect_timeout_s=timeout_s, read_timeout_s=timeout_s) as client:
        reply = client.metrics(path=path).expect(200)
    return parse_metrics_text(reply.text)


def request_count(values: dict[str, float], *, path: str | None = None) -> float | None:
    """The server's own request count: `http_requests_total` summed (optionally for one path
    label), else the `_count` of a request-duration histogram. None when neither is exposed."""
    for prefix in ("http_requests_total", "http_request_duration_seconds_count"):
        total = None
        for key, value in values.items():
            name, labels = parse_series(key)
            if name != prefix or (path is not None and path not in labels.values()):
                continue
            total = (total or 0.0) + value
        if total is not None:
            return total
    return None
