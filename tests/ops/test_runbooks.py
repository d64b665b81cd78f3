"""docs/runbooks: the six playbooks of seed 9.3 follow its template; every alert a runbook cites
exists in alerts.yml and every alert's runbook cites it; the commands, stream names and metrics
they tell an on-call engineer to use are the project's real ones."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest

from .conftest import (
    PENDING_BWPERF_COMMANDS,
    REPO,
    Service,
    app_commands,
    check_bwperf_call,
    exported_metric_names,
    load_yaml,
    pending,
)
from .test_alert_rules import REDIS_EXPORTER_METRICS

RUNBOOKS = REPO / "docs" / "runbooks"
PLAYBOOKS = ("database-unreachable.md", "redis-unreachable.md", "guardrail-classifier-down.md",
             "deploy-5xx-spike.md", "data-breach-suspected.md", "ddos.md")
SECTIONS = ("Detection", "Assessment", "Communication", "Mitigation", "Resolution", "Post-mortem")
ALERT_TOKEN = re.compile(r"^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")
METRIC = re.compile(r"(?<![\w.:/-])((?:http|db_pool|guardrail|rate_limit|redis|process)_[a-z0-9_]+)")
# snake_case names in the runbooks that are not metrics: columns, a k6 threshold, the exporter,
# a key of .bwperf/stack.json.
NOT_METRICS = {"guardrail_reason", "guardrail_tier", "guardrail_latency", "guardrail_evaluations", "redis_exporter",
               "redis_url"}


def text(name: str) -> str:
    return (RUNBOOKS / name).read_text()


def code_spans(markdown: str) -> list[str]:
    """Fenced block lines and inline code spans (which may wrap lines), whitespace normalised."""
    spans: list[str] = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", markdown, re.DOTALL):
        spans += block.splitlines()
    without_blocks = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    spans += re.findall(r"`([^`]+)`", without_blocks)
    return [" ".join(span.split()) for span in spans]


def section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}[^\n]*\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL)
    assert match, f"no '## {title}' section"
    return match.group(1)


def alerts() -> dict[str, str]:
    return {rule["alert"]: rule["annotations"]["runbook_url"]
            for group in load_yaml("ops/prometheus/alerts.yml")["groups"] for rule in group["rules"]}


def cited_alerts(markdown: str) -> set[str]:
    return {token for token in re.findall(r"`([^`\s]+)`", markdown)
            if ALERT_TOKEN.match(token) and sum(c.isupper() for c in token) >= 2}


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_playbook_follows_the_seed_template(name: str) -> None:
    markdown = text(name)
    for field in ("Severity", "Owner", "Last tested"):
        assert f"| {field} |" in markdown, f"{name}: no {field} line"
    for title in SECTIONS:
        assert section(markdown, title).strip(), f"{name}: empty '{title}'"
    assert "docs/postmortems/" in section(markdown, "Post-mortem")
    assert name in text("README.md"), f"README.md does not list {name}"


@pytest.mark.parametrize("name", (*PLAYBOOKS, "README.md"))
def test_every_alert_a_runbook_cites_exists(name: str) -> None:
    unknown = sorted(cited_alerts(text(name)) - set(alerts()))
    assert not unknown, f"docs/runbooks/{name} cites {', '.join(unknown)}, not in ops/prometheus/alerts.yml"


@pytest.mark.parametrize("alert", sorted(alerts()))
def test_every_alert_links_a_runbook_whose_detection_names_it(alert: str) -> None:
    url = alerts()[alert]
    assert url.startswith("docs/runbooks/") and (REPO / url).is_file(), f"{alert}: runbook_url {url!r} is not a file"
    assert f"`{alert}`" in section((REPO / url).read_text(), "Detection"), (
        f"{alert} links {url}, whose Detection section does not name it")


def test_each_playbook_is_opened_by_at_least_one_alert() -> None:
    linked = {url.rsplit("/", 1)[-1] for url in alerts().values()}
    assert set(PLAYBOOKS) <= linked, f"no alert opens {sorted(set(PLAYBOOKS) - linked)}"


# ── what the runbooks tell people to run ───────────────────────────────────────────────────

def _invocations(prefix: str) -> list[tuple[str, list[str]]]:
    found = []
    for name in (*PLAYBOOKS, "README.md"):
        for span in code_spans(text(name)):
            index = span.find(prefix)
            if index < 0:
                continue
            command = re.split(r"\s(?:&|\||;|#)\s?|\s&$", span[index:])[0]
            found.append((name, shlex.split(command)))
    return found


def _bwperf_params() -> list[Any]:
    seen: dict[tuple[str, str], Any] = {}
    for name, argv in _invocations("bwperf "):
        key = (name, argv[1])
        seen.setdefault(key, pending((name, argv), PENDING_BWPERF_COMMANDS, key=argv[1], id=f"{name}:{argv[1]}"))
    return list(seen.values())


@pytest.mark.parametrize("call", _bwperf_params())
def test_bwperf_commands_in_runbooks_exist_with_their_options(call: tuple[str, list[str]],
                                                               bwperf_commands: dict[str, list[str]]) -> None:
    name, argv = call
    for _, other in _invocations("bwperf "):
        if other[1] == argv[1]:
            check_bwperf_call(bwperf_commands, other[1:], where=f"docs/runbooks/{name}")


def test_platform_commands_in_runbooks_exist() -> None:
    calls = _invocations("python -m app ")
    assert calls, "the runbooks should show how to run the platform's processes"
    for name, argv in calls:
        for command in argv[3].split("|"):  # `python -m app api|worker|...` lists alternatives
            assert command in app_commands(), f"docs/runbooks/{name}: `python -m app {command}` is not an app command"


def test_queue_names_are_the_ones_the_code_uses() -> None:
    from app.config import Settings
    from app.worker.jobs import DEFAULT_DEAD_STREAM, DEFAULT_GROUP

    stream, group, dead = Settings().guardrail_stream, DEFAULT_GROUP, DEFAULT_DEAD_STREAM
    guardrail = text("guardrail-classifier-down.md")
    assert f"XPENDING {stream} {group}" in guardrail and f"XLEN {dead}" in guardrail
    # The worker's PostgreSQL application_name also starts with `guardrail-`.
    sources = "\n".join(p.read_text() for p in (REPO / "app").rglob("*.py"))
    application_names = set(re.findall(r'"application_name": "([^"]+)"', sources))
    for name in (*PLAYBOOKS, "README.md"):
        for token in re.findall(r"guardrail[:\-][a-z]+(?![\w-])", text(name)):
            assert token in {stream, group, dead} | application_names, (
                f"docs/runbooks/{name}: {token} is neither a queue name nor an application_name of the code")
        for token in re.findall(r"application_name (?:= |NOT IN \()'([^']+)'", text(name)):
            assert token in application_names, f"docs/runbooks/{name}: application_name {token!r} is not the code's"


def test_metrics_named_in_runbooks_are_exported(running_api: Service, running_worker: Service) -> None:
    exported = (exported_metric_names(running_api.get("/metrics")[1].decode())
                | exported_metric_names(running_worker.get("/metrics")[1].decode())
                | REDIS_EXPORTER_METRICS)
    problems = []
    for name in (*PLAYBOOKS, "README.md"):
        for span in code_spans(text(name)):
            for metric in METRIC.findall(span):
                if metric not in NOT_METRICS and metric not in exported:
                    problems.append(f"docs/runbooks/{name}: {metric}")
    assert not problems, "metrics named in runbooks but not exported:\n" + "\n".join(sorted(set(problems)))
