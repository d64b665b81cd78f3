"""A real `python -m app llm-emulator` process for tests, driven over HTTP like a stress plan would."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from collections.abc import Mapping, Sequence

from harness.stack.processes import ManagedProcess, child_env, free_port, spawn, wait_until


class EmulatorProcess:
    def __init__(self, process: ManagedProcess, port: int) -> None:
        self.process = process
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, *, log_dir: Path, args: Sequence[str] = (), env: Mapping[str, str] | None = None) -> EmulatorProcess:
        port = free_port()
        process = spawn("llm-emulator", [sys.executable, "-m", "app", "llm-emulator", "--port", str(port), *args],
                        log_path=log_dir / f"llm-emulator-{port}.log", env=child_env(env or {}))
        emulator = cls(process, port)
        wait_until(lambda: emulator.request("GET", "/health")[0] == 200, process=process, timeout_s=20,
                   what="healthy")
        return emulator

    def request(self, method: str, path: str, body: Any = None,
                headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                raw, status = response.read(), response.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode()

    def _admin(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        status, answer = self.request(method, path, body)
        assert status == 200, f"{method} {path} -> {status}: {answer}"
        return answer

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        return self._admin("POST", "/admin/faults", changes)

    def reset_faults(self) -> dict[str, Any]:
        return self._admin("DELETE", "/admin/faults")

    def set_latency(self, **changes: Any) -> dict[str, Any]:
        return self._admin("POST", "/admin/latency", changes)

    def stats(self) -> dict[str, Any]:
        return self._admin("GET", "/admin/stats")

    def requests_total(self) -> int:
        """Requests received so far (a hanging one counts before it is answered)."""
        return int(self.stats()["received"])

    def stop(self) -> None:
        self.process.stop(timeout_s=10)
