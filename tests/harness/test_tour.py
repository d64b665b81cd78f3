"""`bwperf tour` against the real API (no worker: the guardrail verdict never comes), and against
nothing at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer

from harness.faults.lab import FaultLab, PlatformProcess
from harness.tour import _run, tour


@pytest.fixture(scope="module")
def api(pg, valkey, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformProcess]:
    lab = FaultLab.attach(tmp_path_factory.mktemp("tour-lab"), postgres=pg, valkey=valkey)
    lab.sql("INSERT INTO missions (title, description, domain, latitude, longitude) "
            "VALUES ('tour', 'tour', 'environmental_protection', 37.78, -122.42)")
    yield lab.api(rate_limit_profile="loadtest")
    lab.close()


def test_every_endpoint_answers_as_expected(api: PlatformProcess) -> None:
    steps = _run(api.url, verdict_wait_s=0.5)
    *calls, verdict = steps
    assert [(step.method, step.path) for step in calls if not step.ok] == []
    paths = {step.path for step in calls}
    assert {"/health", "/ready", "/api/v1/auth/agents/register", "/api/v1/problems", "/api/v1/missions/nearby",
            "/api/v1/agents/heartbeat", "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh",
            "/api/v1/openapi.json", "/metrics"} <= paths
    assert any(path.endswith("/evidence") for path in paths), "the seeded mission got an upload"
    assert verdict.note == "guardrail verdict: pending_review" and not verdict.ok, "no worker runs here"


def test_an_unreachable_target_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited:
        tour(target="http://127.0.0.1:9", verdict_wait_s=1.0)
    assert exited.value.exit_code == 2
    out = capsys.readouterr().out
    assert "bwperf tour: GET http://127.0.0.1:9/health: cannot connect to 127.0.0.1:9" in " ".join(out.split())
