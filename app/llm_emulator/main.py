"""`python -m app llm-emulator [--port N] ...`: the bundled Messages API emulator, on 127.0.0.1.

Every option has an environment variable (flags win). Faults and latency can also be changed
while it runs: `POST /admin/faults {"rate_429": 1.0}`, `DELETE /admin/faults`,
`POST /admin/latency {"median_ms": 50}`, `GET /admin/config`, `GET /admin/stats`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any
from collections.abc import Callable, Mapping

from aiohttp import web
from prometheus_client import disable_created_metrics

from .faults import FaultConfig
from .latency import LatencyModel
from .server import EmulatorConfig, create_app

DEFAULT_HOST = "127.0.0.1"  # LLM_EMULATOR_HOST=0.0.0.0 in a container; admin stays local-only
SHUTDOWN_TIMEOUT_S = 2.0    # no state to save; do not wait out a request that was told to hang

# (flag, environment variable, type, default, help)
_OPTIONS: tuple[tuple[str, str, Callable[[str], Any], Any, str], ...] = (
    ("--host", "LLM_EMULATOR_HOST", str, DEFAULT_HOST, "address to bind (0.0.0.0 only in a container)"),
    ("--port", "LLM_EMULATOR_PORT", int, 8090, "port to listen on"),
    ("--seed", "LLM_EMULATOR_SEED", int, 42, "seed of the latency, fault and id RNGs"),
    ("--api-key", "LLM_EMULATOR_API_KEY", str, None, "accept only this key (default: any non-empty key)"),
    ("--latency", "LLM_EMULATOR_LATENCY", str, "lognormal", "latency distribution: lognormal or fixed"),
    ("--latency-median-ms", "LLM_EMULATOR_LATENCY_MEDIAN_MS", float, 700.0, "median latency (fixed: the latency)"),
    ("--latency-p95-ms", "LLM_EMULATOR_LATENCY_P95_MS", float, 1600.0, "95th percentile latency (lognormal)"),
    ("--latency-max-ms", "LLM_EMULATOR_LATENCY_MAX_MS", float, 30_000.0, "cap on one latency"),
    ("--rate-429", "LLM_EMULATOR_RATE_429", float, 0.0, "share of requests answered 429 rate_limit_error"),
    ("--rate-529", "LLM_EMULATOR_RATE_529", float, 0.0, "share of requests answered 529 overloaded_error"),
    ("--rate-timeout", "LLM_EMULATOR_RATE_TIMEOUT", float, 0.0, "share of requests that hang for --hang-s"),
    ("--rate-malformed", "LLM_EMULATOR_RATE_MALFORMED", float, 0.0, "share of answers that are not a valid verdict"),
    ("--retry-after-s", "LLM_EMULATOR_RETRY_AFTER_S", float, 1.0, "retry-after sent with 429"),
    ("--hang-s", "LLM_EMULATOR_HANG_S", float, 600.0, "how long a timeout fault sleeps"),
)


class EmulatorConfigError(ValueError):
    """Invalid options; the message names each flag or variable."""


def parse_config(argv: list[str], env: Mapping[str, str] | None = None) -> tuple[EmulatorConfig, int, str]:
    """The emulator's configuration, port and bind address from flags, then environment."""
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(prog="python -m app llm-emulator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for flag, variable, kind, default, text in _OPTIONS:
        parser.add_argument(flag, type=kind, help=f"{text} ({variable}, default {default})")
    args = vars(parser.parse_args(argv))
    values: dict[str, Any] = {}
    errors: list[str] = []
    for flag, variable, kind, default, _ in _OPTIONS:
        key = flag[2:].replace("-", "_")
        value = args.get(key)
        if value is None and env.get(variable):
            try:
                value = kind(env[variable])
            except ValueError:
                errors.append(f"{variable} must be {kind.__name__}, but is {env[variable]!r}")
        values[key] = default if value is None else value
    latency = LatencyModel(distribution=values["latency"], median_ms=values["latency_median_ms"],
                           p95_ms=values["latency_p95_ms"], max_ms=values["latency_max_ms"])
    faults = FaultConfig(rate_429=values["rate_429"], rate_529=values["rate_529"],
                         rate_timeout=values["rate_timeout"], rate_malformed=values["rate_malformed"],
                         retry_after_s=values["retry_after_s"], hang_s=values["hang_s"])
    errors += latency.problems() + faults.problems()
    if not 0 <= values["port"] <= 65535:
        errors.append(f"port must be between 0 and 65535, but is {values['port']}")
    if errors:
        raise EmulatorConfigError("; ".join(errors))
    config = EmulatorConfig(latency=latency, faults=faults, seed=values["seed"], api_key=values["api_key"])
    return config, values["port"], values["host"]


def main(argv: list[str]) -> int:
    try:
        config, port, host = parse_config(argv)
    except EmulatorConfigError as exc:
        print(f"llm-emulator: {exc}", file=sys.stderr)
        return 2
    disable_created_metrics()  # `_created` series double the exposition and no rule reads them
    print(f"llm-emulator: listening on http://{host}:{port} (latency {config.latency.as_dict()}, "
          f"faults {config.faults.as_dict()})", flush=True)
    web.run_app(create_app(config), host=host, port=port, print=None, access_log=None,
                shutdown_timeout=SHUTDOWN_TIMEOUT_S)
    return 0
