"""Tier 1: the shipped rules decide the obvious cases, and a broken rules file is refused with
every problem named."""

from __future__ import annotations

import pytest

from app.worker.prefilter import RulesError, load_rules, parse_rules
from app.worker.settings import WorkerSettings

RULES = load_rules(WorkerSettings.prefilter_rules_path)

WATER_REPORT = ("No safe drinking water\nAccording to the 2024 district survey, 1,200 households in the "
                "northern villages lack safe drinking water; children walk two hours a day to fetch water "
                "from a contaminated river, and cases of diarrhoea have doubled since last year.")


@pytest.mark.parametrize(("text", "rule"), [
    ("Great deal\nBuy now, only today!", "commercial-spam"),
    ("Online casino\nWin big at our casino tonight", "commercial-spam"),
    ("Free BTC\nBitcoin giveaway: send 1 and get 2 back", "crypto-giveaway"),
    ("Links\n" + " ".join(f"https://spam{i}.example/x" for i in range(5)), "link-farm"),
    ("Hello\n<script>alert(1)</script> the river is dirty", "script-injection"),
    ("Rant\nWe should kill all pigeons in the square", "incitement"),
    ("Help\nwater", "too-short"),
])
def test_obviously_bad_content_is_rejected_by_its_rule(text: str, rule: str) -> None:
    hit = RULES.check(text)
    assert hit is not None and (hit.rule, hit.verdict) == (rule, "reject")


def test_a_sourced_report_naming_the_affected_people_is_approved() -> None:
    hit = RULES.check(WATER_REPORT)
    assert hit is not None and (hit.rule, hit.verdict) == ("evidence-backed-report", "approve")


@pytest.mark.parametrize("text", [
    WATER_REPORT + " Details: https://example.org/report",     # a link: not obviously good any more
    WATER_REPORT[:150],                                          # too short to be obviously good
    "Potholes\nThe road to the market has deep potholes that damage carts and bicycles.",
    "Four links\n" + " ".join(f"https://ok{i}.example" for i in range(4)),
])
def test_ordinary_content_goes_on_to_the_next_tier(text: str) -> None:
    assert RULES.check(text) is None


def test_reject_rules_win_over_approve_rules() -> None:
    hit = RULES.check(WATER_REPORT + " Click here to donate.")
    assert hit is not None and hit.verdict == "reject"


def test_every_problem_of_a_rules_file_is_reported_with_the_rule_named() -> None:
    document = {"rules": [
        {"name": "ok", "verdict": "reject", "reason": "fine", "any": ["spam"]},
        {"name": "broken-regex", "verdict": "reject", "reason": "x", "any": ["(unclosed"]},
        {"name": "bad-verdict", "verdict": "maybe", "reason": "x", "any": ["a"]},
        {"name": "no-patterns", "verdict": "approve", "reason": "x", "none": ["b"]},
        {"name": "ok", "verdict": "approve", "reason": "dup", "all": ["c"], "colour": "red"},
    ], "extra": 1}
    with pytest.raises(RulesError) as caught:
        parse_rules(document, source="rules.yaml")
    message = str(caught.value)
    assert "rules.yaml: unknown key 'extra'" in message
    assert "rules[1] (broken-regex): `any[0]` '(unclosed' does not compile" in message
    assert "rules[2] (bad-verdict): `verdict` must be approve or reject, but is 'maybe'" in message
    assert "rules[3] (no-patterns): needs at least one pattern under `any` or `all`" in message
    assert "rules[4] (ok): unknown key 'colour'" in message
    assert "rules[4] (ok): name 'ok' is used by an earlier rule" in message


def test_a_rules_file_that_is_not_yaml_is_refused_with_its_path(tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: [unclosed")
    with pytest.raises(RulesError, match=f"{path}: not valid YAML"):
        load_rules(path)
