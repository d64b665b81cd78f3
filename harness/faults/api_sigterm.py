"""SIGTERM reaches the API under load: every request it had accepted completes normally.

Clients read problems, send heartbeats and stream slow evidence uploads (about a second each,
so some are surely in flight) when the API gets SIGTERM. A request is *in flight at the signal*
when its headers were on the wire before the signal and its answer came after; each of those must
end with its normal 2xx status. Requests sent after the signal may be refused (the listener is
closed) or served with `Connection: close`; they are counted, not judged. The process must exit 0
within its shutdown timeout.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from harness.platform_client import AsyncPlatformClient

from .lab import FaultLab, register_agent
from .load import BackgroundLoads, ClosedLoopLoad, LoadResult
from .results import FaultResult, Figure

SHUTDOWN_TIMEOUT_S = 10.0
EXIT_MARGIN_S = 3.0
PNG_HEAD = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300
UPLOAD_CHUNKS = 10
UPLOAD_CHUNK_BYTES = 16 * 1024
UPLOAD_PAUSE_S = 0.1


@dataclass(frozen=True)
class ApiSigtermResult(FaultResult):
    in_flight_at_signal: int
    failed_in_flight: int
    failed_in_flight_statuses: dict[str, int]
    uploads_in_flight_at_signal: int
    sent_after_signal: int
    served_after_signal: int
    exit_code: int | None
    shutdown_s: float | None

    @property
    def name(self) -> str:
        return "API SIGTERM under load"

    def figures(self) -> list[Figure]:
        return [
            Figure.at_least("requests in flight at the signal", self.in_flight_at_signal, 1),
            Figure.info("of which slow uploads", self.uploads_in_flight_at_signal),
            Figure.zero("in-flight requests that failed", self.failed_in_flight),
            Figure.info("requests started after the signal", self.sent_after_signal),
            Figure.info("of which served (the rest: connection refused)", self.served_after_signal),
            Figure.true("exit code 0", self.exit_code == 0),
            Figure.at_most("signal to exit", self.shutdown_s, SHUTDOWN_TIMEOUT_S + EXIT_MARGIN_S, "s"),
        ]


async def _slow_png() -> AsyncIterator[bytes]:
    """A PNG's bytes, in chunks about a second apart in all."""
    yield PNG_HEAD
    for _ in range(UPLOAD_CHUNKS):
        await asyncio.sleep(UPLOAD_PAUSE_S)
        yield b"\x00" * UPLOAD_CHUNK_BYTES


def _judge(loads: list[LoadResult], signal_at: float) -> tuple[int, int, dict[str, int], int, int]:
    outcomes = [o for load in loads for o in load.outcomes]
    in_flight = [o for o in outcomes if o.headers_sent_s is not None and o.headers_sent_s < signal_at < o.ended_s]
    failed = [o for o in in_flight if not o.ok]
    statuses: dict[str, int] = {}
    for o in failed:
        key = str(o.status) if o.status is not None else f"error:{o.error}"
        statuses[key] = statuses.get(key, 0) + 1
    after = [o for o in outcomes if o.started_s >= signal_at]
    return len(in_flight), len(failed), statuses, len(after), sum(1 for o in after if o.ok)


def run_api_sigterm(lab: FaultLab, *, clients: int = 12) -> ApiSigtermResult:
    """Load the API with `clients` fast clients and two slow uploaders, then SIGTERM it."""
    api = lab.api(SHUTDOWN_TIMEOUT_S=str(SHUTDOWN_TIMEOUT_S))
    tag = secrets.token_hex(3)
    key = register_agent(api.url, f"fault-sigterm-{tag}")
    ((mission_id,),) = lab.sql("INSERT INTO missions (title, description, domain, latitude, longitude) "
                               "VALUES (%s, 'fault lab', 'environmental_protection', 1.0, 2.0) RETURNING id",
                               (f"sigterm {tag}",))

    async def mixed(client: AsyncPlatformClient, serial: int) -> int:
        if serial % 3 == 0:
            return (await client.heartbeat(api_key=key)).status
        return (await client.list_problems(limit=5)).status

    async def upload(client: AsyncPlatformClient, serial: int) -> int:
        return (await client.upload_evidence(mission_id, api_key=key, filename="slow.png", media_type="image/png",
                                             data=_slow_png())).status

    fast = ClosedLoopLoad(mixed, base_url=api.url, clients=clients, request_timeout_s=SHUTDOWN_TIMEOUT_S + 10)
    slow = ClosedLoopLoad(upload, base_url=api.url, clients=2, think_s=0.05,
                          request_timeout_s=SHUTDOWN_TIMEOUT_S + 10)
    background = BackgroundLoads(fast, slow).start()
    exit_code: int | None = None
    shutdown_s: float | None = None
    try:
        time.sleep(1.5)
        signal_at = time.monotonic()
        api.signal(signal.SIGTERM)
        try:
            exit_code = api.wait(SHUTDOWN_TIMEOUT_S + 15)
            shutdown_s = time.monotonic() - signal_at
        except subprocess.TimeoutExpired:  # a process that does not exit is a finding, not a crash
            exit_code = None
        time.sleep(0.3)  # clients notice the closed listener
    finally:
        background.stop()
        lab.stop(api)
    in_flight, failed, statuses, after, served = _judge([fast.result, slow.result], signal_at)
    uploads_in_flight = sum(1 for o in slow.result.outcomes
                            if o.headers_sent_s is not None and o.headers_sent_s < signal_at < o.ended_s)
    return ApiSigtermResult(
        requests_tried=len(fast.result.outcomes) + len(slow.result.outcomes), faults_injected=1,
        in_flight_at_signal=in_flight, failed_in_flight=failed, failed_in_flight_statuses=statuses,
        uploads_in_flight_at_signal=uploads_in_flight, sent_after_signal=after, served_after_signal=served,
        exit_code=exit_code, shutdown_s=None if shutdown_s is None else round(shutdown_s, 3),
    )


__all__ = ["ApiSigtermResult", "run_api_sigterm"]
