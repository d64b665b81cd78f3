"""The platform's API as the scenarios use it: paths, request names and bodies, in one place.

Request names are what results, thresholds and reports call a request: the path with `:id` for
an identifier (so a threshold can filter on it: `http_req_duration{name:/api/v1/problems/:id}`),
plus a note when the same route serves two purposes.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

# Paths and bodies are the platform client's; the scenarios import them from here.
from harness.platform_client import (  # the behaviours import these from here ("X as X": re-exported)
    API,
    DOMAIN,
    HEARTBEAT_PATH,
    REGISTER_PATH,
)
from harness.platform_client import PROBLEMS_PATH as PROBLEMS_PATH
from harness.platform_client import evidence_path as evidence_path
from harness.platform_client import problem_path as problem_path
from harness.platform_client import registration_body as registration_body
from harness.platform_client import problem_body as titled_problem_body

# -- baseline (seed 8.1) -------------------------------------------------------------------------
BROWSE_PATH = f"{API}/problems?limit=20&domain={DOMAIN}"
NEARBY_PATH = f"{API}/missions/nearby?lat=37.7749&lng=-122.4194&radius=50&limit=10"

# -- key scenarios (seed 8.2) --------------------------------------------------------------------
# DB-bound: the widest radius and the largest page the API allows, so each query does real work.
HEAVY_NEARBY_PATH = f"{API}/missions/nearby?lat=37.7749&lng=-122.4194&radius=500&limit=100"

NAME_BROWSE = f"{API}/problems"
NAME_CREATE = f"{API}/problems"
NAME_VERDICT_POLL = f"{API}/problems/:id (verdict poll)"
NAME_REGISTER = REGISTER_PATH
NAME_NEARBY = f"{API}/missions/nearby"
NAME_HEAVY_NEARBY = f"{API}/missions/nearby (radius 500 km, 100 rows)"
NAME_MISSION_LOOKUP = f"{API}/missions/nearby (mission lookup)"
NAME_HEARTBEAT = HEARTBEAT_PATH
NAME_EVIDENCE = f"{API}/missions/:id/evidence"

PENDING_STATUS = "pending_review"


def unique_suffix() -> str:
    """Milliseconds and 24 random bits: unique across VUs, processes and machines in practice."""
    return f"{int(time.time() * 1000)}-{secrets.token_hex(3)}"


# Letters the guardrail cache's normalisation keeps as they are: it folds digits to '#' and hex
# runs to '<id>', so a title made unique by a timestamp or a hex id would share its fingerprint.
_TITLE_LETTERS = "ghijklmnopqrstuvwxyz"
TITLE_TOKEN_LENGTH = 12


def title_token() -> str:
    """A random word of g-z letters (20^12 of them): unique even after the verdict cache's
    normalisation, so every submission is evaluated, never answered from the cache."""
    return "".join(secrets.choice(_TITLE_LETTERS) for _ in range(TITLE_TOKEN_LENGTH))


def problem_body(title_suffix: str) -> dict[str, Any]:
    """The seed's problem body (8.1 `createProblem`, built by harness.platform_client). Give a
    `title_token()` as the suffix: the seed's `Date.now()` title normalises to one cache
    fingerprint, so after the first submission its run would measure the guardrail's verdict
    cache instead of the model."""
    return titled_problem_body(f"Load test problem {title_suffix}")


def json_body(response: Any) -> dict[str, Any]:
    """The response's JSON object, or {} when the body is not a JSON object."""
    try:
        value = response.json()
    except (ValueError, TypeError, AttributeError):
        return {}
    return value if isinstance(value, dict) else {}
