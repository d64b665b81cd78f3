"""Tier 3's defensive parsing: only a well-formed verdict counts; nothing defaults to approve."""

from __future__ import annotations

import pytest

from app.worker.llm import MalformedOutput, ModelVerdict, parse_verdict


@pytest.mark.parametrize(("text", "expected"), [
    ('{"verdict": "approve", "reason": "real problem"}', ModelVerdict("approve", "real problem")),
    ('```json\n{"verdict": "REJECT", "reason": " spam "}\n```', ModelVerdict("reject", "spam")),
    ('Here is my answer: {"verdict": "flag", "reason": "unclear", "confidence": 0.4} Thanks.',
     ModelVerdict("flag", "unclear")),
])
def test_well_formed_verdicts_are_read(text: str, expected: ModelVerdict) -> None:
    assert parse_verdict(text) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("I think this should be approved.", "no JSON object"),
    ('{"verdict": "approve", "reason": "cut o', "no JSON object"),
    ('{"verdict": "maybe", "reason": "hmm"}', "verdict must be approve, reject or flag"),
    ('{"decision": "approve"}', "verdict must be approve, reject or flag, but is None"),
    ('{"verdict": "approve"}', "no reason"),
    ('{"verdict": "approve", "reason": ""}', "no reason"),
    ('["approve"]', "no JSON object"),
    ("", "no JSON object"),
])
def test_malformed_answers_are_refused_with_the_problem_named(text: str, problem: str) -> None:
    with pytest.raises(MalformedOutput, match=problem):
        parse_verdict(text)


def test_a_truncated_answer_says_it_was_cut_at_max_tokens() -> None:
    with pytest.raises(MalformedOutput, match="cut at max_tokens"):
        parse_verdict('{"verdict": "approve", "rea', stop_reason="max_tokens")


def test_long_reasons_are_cut() -> None:
    verdict = parse_verdict('{"verdict": "approve", "reason": "%s"}' % ("x" * 2000))
    assert len(verdict.reason) == 500


def test_an_answer_nested_past_what_json_can_parse_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedOutput):
        parse_verdict("[" * 100_000 + "]" * 100_000)
