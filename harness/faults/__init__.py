"""Fault scenarios: provoke the platform the way production will, and measure what survives.

One module per fault; each exposes `run_<fault>(lab, ...) -> <Fault>Result`, a frozen dataclass
of the figures it measured, whose `figures()` carry their goals. `bwperf selftest` and the pytest
fault suite (tests/reliability) call the same functions.

    lab.FaultLab          the servers (embedded PostgreSQL, Valkey) and the platform processes
    worker_kill           kill -9 a guardrail worker mid-flood: jobs reclaimed, none lost or doubled
    valkey_restart        crash and restart Valkey (AOF) mid-flood: no accepted job lost
    db_outage             stop PostgreSQL under load: fast 503s, /ready 503, recovery time
    db_freeze             SIGSTOP PostgreSQL: /ready still answers within its budget
    api_sigterm           SIGTERM the API under load: no in-flight request fails
    redis_down            Valkey down: the rate limiter fails open, then limits again
"""

from .api_sigterm import ApiSigtermResult, run_api_sigterm
from .db_freeze import DbFreezeResult, run_db_freeze
from .db_outage import DbOutageResult, run_db_outage
from .lab import FaultLab, PlatformProcess
from .redis_down import RedisDownResult, run_redis_down
from .results import FaultResult, Figure
from .valkey_restart import ValkeyRestartResult, run_valkey_restart
from .worker_kill import WorkerKillResult, run_worker_kill

__all__ = [
    "ApiSigtermResult", "DbFreezeResult", "DbOutageResult", "FaultLab", "FaultResult", "Figure", "PlatformProcess",
    "RedisDownResult", "ValkeyRestartResult", "WorkerKillResult", "run_api_sigterm", "run_db_freeze",
    "run_db_outage", "run_redis_down", "run_valkey_restart", "run_worker_kill",
]
