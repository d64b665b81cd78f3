"""The scenarios' custom metrics, declared once (a behaviour module imports the ones it records,
which is how the engine finds them: as module attributes).

`errors` is the seed's Rate, recorded on every iteration (True on a failed check): the seed's
`check(...) || errorRate.add(1)` adds only failures, so its rate is 0 % or 100 % and nothing between.
"""

from __future__ import annotations

from harness.metrics.custom import Counter, Rate, Trend

ERRORS = Rate("errors")
# Milliseconds from sending the POST until GET /problems/{id} shows a verdict (not the 202).
GUARDRAIL_LATENCY = Trend("guardrail_latency", time=True)  # ms, like k6 `new Trend(name, true)`
# Database saturation: a 503 is the platform refusing fairly when its pool is exhausted; any other
# 5xx is a failure to do so.
POOL_EXHAUSTED_503 = Counter("db_pool_exhausted_503")
SERVER_ERRORS_NOT_503 = Counter("server_errors_not_503")
