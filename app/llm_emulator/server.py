"""The Messages API emulator: `POST /v1/messages` answered the way the real API answers.

Replies carry what the official SDK parses (id `msg_...`, type, role, model, text content blocks,
usage, stop_reason, stop_sequence, a `request-id` header) and errors use the API's error shape
(`{"type": "error", "error": {"type": ..., "message": ...}}`), so the SDK's own retry logic runs
exactly as it would against the real service. Admin endpoints (localhost only) change faults and
latency while a test or a stress plan is running.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from .faults import FaultConfig, FaultConfigError, FaultInjector
from .latency import LatencyModel
from .verdicts import malformed_answer, verdict_answer

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})


@dataclass(frozen=True)
class EmulatorConfig:
    latency: LatencyModel = field(default_factory=LatencyModel)
    faults: FaultConfig = field(default_factory=FaultConfig)
    seed: int = 42
    api_key: str | None = None      # None: any non-empty key is accepted


class EmulatorState:
    """Everything a running emulator changes: RNG, faults, latency, counters."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.faults = FaultInjector(config.faults, random.Random(config.seed + 1))
        self.latency = config.latency
        self.registry = CollectorRegistry()
        self.requests = Counter("llm_emulator_requests_total", "Requests to /v1/messages by HTTP status",
                                ["status"], registry=self.registry)
        self.duration = Histogram("llm_emulator_request_duration_seconds", "Time to answer /v1/messages",
                                  buckets=LATENCY_BUCKETS_S, registry=self.registry)
        self.injected = Counter("llm_emulator_faults_total", "Injected faults by kind", ["kind"],
                                registry=self.registry)
        self.tokens = Counter("llm_emulator_tokens_total", "Tokens reported in usage", ["direction"],
                              registry=self.registry)
        self.in_flight = Gauge("llm_emulator_in_flight", "Requests being answered", registry=self.registry)
        self.by_status: dict[int, int] = {}
        self.received = 0   # counted on arrival: a request told to hang is answered much later
        self.active = 0

    def count(self, status: int, started: float) -> None:
        self.requests.labels(str(status)).inc()
        self.duration.observe(time.perf_counter() - started)
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def new_id(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choice(_ALPHABET) for _ in range(24))


STATE = web.AppKey("state", EmulatorState)


def estimate_tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(block.get("text", "") for block in content if isinstance(block, dict))
    return ""


def error_response(state: EmulatorState, status: int, kind: str, message: str,
                   headers: dict[str, str] | None = None) -> web.Response:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return web.json_response(body, status=status,
                             headers={"request-id": state.new_id("req_"), **(headers or {})})


def _authenticated(request: web.Request, state: EmulatorState) -> bool:
    key = request.headers.get("x-api-key", "")
    auth = request.headers.get("Authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    if not key:
        return False
    return state.config.api_key is None or key == state.config.api_key


def _validate(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        return "max_tokens: must be an integer >= 1"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    if any(not isinstance(m, dict) or m.get("role") not in ("user", "assistant") for m in messages):
        return "messages: each message needs a role of user or assistant"
    if body.get("stream"):
        return "stream: streaming is not supported by the emulator"
    return None


async def messages(request: web.Request) -> web.Response:
    state = request.app[STATE]
    started = time.perf_counter()
    state.received += 1
    state.active += 1
    state.in_flight.set(state.active)
    try:
        response = await _answer(request, state)
    finally:
        state.active -= 1
        state.in_flight.set(state.active)
    state.count(response.status, started)
    return response


async def _answer(request: web.Request, state: EmulatorState) -> web.Response:
    if not _authenticated(request, state):
        return error_response(state, 401, "authentication_error", "invalid x-api-key")
    try:
        body = await request.json()
    except ValueError:
        return error_response(state, 400, "invalid_request_error", "the request body is not valid JSON")
    problem = _validate(body)
    if problem:
        return error_response(state, 400, "invalid_request_error", problem)
    fault = state.faults.draw()
    if fault is not None:
        state.injected.labels(fault).inc()
    if fault == "rate_limit":
        wait_s = state.faults.config.retry_after_s
        return error_response(state, 429, "rate_limit_error", "Number of request tokens has exceeded your rate limit",
                              {"retry-after": str(math.ceil(wait_s)), "retry-after-ms": str(int(wait_s * 1000))})
    if fault == "overloaded":
        return error_response(state, 529, "overloaded_error", "Overloaded")
    await asyncio.sleep(state.faults.config.hang_s if fault == "timeout" else state.latency.sample_s(state.rng))
    user_text = _text_of(body["messages"][-1].get("content"))
    text = malformed_answer(state.rng) if fault == "malformed" else verdict_answer(user_text)
    return web.json_response(_message(state, body, text), headers={"request-id": state.new_id("req_")})


def _message(state: EmulatorState, body: dict[str, Any], text: str) -> dict[str, Any]:
    stop_reason, stop_sequence = "end_turn", None
    for sequence in body.get("stop_sequences") or []:
        if isinstance(sequence, str) and sequence and sequence in text:
            text, stop_reason, stop_sequence = text.split(sequence, 1)[0], "stop_sequence", sequence
            break
    if estimate_tokens(text) > body["max_tokens"]:
        text, stop_reason, stop_sequence = text[:body["max_tokens"] * CHARS_PER_TOKEN], "max_tokens", None
    prompt = _text_of(body.get("system")) + "".join(_text_of(m.get("content")) for m in body["messages"])
    input_tokens = estimate_tokens(prompt) + MESSAGE_OVERHEAD_TOKENS * len(body["messages"])
    output_tokens = estimate_tokens(text)
    state.tokens.labels("input").inc(input_tokens)
    state.tokens.labels("output").inc(output_tokens)
    return {
        "id": state.new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }


# -- health, metrics, admin ------------------------------------------------------------------

async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(request.app[STATE].registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def local_admin_only(request: web.Request, handler: Any) -> web.StreamResponse:
    # Bound to 127.0.0.1 already; this keeps the admin surface local even if the bind changes.
    if request.path.startswith("/admin/") and request.remote not in LOCAL_ADDRESSES:
        return web.json_response({"error": "the admin endpoints answer localhost only"}, status=403)
    return await handler(request)


def _admin_view(state: EmulatorState) -> dict[str, Any]:
    return {"faults": state.faults.config.as_dict(), "faults_remaining": state.faults.remaining,
            "latency": state.latency.as_dict()}


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


async def get_admin(request: web.Request) -> web.Response:
    return web.json_response(_admin_view(request.app[STATE]))


async def set_faults(request: web.Request) -> web.Response:
    """Apply the given fault settings on top of the current ones (a storm can start mid-run)."""
    state = request.app[STATE]
    try:
        state.faults.configure(state.faults.config.updated(await _json_object(request)))
    except FaultConfigError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(_admin_view(state))


async def reset_faults(request: web.Request) -> web.Response:
    state = request.app[STATE]
    state.faults.configure(FaultConfig())
    return web.json_response(_admin_view(state))


async def set_latency(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await _json_object(request)
    known = set(LatencyModel.__dataclass_fields__)
    if set(body) - known:
        return web.json_response({"error": f"unknown latency setting(s) {sorted(set(body) - known)}; "
                                           f"known: {sorted(known)}"}, status=400)
    try:
        latency = LatencyModel(**{**state.latency.as_dict(), **body})   # type: ignore[arg-type]
        problems = latency.problems()
    except TypeError as exc:
        problems = [str(exc)]
    if problems:
        return web.json_response({"error": "; ".join(problems)}, status=400)
    state.latency = latency
    return web.json_response(_admin_view(state))


async def stats(request: web.Request) -> web.Response:
    state = request.app[STATE]
    by_status = {str(status): count for status, count in sorted(state.by_status.items())}
    return web.json_response({"received": state.received, "answered": sum(state.by_status.values()),
                              "by_status": by_status, "in_flight": state.active})


def create_app(config: EmulatorConfig) -> web.Application:
    app = web.Application(middlewares=[local_admin_only])
    app[STATE] = EmulatorState(config)
    app.router.add_post("/v1/messages", messages)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/admin/config", get_admin)
    app.router.add_post("/admin/faults", set_faults)
    app.router.add_delete("/admin/faults", reset_faults)
    app.router.add_post("/admin/latency", set_latency)
    app.router.add_get("/admin/stats", stats)
    return app
