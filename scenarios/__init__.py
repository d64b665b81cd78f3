"""The seed's baseline and key scenarios (DevOps plan 8.1-8.3) as plans for the load engine.

    baseline.yaml / baseline.py            the four baseline scenarios of 8.1, with 8.3's budgets
    key_scenarios.yaml / key_scenarios.py  the key scenarios of 8.2 that the baseline does not cover:
                                           evidence upload and concurrent heartbeats
    db_pool_saturation.yaml                8.2's database connection saturation (behaviour in
                                           key_scenarios.py; shrinks the embedded stack's pool)

Reusable parts (for `stress/` and other plans), none of which imports Locust:

    api.py          paths, request names, query strings and request bodies of the platform's API
    agents.py       which agent key a request carries (spread over the run's credential pool)
    guardrail.py    waiting for a guardrail verdict: bounded polling, the time to the verdict
    images.py       real PNG images of a chosen size, and multipart bodies for uploads
    metrics.py      the custom metrics (k6's `errors` Rate, `guardrail_latency` Trend, ...)

Run a plan with `bwperf run scenarios/baseline.yaml [--profile smoke|ci|full]`, or the same
behaviours under plain Locust with `locust -f scenarios/baseline.py --host URL`.
"""
