"""Problems: submission and the guardrail job, reading one, keyset pagination, bad input."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
import redis

from app.views.problems import decode_cursor, encode_cursor
from tests.app.conftest import agent_headers, problem_body, register_agent
from tests.app.openapi_check import checked

PROBLEMS = "/api/v1/problems"
ONE = "/api/v1/problems/{id}"


async def test_submission_commits_then_enqueues_a_guardrail_job(client, clean_db, redis_url) -> None:
    agent_id, key = await register_agent(client)
    resp = await client.post(PROBLEMS, json=problem_body(), headers=agent_headers(key))
    assert resp.status == 202
    body = await checked(resp, PROBLEMS)
    assert body["status"] == "pending_review"
    entries = redis.Redis.from_url(redis_url, decode_responses=True).xrange("guardrail:jobs")
    assert len(entries) == 1
    fields = entries[0][1]
    assert set(fields) == {"job_id", "problem_id", "enqueued_at_ms"}
    assert fields["problem_id"] == str(body["id"]) and fields["job_id"] == body["jobId"]
    assert len(fields["job_id"]) == 32 and int(fields["enqueued_at_ms"]) > 1_600_000_000_000
    with psycopg.connect(clean_db) as conn:
        row = conn.execute("SELECT agent_id, status, self_audit FROM problems WHERE id = %s", (body["id"],)).fetchone()
    assert str(row[0]) == agent_id and row[1] == "pending_review"
    assert row[2] == {"aligned": True, "domain": "environmental_protection", "justification": "Load test"}


async def test_failed_enqueue_answers_503_and_keeps_the_problem_for_review(make_client, clean_db, redis_url) -> None:
    redis.Redis.from_url(redis_url).set("not-a-stream", "x")  # XADD on a string fails (WRONGTYPE)
    client = await make_client(guardrail_stream="not-a-stream")
    _, key = await register_agent(client)
    resp = await client.post(PROBLEMS, json=problem_body(), headers=agent_headers(key))
    assert resp.status == 503
    body = await checked(resp, PROBLEMS)
    assert body["error"] == "unavailable" and body["details"]["status"] == "needs_review"
    with psycopg.connect(clean_db) as conn:
        row = conn.execute("SELECT status, guardrail_reason FROM problems WHERE id = %s",
                           (body["details"]["problemId"],)).fetchone()
    assert row == ("needs_review", "enqueue failed")


async def test_submission_needs_an_agent_and_a_valid_body(client) -> None:
    assert (await client.post(PROBLEMS, json=problem_body())).status == 401
    _, key = await register_agent(client)
    cases = {
        "title": problem_body(title="   "),
        "latitude": problem_body(latitude=91),
        "longitude": problem_body(longitude="-122.4"),
        "severity": problem_body(severity="apocalyptic"),
        "selfAudit.aligned": problem_body(selfAudit={"aligned": "yes", "domain": "x", "justification": "j"}),
        "unknownField": {**problem_body(), "unknownField": 1},
        "description": {k: v for k, v in problem_body().items() if k != "description"},
        "evidenceLinks": problem_body(evidenceLinks="http://x"),
    }
    for field, body in cases.items():
        resp = await client.post(PROBLEMS, json=body, headers=agent_headers(key))
        assert resp.status == 400, (field, await resp.text())
        payload = await checked(resp, PROBLEMS)
        assert field in {f["field"] for f in payload["details"]["fields"]}, (field, payload)


async def test_get_one_problem_with_its_guardrail_fields(client, clean_db) -> None:
    with psycopg.connect(clean_db, autocommit=True) as conn:
        pid = conn.execute(
            "INSERT INTO problems (title, description, domain, severity, status, guardrail_reason, guardrail_tier) "
            "VALUES ('t', 'd', 'health', 'low', 'rejected', 'off-topic', 'llm') RETURNING id").fetchone()[0]
    resp = await client.get(f"{PROBLEMS}/{pid}")
    assert resp.status == 200
    body = await checked(resp, ONE)
    assert (body["status"], body["guardrailReason"], body["guardrailTier"]) == ("rejected", "off-topic", "llm")
    resp = await client.get(f"{PROBLEMS}/{pid + 1000}")
    assert resp.status == 404 and (await checked(resp, ONE))["error"] == "not_found"
    for bad in ("abc", "-1", "1.5", "9" * 30):
        resp = await client.get(f"{PROBLEMS}/{bad}")
        assert resp.status == 400, bad
        assert (await checked(resp, ONE))["details"]["fields"][0]["field"] == "id"


def _seed_problems(database_url: str, count: int) -> set[int]:
    """Rows with deliberately repeated created_at values, so the id tie-break matters."""
    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    with psycopg.connect(database_url, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO problems (title, description, domain, severity, status, created_at) "
                "VALUES (%s, 'd', %s, %s, %s, %s)",
                [(f"p{i}", "health" if i % 3 else "education", ("low", "high")[i % 2],
                  ("approved", "pending_review")[i % 2], base + timedelta(seconds=i // 4)) for i in range(count)],
            )
        return {row[0] for row in conn.execute("SELECT id FROM problems")}


async def test_pagination_has_no_duplicates_or_gaps_while_rows_are_inserted(client, clean_db) -> None:
    existing = _seed_problems(clean_db, 230)
    stop = asyncio.Event()

    async def insert_meanwhile() -> None:
        async with await psycopg.AsyncConnection.connect(clean_db, autocommit=True) as conn:
            for _ in range(200):
                if stop.is_set():
                    return
                await conn.execute("INSERT INTO problems (title, description, domain, severity) "
                                   "VALUES ('new', 'd', 'health', 'low')")
                await asyncio.sleep(0.002)

    inserter = asyncio.create_task(insert_meanwhile())
    seen: list[tuple[str, int]] = []
    cursor = None
    for _ in range(100):  # bounded: 230 rows / 7 per page
        params = {"limit": "7", **({"cursor": cursor} if cursor else {})}
        resp = await client.get(PROBLEMS, params=params)
        assert resp.status == 200
        body = await checked(resp, PROBLEMS)
        seen += [(row["createdAt"], row["id"]) for row in body["data"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    stop.set()
    await inserter
    ids = [pid for _, pid in seen]
    assert len(ids) == len(set(ids)), "a row appeared on two pages"
    assert existing <= set(ids), f"rows missed: {sorted(existing - set(ids))[:10]}"
    keys = [(datetime.fromisoformat(ts), pid) for ts, pid in seen]
    assert keys == sorted(keys, reverse=True)


async def test_filters_and_limits(client, clean_db) -> None:
    _seed_problems(clean_db, 40)
    body = await checked(await client.get(PROBLEMS, params={"limit": "100", "domain": "education"}), PROBLEMS)
    assert len(body["data"]) == 14 and {p["domain"] for p in body["data"]} == {"education"}
    body = await checked(await client.get(PROBLEMS, params={"limit": "100", "severity": "high",
                                                           "status": "pending_review"}), PROBLEMS)
    assert len(body["data"]) == 20 and body["nextCursor"] is None
    body = await checked(await client.get(PROBLEMS), PROBLEMS)
    assert len(body["data"]) == 20 and body["nextCursor"] is not None  # default limit, all statuses
    for params, field in [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "x"}, "limit"),
                          ({"severity": "huge"}, "severity"), ({"status": "gone"}, "status"),
                          ({"domain": "Robert'); DROP TABLE problems;--"}, "domain"), ({"sort": "id"}, "sort")]:
        resp = await client.get(PROBLEMS, params=params)
        assert resp.status == 400, params
        assert field in {f["field"] for f in (await checked(resp, PROBLEMS))["details"]["fields"]}


@pytest.mark.parametrize("cursor", [
    "!!!", "abc", base64.urlsafe_b64encode(b"1:abc:2").decode(), base64.urlsafe_b64encode(b"2:1:2").decode(),
    base64.urlsafe_b64encode(b"1:999999999999999999:1").decode(), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "x" * 201,
])
async def test_a_malformed_cursor_is_a_400_naming_cursor(client, cursor) -> None:
    resp = await client.get(PROBLEMS, params={"cursor": cursor})
    assert resp.status == 400
    assert (await checked(resp, PROBLEMS))["details"]["fields"][0]["field"] == "cursor"


def test_cursor_round_trip_is_exact_to_the_microsecond() -> None:
    stamp = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=timezone.utc)
    assert decode_cursor(encode_cursor(stamp, 12345)) == (stamp, 12345)
