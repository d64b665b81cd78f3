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


def test_one_process_hands_vu_v_key_v_mod_pool_as_before() -> None:
    from harness.credentials import credential_source

    pool = [AgentCredential(f"a{i}", f"k{i}") for i in range(3)]
    keys = credential_source(pool)
    assert [keys.for_vu(v)["api_key"] for v in range(7)] == ["k0", "k1", "k2", "k0", "k1", "k2", "k0"]


def test_workers_split_the_keys_like_data_rows_and_never_share_one() -> None:
    from harness.credentials import credential_source, credentials_of

    pool = [AgentCredential(f"a{i}", f"k{i}") for i in range(5)]
    shares = [credential_source(pool, worker_index=k, worker_count=2) for k in range(2)]
    assert [[c.api_key for c in credentials_of(s)] for s in shares] == [["k0", "k2", "k4"], ["k1", "k3"]]
    # VU ids are numbered across workers (v % 2 == worker index); each cycles within its worker's share
    assert [shares[0].for_vu(v)["api_key"] for v in (0, 2, 4, 6)] == ["k0", "k2", "k4", "k0"]
    assert [shares[1].for_vu(v)["api_key"] for v in (1, 3, 5)] == ["k1", "k3", "k1"]


def test_a_worker_beyond_the_keys_still_gets_one() -> None:
    from harness.credentials import credential_source

    keys = credential_source([AgentCredential("a0", "k0")], worker_index=1, worker_count=2)
    assert keys.for_vu(1)["api_key"] == keys.for_vu(3)["api_key"] == "k0"
