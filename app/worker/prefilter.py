"""Tier 1 of the guardrail: regex/keyword rules for obviously bad or obviously good content.

Seed 10.2 (strategy 4): a cheap pre-filter settles 20-30 % of submissions without an LLM call.
Rules live in YAML (`prefilter_rules.yaml`) and are validated when loaded; every problem is
reported at once, naming the file, the rule and the key. Reject rules are tried before approve
rules, so content that matches both is rejected: the pre-filter may only be wrong on the safe side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

Verdict = Literal["approve", "reject"]
_RULE_KEYS = {"name", "verdict", "reason", "any", "all", "none", "min_length", "max_length", "description"}
_TOP_KEYS = {"version", "rules"}
# Rules are trusted configuration, but bound the text a pattern scans all the same.
MAX_SCANNED_CHARS = 20_000


class RulesError(ValueError):
    """The rules file is invalid; the message lists every problem found."""


@dataclass(frozen=True)
class Rule:
    name: str
    verdict: Verdict
    reason: str
    any_of: tuple[re.Pattern[str], ...] = ()
    all_of: tuple[re.Pattern[str], ...] = ()
    none_of: tuple[re.Pattern[str], ...] = ()
    min_length: int = 0
    max_length: int | None = None

    def matches(self, text: str) -> bool:
        if len(text) < self.min_length or (self.max_length is not None and len(text) > self.max_length):
            return False
        if self.any_of and not any(pattern.search(text) for pattern in self.any_of):
            return False
        if not all(pattern.search(text) for pattern in self.all_of):
            return False
        return not any(pattern.search(text) for pattern in self.none_of)


@dataclass(frozen=True)
class PrefilterHit:
    rule: str
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]

    def check(self, text: str) -> PrefilterHit | None:
        """The first matching reject rule, else the first matching approve rule, else None."""
        scanned = text[:MAX_SCANNED_CHARS]
        for verdict in ("reject", "approve"):
            for rule in self.rules:
                if rule.verdict == verdict and rule.matches(scanned):
                    return PrefilterHit(rule=rule.name, verdict=rule.verdict, reason=rule.reason)
        return None


def load_rules(path: Path) -> RuleSet:
    """Read and validate a rules file; RulesError lists every problem with the file named."""
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the pre-filter rules: {exc}") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from None
    return parse_rules(document, source=str(path))


def parse_rules(document: Any, *, source: str = "<rules>") -> RuleSet:
    errors: list[str] = []
    if not isinstance(document, dict):
        raise RulesError(f"{source}: expected a mapping with a `rules` list, but found {type(document).__name__}")
    errors += [f"{source}: unknown key {key!r} (expected: {', '.join(sorted(_TOP_KEYS))})"
               for key in document if key not in _TOP_KEYS]
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        errors.append(f"{source}: `rules` must be a non-empty list")
        raw_rules = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        rule, problems = _parse_rule(raw, index)
        if rule is not None and rule.name in seen:
            problems.append(f"name {rule.name!r} is used by an earlier rule")
        if rule is not None:
            seen.add(rule.name)
        label = f"rules[{index}]" + (f" ({raw.get('name')})" if isinstance(raw, dict) and raw.get("name") else "")
        errors += [f"{source}: {label}: {problem}" for problem in problems]
        if rule is not None and not problems:
            rules.append(rule)
    if errors:
        raise RulesError("\n".join(errors))
    return RuleSet(rules=tuple(rules))


def _parse_rule(raw: Any, index: int) -> tuple[Rule | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"must be a mapping, but is {type(raw).__name__}"]
    problems = [f"unknown key {key!r}" for key in raw if key not in _RULE_KEYS]
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("`name` must be a non-empty string")
        name = f"#{index}"
    verdict = raw.get("verdict")
    if verdict not in ("approve", "reject"):
        problems.append(f"`verdict` must be approve or reject, but is {verdict!r}")
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append("`reason` must be a non-empty string")
    patterns = {key: _compile_list(raw.get(key), key, problems) for key in ("any", "all", "none")}
    if not patterns["any"] and not patterns["all"]:
        problems.append("needs at least one pattern under `any` or `all`")
    min_length = _length(raw, "min_length", problems) or 0
    max_length = _length(raw, "max_length", problems)
    if problems:
        return Rule(name=name, verdict="reject", reason=""), problems
    return Rule(name=name, verdict=verdict, reason=reason.strip(), any_of=patterns["any"],
                all_of=patterns["all"], none_of=patterns["none"], min_length=min_length,
                max_length=max_length), problems


def _compile_list(value: Any, key: str, problems: list[str]) -> tuple[re.Pattern[str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        problems.append(f"`{key}` must be a list of non-empty regular expressions")
        return ()
    compiled: list[re.Pattern[str]] = []
    for position, pattern in enumerate(value):
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            problems.append(f"`{key}[{position}]` {pattern!r} does not compile: {exc}")
    return tuple(compiled)


def _length(raw: dict[str, Any], key: str, problems: list[str]) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"`{key}` must be an integer >= 0, but is {value!r}")
        return None
    return value
