"""`python -m app llm-emulator` as the stack starts it: env configuration, health, 127.0.0.1 only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anthropic
import psutil

from harness.stack.processes import child_env

from .process import EmulatorProcess


async def test_the_process_serves_the_sdk_and_is_configured_from_the_environment(tmp_path: Path) -> None:
    emulator = EmulatorProcess.start(log_dir=tmp_path, env={"LLM_EMULATOR_LATENCY": "fixed",
                                                           "LLM_EMULATOR_LATENCY_MEDIAN_MS": "10",
                                                           "LLM_EMULATOR_RATE_MALFORMED": "0.25"})
    try:
        status, config = emulator.request("GET", "/admin/config")
        assert status == 200
        assert config["latency"]["distribution"] == "fixed" and config["faults"]["rate_malformed"] == 0.25
        assert emulator.request("POST", "/v1/messages", {"model": "m"})[0] == 401
        async with anthropic.AsyncAnthropic(api_key="k", base_url=emulator.url, max_retries=0) as client:
            message = await client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=100,
                                                   messages=[{"role": "user", "content": "hello"}])
        assert message.usage.input_tokens > 0
        assert emulator.stats()["by_status"] == {"200": 1, "401": 1}
        listening = [c.laddr.ip for c in psutil.net_connections(kind="tcp")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port == emulator.port]
        assert listening == ["127.0.0.1"], "bound to the loopback interface only"
    finally:
        emulator.stop()
    assert emulator.process.popen.returncode == 0


def test_invalid_options_exit_2_naming_each_problem() -> None:
    result = subprocess.run([sys.executable, "-m", "app", "llm-emulator", "--latency-p95-ms", "100"],
                            env=child_env({"LLM_EMULATOR_RATE_429": "2", "LLM_EMULATOR_SEED": "abc"}),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "LLM_EMULATOR_SEED must be int, but is 'abc'" in result.stderr
    assert "p95_ms must be >= median_ms (700.0), but is 100.0" in result.stderr
    assert "rate_429 must be between 0 and 1, but is 2.0" in result.stderr
