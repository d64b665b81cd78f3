"""Request bodies and names, and how requests are spread over the agent pool."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.schemas import AgentRegistration, ProblemCreate
from app.worker.cache import fingerprint
from scenarios.agents import agent_headers
from scenarios.api import problem_body, registration_body, title_token, unique_suffix


def test_the_seeds_bodies_are_valid_requests_of_the_api() -> None:
    ProblemCreate.model_validate(problem_body(title_token()))
    AgentRegistration.model_validate(registration_body(f"load-test-agent-{unique_suffix()}"))


def test_titles_stay_distinct_for_the_guardrail_cache() -> None:
    """The seed's Date.now() title gives every submission one cache fingerprint (numbers are
    folded), so all but the first would be answered from the cache; title tokens do not."""
    def content(title: str) -> str:
        return f"Title: {title}\nDomain: environmental_protection\nSeverity: medium\n\nx"

    assert fingerprint(content("Load test problem 1732590000000")) == fingerprint(content("Load test problem 1732590000001"))
    tokens = {title_token() for _ in range(2000)}
    prints = {fingerprint(content(problem_body(t)["title"])) for t in tokens}
    assert len(prints) == len(tokens) == 2000


@dataclass(frozen=True)
class Key:
    name: str

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.name}"}


@dataclass
class FakeVu:
    scenario: str
    credential_pool: tuple[Key, ...] = ()
    own: Key = field(default_factory=lambda: Key("own"))

    def auth_headers(self) -> dict[str, str]:
        return self.own.auth_headers()


def test_each_request_takes_the_next_key_of_its_scenario() -> None:
    pool = tuple(Key(f"k{i}") for i in range(3))
    a1, a2, b = FakeVu("spread_a", pool), FakeVu("spread_a", pool), FakeVu("spread_b", pool)
    used_a = [agent_headers(vu)["Authorization"] for vu in (a1, a2, a1, a2)]
    assert used_a == ["Bearer k0", "Bearer k1", "Bearer k2", "Bearer k0"]  # VUs share the scenario's rotation
    assert agent_headers(b)["Authorization"] == "Bearer k0"


def test_without_a_pool_the_users_own_key_is_used() -> None:
    assert agent_headers(FakeVu("plain_locust"))["Authorization"] == "Bearer own"
