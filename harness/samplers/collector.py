"""Samples the target's /metrics, extra Prometheus URLs and Redis INFO into the run result.

An unreachable source is noted once (in `notes`) and tried again at the next interval; it never
stops the run. `sample_once` blocks only for the scrape timeouts; the engine calls it from a
greenlet every `interval_s`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis

from harness.results.model import PrometheusSample, RedisSample, Samples
from harness.samplers import prometheus, redis_info

logger = logging.getLogger(__name__)


class SampleCollector:
    def __init__(
        self,
        *,
        prometheus_urls: list[str],
        redis_url: str | None,
        interval_s: float,
        scrape: Callable[[str], dict[str, float]] = prometheus.scrape,
        read_redis: Callable[[str], dict] = redis_info.read_info,
    ) -> None:
        self.prometheus_urls = list(dict.fromkeys(prometheus_urls))
        self.redis_url = redis_url
        self.interval_s = interval_s
        self._scrape = scrape
        self._read_redis = read_redis
        self.prometheus: list[PrometheusSample] = []
        self.redis: list[RedisSample] = []
        self.notes: list[str] = []
        self._noted: set[str] = set()

    def note_once(self, key: str, message: str) -> None:
        if key not in self._noted:
            self._noted.add(key)
            self.notes.append(message)
            logger.warning(message)

    def sample_once(self, t_s: float) -> None:
        for url in self.prometheus_urls:
            try:
                values = self._scrape(url)
            except (OSError, ValueError) as error:
                self.note_once(f"prom:{url}", f"Prometheus endpoint {url} not sampled: {error}")
                continue
            self.prometheus.append(PrometheusSample(t_s=round(t_s, 3), url=url, values=values))
        if self.redis_url:
            self._sample_redis(t_s)

    def _sample_redis(self, t_s: float) -> None:
        shown = _hide_password(self.redis_url or "")
        try:
            fields = self._read_redis(self.redis_url or "")
        except (redis.RedisError, OSError) as error:
            self.note_once("redis", f"Redis {shown} not sampled: {error}")
            return
        self.redis.append(RedisSample(t_s=round(t_s, 3), **fields))
        warning = redis_info.policy_warning(fields.get("maxmemory_policy"))
        if warning:
            self.note_once("redis-policy", warning)

    def result(self) -> Samples:
        return Samples(interval_s=self.interval_s, prometheus=self.prometheus, redis=self.redis, notes=self.notes)


def _hide_password(url: str) -> str:
    if "@" not in url or "//" not in url:
        return url
    scheme, rest = url.split("//", 1)
    credentials, host = rest.rsplit("@", 1)
    return f"{scheme}//***@{host}" if credentials else url
