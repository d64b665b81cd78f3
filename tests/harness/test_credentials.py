import json

import pytest

from harness.credentials import REGISTER_PATH, AgentCredential, provision_agents
from harness.errors import SetupError
from harness.platform_client import Reply


def reply(status: int, body: dict | None = None, headers: dict | None = None) -> Reply:
    return Reply(method="POST", url="http://127.0.0.1:4000" + REGISTER_PATH, status=status, headers=headers or {},
                 text=json.dumps(body or {}))


def test_provisions_the_pool_and_waits_out_429():
    usernames = []
    answers = iter([reply(201, {"agentId": "a1", "apiKey": "k1"}), reply(429, headers={"Retry-After": "2"}),
                    reply(201, {"agentId": "a2", "apiKey": "k2"})])
    slept = []

    def register(username):
        usernames.append(username)
        return next(answers)

    pool = provision_agents(target="http://127.0.0.1:4000/", size=2, run_tag="t", register=register,
                            sleep=slept.append)
    assert [c.api_key for c in pool] == ["k1", "k2"]
    assert slept == [2.0]
    assert len(set(usernames)) == 3 and all(name.startswith("bwperf-t-") for name in usernames)


def test_unexpected_status_is_a_setup_error():
    with pytest.raises(SetupError, match="answered 404, expected 201"):
        provision_agents(target="http://127.0.0.1:1", size=1, run_tag="t", register=lambda username: reply(404))


def test_endless_429_gives_up_with_advice():
    with pytest.raises(SetupError, match="loadtest"):
        provision_agents(target="http://127.0.0.1:1", size=1, run_tag="t",
                         register=lambda username: reply(429, headers={"retry-after": "30"}), sleep=lambda s: None)


def test_an_unreachable_platform_is_a_setup_error_naming_the_url():
    with pytest.raises(SetupError, match=r"cannot register agents: POST http://127.0.0.1:9/api/v1/auth/agents/register"):
        provision_agents(target="http://127.0.0.1:9", size=1, run_tag="t")  # nothing listens on :9


def test_keys_stay_out_of_reprs():
    credential = AgentCredential("agent-1", "bw_secret_key", "u")
    assert "bw_secret_key" not in repr(credential)
    assert credential.auth_headers() == {"Authorization": "Bearer bw_secret_key"}


def test_preprovisioned_keys_replace_registration() -> None:
    from harness.credentials import agent_pool, preprovisioned_agents

    env = {"BWPERF_AGENT_KEYS": "bw_staging_aaa, bw_staging_bbb\nbw_staging_ccc"}
    pool = agent_pool(target="http://127.0.0.1:9", size=200, run_tag="t", env=env)  # nothing listens on :9
    assert [c.api_key for c in pool] == ["bw_staging_aaa", "bw_staging_bbb", "bw_staging_ccc"]
    assert "bw_staging" not in repr(pool)  # keys never in reprs (and so never in logs)
    assert preprovisioned_agents({}) == []
    assert agent_pool(target="http://127.0.0.1:9", size=0, run_tag="t", env={}) == []
