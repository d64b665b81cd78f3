"""The official SDK against the emulator, served in-process on 127.0.0.1: replies parse, errors
map to the SDK's exception classes, and the SDK's retries run as against the real API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import anthropic
import pytest
from aiohttp import web

from app.llm_emulator.faults import FaultConfig
from app.llm_emulator.latency import LatencyModel
from app.llm_emulator.server import STATE, EmulatorConfig, create_app, estimate_tokens
from app.llm_emulator.verdicts import verdict_answer
from app.worker.llm import MalformedOutput, parse_verdict

MODEL = "claude-haiku-4-5-20251001"


class Emulator:
    def __init__(self, runner: web.AppRunner) -> None:
        self.runner = runner
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}"

    @property
    def state(self):
        return self.runner.app[STATE]

    def client(self, **options: object) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(**{"api_key": "test-key", "base_url": self.url, "max_retries": 0, **options})

    async def admin(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.url + path, json=body) as response:
                return response.status, await response.json()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(latency=LatencyModel(distribution="fixed", median_ms=5), seed=1)
    runner = web.AppRunner(create_app(config))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield Emulator(runner)
    await runner.cleanup()


async def _ask(client: anthropic.AsyncAnthropic, text: str = "Potholes on the market road", **extra: object):
    return await client.messages.create(model=MODEL, max_tokens=200, system="Classify.",
                                        messages=[{"role": "user", "content": text}], **extra)


async def test_the_sdk_parses_a_reply(emulator: Emulator) -> None:
    async with emulator.client() as client:
        message = await _ask(client)
    assert message.id.startswith("msg_") and message.type == "message" and message.role == "assistant"
    assert message.model == MODEL
    assert message.content[0].type == "text" and message.content[0].text == verdict_answer("Potholes on the market road")
    assert parse_verdict(message.content[0].text).verdict in ("approve", "reject", "flag")
    assert (message.stop_reason, message.stop_sequence) == ("end_turn", None)
    assert message.usage.input_tokens == estimate_tokens("Classify.Potholes on the market road") + 4
    assert message.usage.output_tokens == estimate_tokens(message.content[0].text)
    assert message._request_id is not None and message._request_id.startswith("req_")


async def test_stop_sequences_and_max_tokens_end_the_answer_like_the_api(emulator: Emulator) -> None:
    async with emulator.client() as client:
        stopped = await _ask(client, stop_sequences=['"reason"'])
        truncated = await client.messages.create(model=MODEL, max_tokens=3,
                                                 messages=[{"role": "user", "content": "Potholes"}])
    assert (stopped.stop_reason, stopped.stop_sequence) == ("stop_sequence", '"reason"')
    assert stopped.content[0].text.endswith(", ")
    assert truncated.stop_reason == "max_tokens" and truncated.usage.output_tokens == 3
    with pytest.raises(MalformedOutput, match="cut at max_tokens"):
        parse_verdict(truncated.content[0].text, stop_reason=truncated.stop_reason)


async def test_a_bearer_token_is_accepted_and_no_key_is_refused(emulator: Emulator) -> None:
    async with anthropic.AsyncAnthropic(auth_token="token", base_url=emulator.url, max_retries=0) as client:
        assert (await _ask(client)).usage.output_tokens > 0
    async with aiohttp.ClientSession() as session:
        async with session.post(emulator.url + "/v1/messages", json={"model": MODEL}) as response:
            assert response.status == 401
            assert (await response.json())["error"]["type"] == "authentication_error"
            assert response.headers["request-id"].startswith("req_")


async def test_invalid_requests_get_invalid_request_errors(emulator: Emulator) -> None:
    async with emulator.client() as client:
        with pytest.raises(anthropic.BadRequestError, match="max_tokens"):
            await client.messages.create(model=MODEL, max_tokens=0, messages=[{"role": "user", "content": "x"}])
        with pytest.raises(anthropic.BadRequestError, match="streaming is not supported"):
            await client.messages.create(model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "x"}],
                                         stream=True)


async def test_a_429_carries_retry_after_and_the_sdk_retries_through_it(emulator: Emulator) -> None:
    status, _ = await emulator.admin("POST", "/admin/faults", {"rate_429": 1.0, "retry_after_s": 0.05})
    assert status == 200
    async with emulator.client() as client:
        with pytest.raises(anthropic.RateLimitError) as caught:
            await _ask(client)
    headers = caught.value.response.headers
    assert (headers["retry-after"], headers["retry-after-ms"]) == ("1", "50")
    assert caught.value.body["error"]["type"] == "rate_limit_error"

    await emulator.admin("POST", "/admin/faults", {"max_faults": 2})      # the next two requests fail
    received = emulator.state.received
    async with emulator.client(max_retries=2) as client:
        message = await _ask(client)
    assert message.stop_reason == "end_turn"
    assert emulator.state.received - received == 3


async def test_a_529_is_an_overloaded_error(emulator: Emulator) -> None:
    await emulator.admin("POST", "/admin/faults", {"rate_529": 1.0})
    async with emulator.client() as client:
        with pytest.raises(anthropic.OverloadedError) as caught:
            await _ask(client)
    assert caught.value.status_code == 529
    assert caught.value.body["error"]["type"] == "overloaded_error"


async def test_a_hang_outlasts_the_client_timeout(emulator: Emulator) -> None:
    await emulator.admin("POST", "/admin/faults", {"rate_timeout": 1.0, "hang_s": 1.0})
    async with emulator.client(timeout=0.2) as client:
        with pytest.raises(anthropic.APITimeoutError):
            await _ask(client)


async def test_malformed_answers_are_well_formed_messages_with_bad_verdicts(emulator: Emulator) -> None:
    await emulator.admin("POST", "/admin/faults", {"rate_malformed": 1.0})
    async with emulator.client() as client:
        for _ in range(5):
            message = await _ask(client)
            assert message.usage.output_tokens > 0
            with pytest.raises(MalformedOutput):
                parse_verdict(message.content[0].text, stop_reason=message.stop_reason)


async def test_admin_changes_are_validated_and_take_effect_at_once(emulator: Emulator) -> None:
    status, body = await emulator.admin("POST", "/admin/faults", {"rate_418": 0.5})
    assert status == 400 and "unknown fault setting(s) rate_418" in body["error"]
    status, body = await emulator.admin("POST", "/admin/latency", {"distribution": "lognormal", "p95_ms": 1, "median_ms": 10})
    assert status == 400 and "p95_ms must be >= median_ms" in body["error"]

    status, body = await emulator.admin("POST", "/admin/latency", {"distribution": "fixed", "median_ms": 300})
    assert status == 200 and body["latency"]["median_ms"] == 300
    async with emulator.client() as client:
        started = time.perf_counter()
        await _ask(client)
        assert time.perf_counter() - started >= 0.3

    status, body = await emulator.admin("DELETE", "/admin/faults")
    assert body["faults"] == FaultConfig().as_dict()
    status, stats = await emulator.admin("GET", "/admin/stats")
    assert stats["received"] == stats["answered"] == 1 and stats["by_status"] == {"200": 1}


async def test_metrics_count_requests_by_status(emulator: Emulator) -> None:
    await emulator.admin("POST", "/admin/faults", {"rate_429": 1.0, "max_faults": 1})
    async with emulator.client() as client:
        with pytest.raises(anthropic.RateLimitError):
            await _ask(client)
        await _ask(client)
    async with aiohttp.ClientSession() as session:
        async with session.get(emulator.url + "/metrics") as response:
            text = await response.text()
    assert 'llm_emulator_requests_total{status="429"} 1.0' in text
    assert 'llm_emulator_requests_total{status="200"} 1.0' in text
    assert 'llm_emulator_faults_total{kind="rate_limit"} 1.0' in text
    assert "llm_emulator_request_duration_seconds_bucket" in text
