"""Where traffic may go without asking: loopback hosts (127.0.0.0/8, ::1, localhost)."""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    """True for `localhost` and any loopback IP address (v4 or v6); a name is not resolved."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
