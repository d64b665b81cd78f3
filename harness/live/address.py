"""The checks of where the live metrics are served: a valid port, and loopback unless asked."""

from __future__ import annotations

import socket

from harness.errors import InputError
from harness.parsing.addresses import is_loopback


def check_metrics_address(*, host: str, port: int, expose: bool) -> None:
    """Raise InputError (one line) for a port outside 1-65535, a non-loopback host without
    `expose`, or an address nothing can listen on now (taken, or not this machine's)."""
    if not 1 <= port <= 65535:
        raise InputError(f"--metrics-port must be 1-65535, but is {port}")
    if not is_loopback(host) and not expose:
        raise InputError(f"--metrics-host {host} is not a loopback address; add --metrics-expose to serve "
                         "the metrics beyond this machine")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise InputError(f"--metrics-port {port}: cannot listen on {host}:{port} ({error.strerror or error})") from None
