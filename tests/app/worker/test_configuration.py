"""The worker refuses bad configuration at start, with exit code 2 and every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError
from app.worker.settings import WorkerSettings

from .conftest import run_worker_once


@pytest.fixture
def env(app_env: dict[str, str]) -> dict[str, str]:
    return {**app_env, "ANTHROPIC_API_KEY": "test-key"}


def test_a_broken_rules_file_stops_the_worker_naming_the_rule(env: dict[str, str], tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: unbalanced\n    verdict: reject\n    reason: x\n    any: ['(spam']\n")
    result = run_worker_once({**env, "GUARDRAIL_PREFILTER_RULES": str(rules)})
    assert result.returncode == 2
    assert f"{rules}: rules[0] (unbalanced): `any[0]` '(spam' does not compile" in result.stderr


def test_an_unpriced_model_stops_the_worker(env: dict[str, str]) -> None:
    result = run_worker_once(env, "--model", "claude-imaginary-1")
    assert result.returncode == 2
    assert "no price for model 'claude-imaginary-1'" in result.stderr


def test_every_malformed_variable_is_named(env: dict[str, str]) -> None:
    result = run_worker_once({**env, "WORKER_CONCURRENCY": "five", "GUARDRAIL_LLM_TIMEOUT_S": "fast"})
    assert result.returncode == 2
    assert "WORKER_CONCURRENCY must be an integer, but is 'five'" in result.stderr
    assert "GUARDRAIL_LLM_TIMEOUT_S must be a number, but is 'fast'" in result.stderr


def test_out_of_range_values_are_all_reported() -> None:
    settings = WorkerSettings.from_env({"GUARDRAIL_IDLE_TIMEOUT_S": "0"}).with_overrides(concurrency=0)
    assert settings.problems() == [
        "concurrency must be >= 1, but is 0", "idle_timeout_s must be > 0, but is 0.0",
        "ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) must be set; the stack sets one for the bundled emulator"]
    assert WorkerSettings.from_env({"ANTHROPIC_AUTH_TOKEN": "t"}).problems() == []


def test_a_worker_without_a_model_credential_does_not_start(app_env: dict[str, str]) -> None:
    environment = {k: v for k, v in app_env.items() if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")}
    result = run_worker_once(environment)
    assert result.returncode == 2 and "ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) must be set" in result.stderr


def test_flags_override_the_environment() -> None:
    settings = WorkerSettings.from_env({"WORKER_CONCURRENCY": "7", "GUARDRAIL_IDLE_TIMEOUT_S": "12"})
    assert (settings.concurrency, settings.idle_timeout_s, settings.reclaim_every_s) == (7, 12.0, 4.0)
    assert settings.with_overrides(concurrency=2, idle_timeout_s=None).concurrency == 2


def test_consumer_names_are_unique_per_settings_object() -> None:
    assert WorkerSettings.from_env({}).consumer_name != WorkerSettings.from_env({}).consumer_name
    with pytest.raises(ConfigError):
        WorkerSettings.from_env({"WORKER_METRICS_PORT": "http"})
