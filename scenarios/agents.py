"""Which agent key a request carries.

The platform limits each agent key (60 requests/min, 20 content creations/min at its default
limits). The engine hands each VU one key, but arrival-rate executors give work to the most
recently idle VU, so a handful of VUs run most iterations and their keys would carry most of the
load. `agent_headers` instead takes the next key of the run's whole pool for every request, per
scenario, so each key carries (scenario rate) / (pool size): the pool size in a plan's
`setup.agents` is then a direct function of the plan's rates (see baseline.yaml).

Under plain Locust (no pool on the user) each user's own key is used.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

_NEXT_KEY: dict[str, Iterator[int]] = {}


def agent_headers(vu: Any) -> dict[str, str]:
    """`Authorization` for the next agent of the pool (round-robin within the VU's scenario)."""
    pool = getattr(vu, "credential_pool", ())
    if not pool:
        return vu.auth_headers()
    counter = _NEXT_KEY.setdefault(getattr(vu, "scenario", ""), itertools.count())
    return pool[next(counter) % len(pool)].auth_headers()
