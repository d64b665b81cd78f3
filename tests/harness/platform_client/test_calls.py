"""Every method of both clients against the real API and LLM emulator, over real HTTP."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest

import harness.platform_client
from app.schemas import AgentRegistration, ProblemCreate
from harness.faults.lab import PlatformProcess
from harness.platform_client import (
    DOMAIN,
    SAN_FRANCISCO,
    AsyncPlatformClient,
    PlatformClient,
    PlatformStatusError,
    problem_body,
    registration_body,
)
from harness.samplers.prometheus import parse_metrics_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300
PASSWORD = "correct horse battery staple"


def test_exported_names() -> None:
    assert set(harness.platform_client.__all__) == {
        "API", "DEFAULT_CONNECT_TIMEOUT_S", "DEFAULT_READ_TIMEOUT_S", "DOMAIN", "HEARTBEAT_PATH", "PROBLEMS_PATH",
        "REGISTER_PATH", "SAN_FRANCISCO", "AsyncPlatformClient", "PlatformClient", "PlatformDisconnected",
        "PlatformError", "PlatformStatusError", "PlatformTimeout", "PlatformUnreachable", "Reply", "evidence_path",
        "origin_and_path", "problem_body", "problem_path", "registration_body", "shown_url",
    }


def test_the_bodies_are_valid_requests_of_the_api() -> None:
    AgentRegistration.model_validate(registration_body("client-agent"))
    ProblemCreate.model_validate(problem_body("A drain is blocked"))
    assert problem_body("A drain is blocked")["title"] == "A drain is blocked"


@pytest.fixture(scope="module")
def client(api: PlatformProcess) -> Iterator[PlatformClient]:
    with PlatformClient(api.url) as platform:
        yield platform


@pytest.fixture(scope="module")
def agent_key(client: PlatformClient) -> str:
    reply = client.register_agent(f"client-{secrets.token_hex(4)}").expect(201)
    assert isinstance(reply.json_object()["agentId"], str)
    return str(reply.json_object()["apiKey"])


def test_operations(client: PlatformClient) -> None:
    assert client.health().expect(200).json_object()["status"] == "ok"
    assert client.ready().expect(200).json_object()["status"] == "ready"
    assert client.openapi().expect(200).json_object()["openapi"].startswith("3.1")
    metrics = client.metrics().expect(200)
    assert any(key.startswith("http_requests_total") for key in parse_metrics_text(metrics.text))
    assert client.request("GET", "/no-such-route").status == 404


def test_agent_calls(client: PlatformClient, agent_key: str) -> None:
    assert client.heartbeat(api_key=agent_key).expect(200).json_object()["agentId"]
    assert client.heartbeat(api_key="bw_not_a_key").status == 401


def test_problem_calls(client: PlatformClient, agent_key: str) -> None:
    created = client.create_problem(problem_body(f"Client test {secrets.token_hex(3)}"), api_key=agent_key)
    problem_id = created.expect(202).json_object()["id"]
    assert client.get_problem(problem_id).expect(200).json_object()["status"] == "pending_review"
    assert client.get_problem(problem_id, api_key=agent_key).status == 200
    page = client.list_problems(limit=5, domain=DOMAIN, api_key=agent_key).expect(200).json_object()
    assert problem_id in [row["id"] for row in page["data"]]
    assert len(client.list_problems(limit=1).expect(200).json_object()["data"]) == 1
    assert client.create_problem(problem_body("no key"), api_key="bw_not_a_key").status == 401


def test_mission_calls(client: PlatformClient, agent_key: str, mission_id: int) -> None:
    latitude, longitude = SAN_FRANCISCO
    near = client.nearby_missions(lat=latitude, lng=longitude, radius_km=50, limit=10).expect(200).json_object()
    assert mission_id in [row["id"] for row in near["data"]]
    stored = client.upload_evidence(mission_id, api_key=agent_key, filename="a.png", media_type="image/png", data=PNG)
    assert stored.expect(201).json_object()["sizeBytes"] == len(PNG)
    chunked = client.upload_evidence(mission_id, api_key=agent_key, filename="b.png", media_type="image/png",
                                     data=iter([PNG[:8], PNG[8:]]))
    assert chunked.expect(201).json_object()["sizeBytes"] == len(PNG)


def test_human_account_calls(client: PlatformClient) -> None:
    email = f"{secrets.token_hex(4)}@client.example"
    client.register_user(email=email, password=PASSWORD, display_name="Client").expect(201)
    tokens = client.login(email=email, password=PASSWORD).expect(200).json_object()
    assert client.refresh(tokens["refreshToken"]).expect(200).json_object()["accessToken"]
    with pytest.raises(PlatformStatusError, match=r"^POST http://127\.0\.0\.1:\d+/api/v1/auth/login answered 401, "
                                                  r"expected 200$") as caught:
        client.login(email=email, password="wrong " + PASSWORD).expect(200)
    assert caught.value.status == 401 and PASSWORD not in str(caught.value)


def test_emulator_admin_calls(emulator: PlatformProcess) -> None:
    with PlatformClient(emulator.url) as client:
        latency = client.emulator_set_latency(distribution="fixed", median_ms=7.0).expect(200).json_object()
        assert latency["latency"]["median_ms"] == 7.0
        assert "faults" in client.emulator_reset_faults().expect(200).json_object()
        assert client.emulator_set_latency(distribution="nonsense", median_ms=1.0).status == 400


def test_a_path_must_stay_on_the_clients_host(client: PlatformClient) -> None:
    for path in ("http://example.invalid/health", "//example.invalid/health", "health"):
        with pytest.raises(ValueError, match="a path on the client's host"):
            client.request("GET", path)


def test_redirects_are_answers_not_followed(redirecting_url: str) -> None:
    with PlatformClient(redirecting_url) as client:
        reply = client.health()
    assert reply.status == 302 and reply.headers["location"] == "http://example.invalid/health"


def test_the_async_client_makes_the_same_calls(api: PlatformProcess, mission_id: int) -> None:
    sent: list[int] = []

    async def slow_png() -> AsyncIterator[bytes]:
        yield PNG[:8]
        await asyncio.sleep(0.05)
        yield PNG[8:]

    async def calls() -> None:
        async with AsyncPlatformClient(api.url, on_request_sent=lambda: sent.append(1)) as client:
            (await client.health()).expect(200)
            key = (await client.register_agent(f"async-{secrets.token_hex(4)}")).expect(201).json_object()["apiKey"]
            (await client.heartbeat(api_key=key)).expect(200)
            created = await client.create_problem(problem_body(f"Async {secrets.token_hex(3)}"), api_key=key)
            problem_id = created.expect(202).json_object()["id"]
            assert (await client.get_problem(problem_id)).json_object()["id"] == problem_id
            replies = await asyncio.gather(*(client.health() for _ in range(5)))
            assert [reply.status for reply in replies] == [200] * 5
            stored = await client.upload_evidence(mission_id, api_key=key, filename="c.png", media_type="image/png",
                                                  data=slow_png())
            assert stored.expect(201).json_object()["sizeBytes"] == len(PNG)

    asyncio.run(calls())
    assert len(sent) == 11, "on_request_sent is called once per request, when its headers are on the wire"
