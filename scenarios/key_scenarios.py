"""The key scenarios of the seed (8.2) that the baseline does not already cover:

    evidence_upload     #4  10 concurrent uploads of a real 5 MB image, each under 5 s
    agent_heartbeats    #6  100 agents checking in within one minute (shared-iterations)
    db_saturation       #7  100 concurrent DB-bound queries: the pool saturates, the API answers
                            503 (never another 5xx) and the pool's waiting/timeouts show in the
                            result's /metrics samples

(#1 registration burst, #2 browsing, #3 geo-search and #5 guardrail throughput are baseline.py.)
"""

from __future__ import annotations

import secrets
from typing import Any

from scenarios.agents import agent_headers
from scenarios.api import (
    HEARTBEAT_PATH,
    HEAVY_NEARBY_PATH,
    NAME_EVIDENCE,
    NAME_HEARTBEAT,
    NAME_HEAVY_NEARBY,
    NAME_MISSION_LOOKUP,
    NEARBY_PATH,
    evidence_path,
    json_body,
)
from scenarios.images import multipart_content_type, multipart_file_body, png_of_size
from scenarios.metrics import ERRORS, POOL_EXHAUSTED_503, SERVER_ERRORS_NOT_503

EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_FILENAME = "evidence.png"
EVIDENCE_TYPE = "image/png"
LOCUST_AGENTS_PER_CLASS = 5
LOCUST_ITERATIONS_PER_USER_PER_S = 1.0


class _Upload:
    """One VU's upload: its image (generated once per VU) as a ready multipart body."""

    def __init__(self, *, seed: int) -> None:
        self.boundary = f"bwperf-{secrets.token_hex(12)}"
        image = png_of_size(EVIDENCE_BYTES, seed=seed)
        self.body = multipart_file_body(image, filename=EVIDENCE_FILENAME, content_type=EVIDENCE_TYPE,
                                        boundary=self.boundary)
        self.mission_id: int | None = None


def _upload_of(vu: Any) -> _Upload:
    upload = getattr(vu, "evidence_upload", None)
    if upload is None:
        upload = _Upload(seed=getattr(vu, "vu_id", 0))
        vu.evidence_upload = upload
    return upload


def _find_mission(vu: Any, headers: dict[str, str]) -> int | None:
    response = vu.client.get(NEARBY_PATH, headers=headers, name=NAME_MISSION_LOOKUP)
    rows = json_body(response).get("data") or []
    mission_id = rows[0].get("id") if rows and isinstance(rows[0], dict) else None
    return mission_id if isinstance(mission_id, int) else None


def upload_evidence(vu: Any) -> None:
    """Upload this VU's 5 MB PNG as evidence for a mission near San Francisco."""
    upload = _upload_of(vu)
    headers = agent_headers(vu)
    if upload.mission_id is None:
        upload.mission_id = _find_mission(vu, headers)
    if not vu.check("a mission to attach evidence to", upload.mission_id is not None):
        vu.metrics.add(ERRORS, True)
        return
    response = vu.client.post(
        evidence_path(upload.mission_id), data=upload.body, name=NAME_EVIDENCE,
        headers={**headers, "Content-Type": multipart_content_type(upload.boundary)},
    )
    ok = vu.check("status is 201", response.status_code == 201)
    ok = vu.check("stored every byte", json_body(response).get("sizeBytes", 0) >= EVIDENCE_BYTES) and ok
    vu.metrics.add(ERRORS, not ok)


def heartbeat(vu: Any) -> None:
    """One agent checks in (each iteration takes the next agent of the pool)."""
    response = vu.client.post(HEARTBEAT_PATH, headers=agent_headers(vu), name=NAME_HEARTBEAT)
    ok = vu.check("status is 200", response.status_code == 200)
    ok = vu.check("reports pending work", "pendingWork" in json_body(response)) and ok
    vu.metrics.add(ERRORS, not ok)


def saturating_query(vu: Any) -> None:
    """A DB-bound geo query, from 100 VUs at once: 200, or 503 when no connection is free in time."""
    response = vu.client.get(HEAVY_NEARBY_PATH, headers=agent_headers(vu), name=NAME_HEAVY_NEARBY)
    status = response.status_code
    exhausted = status == 503
    other_5xx = status >= 500 and not exhausted
    vu.metrics.add(POOL_EXHAUSTED_503, 1 if exhausted else 0)
    vu.metrics.add(SERVER_ERRORS_NOT_503, 1 if other_5xx else 0)
    ok = vu.check("200, or 503 when the pool is exhausted", status in (200, 503))
    vu.metrics.add(ERRORS, not ok)


def _locust_classes() -> tuple[type, ...]:
    """The behaviours as plain Locust users (`locust -f scenarios/key_scenarios.py`), each user
    paced at one iteration per second (closed model; for k6 executors use `bwperf run`)."""
    from locust import constant_throughput

    from harness.engine import locust_user

    pace = constant_throughput(LOCUST_ITERATIONS_PER_USER_PER_S)
    return (
        locust_user(upload_evidence, agents=LOCUST_AGENTS_PER_CLASS, wait_time=pace),
        locust_user(heartbeat, agents=LOCUST_AGENTS_PER_CLASS, wait_time=pace),
        locust_user(saturating_query, agents=LOCUST_AGENTS_PER_CLASS, wait_time=pace),
    )


UploadEvidence, Heartbeat, SaturatingQuery = _locust_classes()
