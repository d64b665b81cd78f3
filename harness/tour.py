"""`bwperf tour`: call every endpoint of the platform once and show what happened.

A smoke check a person can read: against the embedded stack (started, seeded and stopped
here) or a running target (`--target URL`). Each step prints method, path, status, time and
what it proved; any unexpected status makes the command exit 1.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import typer
from rich.console import Console
from rich.table import Table

from harness.stack import StackError, start_stack

console = Console()

# A 1x1 PNG: the smallest real image the evidence endpoint accepts.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class Step:
    method: str
    path: str
    status: int
    expected: tuple[int, ...]
    elapsed_ms: float
    note: str

    @property
    def ok(self) -> bool:
        return self.status in self.expected


class Tour:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session, self.base_url, self.steps = session, base_url.rstrip("/"), []

    async def call(self, method: str, path: str, *, expected: tuple[int, ...], note: str = "",
                   **kwargs: Any) -> tuple[int, Any]:
        started = time.perf_counter()
        async with self.session.request(method, self.base_url + path, **kwargs) as response:
            body = await response.read()
            elapsed_ms = (time.perf_counter() - started) * 1000
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = body.decode(errors="replace")
        self.steps.append(Step(method, path.split("?")[0], response.status, expected, elapsed_ms, note))
        return response.status, payload


async def _run(base_url: str, *, verdict_wait_s: float) -> list[Step]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        tour = Tour(session, base_url)
        await tour.call("GET", "/health", expected=(200,), note="liveness")
        await tour.call("GET", "/ready", expected=(200,), note="PostgreSQL and Redis checked")
        name = f"tour-agent-{uuid.uuid4().hex[:8]}"
        _, agent = await tour.call("POST", "/api/v1/auth/agents/register", expected=(201,), json={
            "username": name, "framework": "custom", "modelProvider": "anthropic",
            "modelName": "claude-haiku-4-5-20251001", "specializations": ["environmental_protection"],
            "soulSummary": "Tour agent"}, note="agent registered; key shown once")
        auth = {"Authorization": f"Bearer {agent.get('apiKey', '')}"} if isinstance(agent, dict) else {}
        _, page = await tour.call("GET", "/api/v1/problems?limit=5&domain=environmental_protection",
                                  expected=(200,), headers=auth, note="keyset page")
        rows = page.get("data", []) if isinstance(page, dict) else []
        tour.steps[-1].note = f"{len(rows)} problems, nextCursor={'yes' if page.get('nextCursor') else 'no'}"
        if rows:
            await tour.call("GET", f"/api/v1/problems/{rows[0]['id']}", expected=(200,), headers=auth,
                            note="one problem")
        _, created = await tour.call("POST", "/api/v1/problems", expected=(202,), headers=auth, json={
            "title": "Tour problem", "description": "A problem report created by bwperf tour.",
            "domain": "environmental_protection", "severity": "medium",
            "affectedPopulationEstimate": "1,000", "geographicScope": "local",
            "locationName": "Test City", "latitude": 37.7749, "longitude": -122.4194,
            "dataSources": [], "evidenceLinks": [],
            "selfAudit": {"aligned": True, "domain": "environmental_protection", "justification": "Tour"}},
            note="accepted; guardrail job queued")
        _, near = await tour.call("GET", "/api/v1/missions/nearby?lat=37.7749&lng=-122.4194&radius=50&limit=10",
                                  expected=(200,), headers=auth)
        missions = near.get("data", []) if isinstance(near, dict) else []
        tour.steps[-1].note = f"{len(missions)} missions, nearest {missions[0]['distanceKm']:.2f} km" if missions else "none"
        await tour.call("POST", "/api/v1/agents/heartbeat", expected=(200,), headers=auth, json={},
                        note="heartbeat")
        if missions:
            form = aiohttp.FormData()
            form.add_field("file", _PNG, filename="tour.png", content_type="image/png")
            await tour.call("POST", f"/api/v1/missions/{missions[0]['id']}/evidence", expected=(201,),
                            headers=auth, data=form, note="image streamed to storage")
        email = f"{uuid.uuid4().hex[:8]}@tour.example"
        await tour.call("POST", "/api/v1/auth/register", expected=(201,), json={
            "email": email, "password": "correct horse battery staple", "displayName": "Tour"},
            note="human account")
        _, tokens = await tour.call("POST", "/api/v1/auth/login", expected=(200,), json={
            "email": email, "password": "correct horse battery staple"}, note="JWT access + refresh")
        refresh = tokens.get("refreshToken", "") if isinstance(tokens, dict) else ""
        await tour.call("POST", "/api/v1/auth/refresh", expected=(200,), json={"refreshToken": refresh},
                        note="refreshed")
        await tour.call("GET", "/api/v1/openapi.json", expected=(200,), note="OpenAPI 3.1")
        await tour.call("GET", "/metrics", expected=(200,), note="Prometheus text")
        if isinstance(created, dict) and "id" in created:
            await _await_verdict(tour, created["id"], auth, wait_s=verdict_wait_s)
        return tour.steps


async def _await_verdict(tour: Tour, problem_id: int, auth: dict[str, str], *, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    status: Any = "pending_review"
    while time.monotonic() < deadline:
        _, problem = await tour.call("GET", f"/api/v1/problems/{problem_id}", expected=(200,), headers=auth)
        status = problem.get("status") if isinstance(problem, dict) else None
        tour.steps.pop()
        if status != "pending_review":
            break
        await asyncio.sleep(0.2)
    tour.steps.append(Step("GET", f"/api/v1/problems/{problem_id}", 200 if status != "pending_review" else 0,
                           (200,), (wait_s - max(0.0, deadline - time.monotonic())) * 1000,
                           f"guardrail verdict: {status}"))


def _print(steps: list[Step]) -> None:
    table = Table(title="BetterWorld tour: every endpoint once")
    for column in ("", "method", "path", "status", "ms", "what it showed"):
        table.add_column(column)
    for step in steps:
        mark = "[green]ok[/green]" if step.ok else "[red]FAIL[/red]"
        table.add_row(mark, step.method, step.path, str(step.status), f"{step.elapsed_ms:.1f}", step.note)
    console.print(table)


def tour(
    target: str = typer.Option("", help="Base URL of a running platform; default: start the embedded stack."),
    home: Path = typer.Option(Path(".bwperf"), help="Folder of the embedded stack."),
    verdict_wait_s: float = typer.Option(15.0, help="How long to wait for the guardrail verdict."),
) -> None:
    """Start the stack (unless --target), seed a small data set, call every endpoint once."""
    try:
        if target:
            steps = asyncio.run(_run(target, verdict_wait_s=verdict_wait_s))
        else:
            with console.status("starting the embedded stack and seeding 2,000 problems, 10,000 missions..."):
                stack = start_stack(home=home, api_port=None, seed_problems=2000, seed_missions=10000,
                                    fresh_queue=True)
            with stack:
                console.print(f"stack up: API {stack.api_url}")
                steps = asyncio.run(_run(stack.api_url, verdict_wait_s=verdict_wait_s))
    except StackError as exc:
        console.print(f"[red]bwperf tour: {exc}[/red]")
        raise typer.Exit(2) from None
    except aiohttp.ClientConnectionError as exc:
        console.print(f"[red]bwperf tour: cannot reach {target or 'the API'}: {exc}[/red]")
        raise typer.Exit(2) from None
    _print(steps)
    failed = [s for s in steps if not s.ok]
    console.print(f"{len(steps) - len(failed)} of {len(steps)} steps as expected.")
    raise typer.Exit(1 if failed else 0)
