"""Fault draws follow their rates and budget; verdicts are deterministic and respect keywords."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from app.llm_emulator.faults import FaultConfig, FaultConfigError, FaultInjector
from app.llm_emulator.verdicts import decide, malformed_answer
from app.worker.llm import MalformedOutput, parse_verdict


def test_faults_are_drawn_at_their_rates() -> None:
    injector = FaultInjector(FaultConfig(rate_429=0.2, rate_529=0.1, rate_malformed=0.05), random.Random(5))
    counts = Counter(injector.draw() for _ in range(20_000))
    assert counts["rate_limit"] / 20_000 == pytest.approx(0.2, abs=0.015)
    assert counts["overloaded"] / 20_000 == pytest.approx(0.1, abs=0.01)
    assert counts["malformed"] / 20_000 == pytest.approx(0.05, abs=0.008)
    assert counts["timeout"] == 0


def test_a_fault_budget_ends_the_storm() -> None:
    injector = FaultInjector(FaultConfig(rate_529=1.0, max_faults=2), random.Random())
    assert [injector.draw() for _ in range(4)] == ["overloaded", "overloaded", None, None]


def test_updates_are_validated_and_name_the_setting() -> None:
    config = FaultConfig()
    assert config.updated({"rate_429": 1}).rate_429 == 1.0
    with pytest.raises(FaultConfigError, match="unknown fault setting\\(s\\) rate_500"):
        config.updated({"rate_500": 0.1})
    with pytest.raises(FaultConfigError, match="add up to at most 1, but add up to 1.5"):
        config.updated({"rate_429": 0.8, "rate_529": 0.7})
    with pytest.raises(FaultConfigError, match="rate_timeout must be a number, but is 'high'"):
        config.updated({"rate_timeout": "high"})
    with pytest.raises(FaultConfigError, match="max_faults must be a number or null"):
        config.updated({"max_faults": 1.5})


def test_verdicts_are_deterministic_and_mostly_approve() -> None:
    texts = [f"Problem about the {i}th bridge in the valley" for i in range(2000)]
    assert [decide(t) for t in texts] == [decide(t) for t in texts]
    shares = Counter(decide(t)[0] for t in texts)
    assert shares["approve"] / 2000 == pytest.approx(0.85, abs=0.03)
    assert shares["flag"] / 2000 == pytest.approx(0.10, abs=0.02)


def test_obvious_keywords_decide() -> None:
    assert decide("A crypto giveaway for you")[0] == "reject"
    assert decide("An unverified rumour about the dam")[0] == "flag"


def test_every_malformed_answer_is_refused_by_the_workers_parser() -> None:
    rng = random.Random(0)
    answers = {malformed_answer(rng) for _ in range(200)}
    assert len(answers) >= 5
    for answer in answers:
        with pytest.raises(MalformedOutput):
            parse_verdict(answer)
