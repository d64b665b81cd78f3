import redis

from harness.samplers.collector import SampleCollector
from harness.samplers.redis_info import pick_fields, policy_warning


def test_unreachable_sources_are_noted_once_and_not_fatal():
    def scrape(url):
        raise OSError("connection refused")

    def read_redis(url):
        raise redis.ConnectionError("refused")

    collector = SampleCollector(prometheus_urls=["http://127.0.0.1:9/metrics"], redis_url="redis://:secret@127.0.0.1:9/0",
                                interval_s=1.0, scrape=scrape, read_redis=read_redis)
    for t in range(3):
        collector.sample_once(float(t))
    result = collector.result()
    assert result.prometheus == [] and result.redis == []
    assert len(result.notes) == 2
    assert "secret" not in " ".join(result.notes) and "redis://***@127.0.0.1:9/0" in result.notes[1]


def test_samples_are_kept_and_eviction_policy_is_flagged():
    info = {"used_memory": 1024, "used_memory_rss": 4096, "maxmemory": 0, "maxmemory_policy": "allkeys-lru",
            "connected_clients": 3, "evicted_keys": 0, "role": "master"}
    collector = SampleCollector(prometheus_urls=["http://x/metrics", "http://x/metrics"], redis_url="redis://127.0.0.1:1",
                                interval_s=2.0, scrape=lambda url: {"up": 1.0}, read_redis=lambda url: pick_fields(info))
    collector.sample_once(0.0)
    collector.sample_once(2.0)
    result = collector.result()
    assert [s.t_s for s in result.prometheus] == [0.0, 2.0]  # the duplicate URL is sampled once
    assert result.redis[1].used_memory == 1024 and result.redis[1].maxmemory_policy == "allkeys-lru"
    assert len(result.notes) == 1 and "noeviction" in result.notes[0]
    assert policy_warning("noeviction") is None
