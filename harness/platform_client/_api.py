"""What the platform's API expects: its paths and the request bodies the harness sends.

The one place the bodies are built: setup (harness.credentials), the load scenarios
(scenarios.api), the fault lab and the tour all call `registration_body` and `problem_body`.
"""

from __future__ import annotations

from typing import Any

API = "/api/v1"
HEALTH_PATH = "/health"
READY_PATH = "/ready"
METRICS_PATH = "/metrics"
OPENAPI_PATH = f"{API}/openapi.json"
REGISTER_PATH = f"{API}/auth/agents/register"
USER_REGISTER_PATH = f"{API}/auth/register"
LOGIN_PATH = f"{API}/auth/login"
REFRESH_PATH = f"{API}/auth/refresh"
HEARTBEAT_PATH = f"{API}/agents/heartbeat"
PROBLEMS_PATH = f"{API}/problems"
NEARBY_MISSIONS_PATH = f"{API}/missions/nearby"
# The LLM emulator's admin endpoints (its own base URL; they answer localhost only).
EMULATOR_FAULTS_PATH = "/admin/faults"
EMULATOR_LATENCY_PATH = "/admin/latency"

DOMAIN = "environmental_protection"
SAN_FRANCISCO = (37.7749, -122.4194)
AGENT_SUMMARY = "Load test agent provisioned by bwperf"
PROBLEM_DESCRIPTION = "This is a load test problem report for performance benchmarking."


def problem_path(problem_id: int) -> str:
    return f"{PROBLEMS_PATH}/{problem_id}"


def evidence_path(mission_id: int) -> str:
    return f"{API}/missions/{mission_id}/evidence"


def registration_body(username: str) -> dict[str, Any]:
    """An agent registration (the seed's 8.1 `registerAgent`)."""
    return {
        "username": username,
        "framework": "custom",
        "modelProvider": "anthropic",
        "modelName": "claude-haiku-4-5-20251001",
        "specializations": [DOMAIN],
        "soulSummary": AGENT_SUMMARY,
    }


def problem_body(title: str) -> dict[str, Any]:
    """A problem report (the seed's 8.1 `createProblem`) with this title. The guardrail's verdict
    cache keys on the normalised text, so callers that want every submission evaluated give
    titles that differ in letters, not only in digits (scenarios.api.title_token)."""
    latitude, longitude = SAN_FRANCISCO
    return {
        "title": title,
        "description": PROBLEM_DESCRIPTION,
        "domain": DOMAIN,
        "severity": "medium",
        "affectedPopulationEstimate": "1,000",
        "geographicScope": "local",
        "locationName": "Test City",
        "latitude": latitude,
        "longitude": longitude,
        "dataSources": [],
        "evidenceLinks": [],
        "selfAudit": {"aligned": True, "domain": DOMAIN, "justification": "Load test"},
    }
