"""`bwperf tour`: call every endpoint of the platform once and show what happened.

A smoke check a person can read: against the embedded stack (started, seeded and stopped
here) or a running target (`--target URL`). Each step prints method, path, status, time and
what it proved; any unexpected status makes the command exit 1.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.errors import EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_OK
from harness.platform_client import DOMAIN, PlatformClient, PlatformError, Reply, SAN_FRANCISCO, problem_body
from harness.stack import StackError, start_stack

console = Console()
REQUEST_TIMEOUT_S = 30.0
TOUR_PASSWORD = "correct horse battery staple"

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


@dataclass
class Tour:
    steps: list[Step] = field(default_factory=list)

    def step(self, reply: Reply, *, expected: tuple[int, ...], note: str = "") -> Reply:
        """Record one call's answer as a step."""
        self.steps.append(Step(reply.method, urlsplit(reply.url).path, reply.status, expected,
                               reply.elapsed_s * 1000, note))
        return reply


def _run(base_url: str, *, verdict_wait_s: float) -> list[Step]:
    """Every endpoint once, in an order that feeds each call what it needs (a key, a mission)."""
    tour = Tour()
    with PlatformClient(base_url, read_timeout_s=REQUEST_TIMEOUT_S) as client:
        tour.step(client.health(), expected=(200,), note="liveness")
        tour.step(client.ready(), expected=(200,), note="PostgreSQL and Redis checked")
        agent = tour.step(client.register_agent(f"tour-agent-{uuid.uuid4().hex[:8]}"), expected=(201,),
                          note="agent registered; key shown once").json_object()
        key = str(agent.get("apiKey", ""))
        page = tour.step(client.list_problems(limit=5, domain=DOMAIN, api_key=key), expected=(200,)).json_object()
        rows = page.get("data") or []
        tour.steps[-1].note = f"{len(rows)} problems, nextCursor={'yes' if page.get('nextCursor') else 'no'}"
        if rows:
            tour.step(client.get_problem(rows[0]["id"], api_key=key), expected=(200,), note="one problem")
        created = tour.step(client.create_problem(problem_body("Tour problem"), api_key=key), expected=(202,),
                            note="accepted; guardrail job queued").json_object()
        latitude, longitude = SAN_FRANCISCO
        missions = tour.step(client.nearby_missions(lat=latitude, lng=longitude, radius_km=50, limit=10, api_key=key),
                             expected=(200,)).json_object().get("data") or []
        tour.steps[-1].note = f"{len(missions)} missions, nearest {missions[0]['distanceKm']:.2f} km" if missions else "none"
        tour.step(client.heartbeat(api_key=key), expected=(200,), note="heartbeat")
        if missions:
            uploaded = client.upload_evidence(missions[0]["id"], api_key=key, filename="tour.png",
                                              media_type="image/png", data=_PNG)
            tour.step(uploaded, expected=(201,), note="image streamed to storage")
        email = f"{uuid.uuid4().hex[:8]}@tour.example"
        tour.step(client.register_user(email=email, password=TOUR_PASSWORD, display_name="Tour"), expected=(201,),
                  note="human account")
        tokens = tour.step(client.login(email=email, password=TOUR_PASSWORD), expected=(200,),
                           note="JWT access + refresh").json_object()
        tour.step(client.refresh(str(tokens.get("refreshToken", ""))), expected=(200,), note="refreshed")
        tour.step(client.openapi(), expected=(200,), note="OpenAPI 3.1")
        tour.step(client.metrics(), expected=(200,), note="Prometheus text")
        if "id" in created:
            _await_verdict(tour, client, created["id"], key, wait_s=verdict_wait_s)
    return tour.steps


def _await_verdict(tour: Tour, client: PlatformClient, problem_id: int, key: str, *, wait_s: float) -> None:
    """Poll the new problem until the guardrail decided (one step for all the polls)."""
    deadline = time.monotonic() + wait_s
    status: object = "pending_review"
    while time.monotonic() < deadline:
        status = client.get_problem(problem_id, api_key=key).json_object().get("status")
        if status != "pending_review":
            break
        time.sleep(0.2)
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
            steps = _run(target, verdict_wait_s=verdict_wait_s)
        else:
            with console.status("starting the embedded stack and seeding 2,000 problems, 10,000 missions..."):
                stack = start_stack(home=home, api_port=None, seed_problems=2000, seed_missions=10000,
                                    fresh_queue=True)
            with stack:
                console.print(f"stack up: API {stack.api_url}")
                steps = _run(stack.api_url, verdict_wait_s=verdict_wait_s)
    except (StackError, PlatformError) as exc:
        console.print(f"[red]bwperf tour: {escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_INPUT) from None
    _print(steps)
    failed = [s for s in steps if not s.ok]
    console.print(f"{len(steps) - len(failed)} of {len(steps)} steps as expected.")
    raise typer.Exit(EXIT_CHECK_FAILED if failed else EXIT_OK)
