"""Reconciliation finds real losses: a deleted problem, a job left pending under a dead consumer,
a job deleted from the stream, and an agent that can no longer authenticate. Real API, PostgreSQL
and Valkey; no worker, so every queued job's fate is set by the test."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
import redis

from harness.credentials import AgentCredential
from harness.platform_client import PlatformClient
from scenarios.api import problem_body, title_token
from stress import ledger, swarm
from stress.ledger import read_ledger
from stress.reconcile import GROUP, STREAM, reconcile


def register(api: str, name: str) -> AgentCredential:
    with PlatformClient(api, read_timeout_s=5) as client:
        body = client.register_agent(name).expect(201).json_object()
    return AgentCredential(body["agentId"], body["apiKey"], name)


def submit(api: str, credential: AgentCredential) -> tuple[int, str]:
    with PlatformClient(api, read_timeout_s=5) as client:
        reply = client.create_problem(problem_body(title_token()), api_key=credential.api_key)
    assert reply.status == 202, reply.text
    body = reply.json_object()
    return int(body["id"]), str(body["jobId"])


def entry_of(client: redis.Redis, problem_id: int) -> str:
    for entry_id, fields in client.xrange(STREAM):
        if int(fields[b"problem_id"]) == problem_id:
            return entry_id.decode()
    raise AssertionError(f"no job for problem {problem_id}")


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BWPERF_RUN_DIR", str(tmp_path))
    swarm._AGENTS.clear()
    yield tmp_path
    swarm._AGENTS.clear()


def test_reconciliation_finds_missing_stuck_and_lost(api_only: str, clean_db: str, redis_url: str, run_dir: Path) -> None:
    kept, deleted = register(api_only, "recon-kept"), register(api_only, "recon-deleted")
    for credential in (kept, deleted):
        swarm.remember(credential)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute("DELETE FROM agents WHERE id = %s", (deleted.agent_id,))
    statuses = swarm.check_agents(api_only, swarm.registered_agents())
    assert statuses == {kept.agent_id: 200, deleted.agent_id: 401}

    client = redis.Redis.from_url(redis_url)
    client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    dead_consumer, lost_job, queued, gone, approved = (submit(api_only, kept) for _ in range(5))
    for problem_id, job_id in (dead_consumer, lost_job, queued, gone, approved):
        ledger.record("problem", id=problem_id, job_id=job_id)
    # delivered to a consumer that never acknowledges (the first entry of the stream)
    delivered = client.xreadgroup(GROUP, "dead-consumer", {STREAM: ">"}, count=1)
    assert int(delivered[0][1][0][1][b"problem_id"]) == dead_consumer[0]
    client.xdel(STREAM, entry_of(client, lost_job[0]))            # the job vanished, the problem waits forever
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute("DELETE FROM problems WHERE id = %s", (gone[0],))   # an acknowledged write lost
        conn.execute("UPDATE problems SET status = 'approved' WHERE id = %s", (approved[0],))
    client.xdel(STREAM, entry_of(client, approved[0]))
    time.sleep(0.3)

    report = reconcile(read_ledger(run_dir), target=api_only, redis_url=redis_url, stuck_idle_s=0.2)
    client.close()

    assert [(i.kind, i.id) for i in report.missing] == [("problem", str(gone[0]))]
    stuck = {i.id: i.reason for i in report.stuck}
    assert set(stuck) == {str(dead_consumer[0]), str(lost_job[0])}
    assert "pending under consumer dead-consumer" in stuck[str(dead_consumer[0])]
    assert "neither the queue nor the dead letter" in stuck[str(lost_job[0])]
    assert [(i.id, i.reason) for i in report.lost_agents] == [(deleted.agent_id, "heartbeat with its key answered 401")]
    assert (report.problems_recorded, report.problems_final, report.problems_pending) == (5, 1, 1)
    assert (report.agents_recorded, report.agents_verified) == (2, 1)
    assert report.queue.pending == 1


def test_a_dead_lettered_job_is_stuck_and_an_unrecorded_stuck_job_is_reported(api_only: str, clean_db: str,
                                                                               redis_url: str, run_dir: Path) -> None:
    agent = register(api_only, "recon-dead")
    client = redis.Redis.from_url(redis_url)
    client.xgroup_create(STREAM, GROUP, id="$", mkstream=True)
    problem_id, job_id = submit(api_only, agent)
    ledger.record("problem", id=problem_id, job_id=job_id)
    entry = entry_of(client, problem_id)
    client.xadd("guardrail:dead", {"problem_id": str(problem_id), "reason": "test"})
    client.xdel(STREAM, entry)
    client.xadd(STREAM, {"job_id": "x", "problem_id": "999999", "enqueued_at_ms": "0"})
    client.xreadgroup(GROUP, "ghost", {STREAM: ">"}, count=10)
    time.sleep(0.3)
    report = reconcile(read_ledger(run_dir), target=api_only, redis_url=redis_url, stuck_idle_s=0.2)
    client.close()
    kinds = sorted((i.kind, i.reason.split(" ")[0]) for i in report.stuck)
    assert kinds == [("job", "pending"), ("problem", "its")]
    assert report.queue.dead_letter_length == 1


def test_the_ledger_holds_ids_never_keys(api_only: str, clean_db: str, run_dir: Path) -> None:
    credential = register(api_only, "recon-secret")
    swarm.remember(credential)
    swarm.check_agents(api_only, [credential])
    text = "".join(p.read_text() for p in run_dir.glob("ledger-*.jsonl"))
    assert credential.agent_id in text and credential.api_key not in text
    with PlatformClient(api_only, read_timeout_s=5) as client:
        assert client.heartbeat(api_key=credential.api_key).status == 200
