"""The target URL: where load may go (loopback only, unless explicitly allowed) and whether
anything listens there."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

from harness.errors import TargetError
from harness.parsing.addresses import is_loopback

CONNECT_TIMEOUT_S = 3.0


def without_credentials(url: str) -> str:
    """The URL as it may be shown: any `user:password@` replaced by `***@`."""
    parts = urlsplit(url)
    return url if "@" not in parts.netloc else urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def refuse_http_credentials(url: str, *, what: str) -> None:
    """An http(s) URL must not carry `user:password@`: the URL is stored in result.json and shown
    in reports (a Redis URL's password is different: it is masked wherever it is shown)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        raise TargetError(f"{what} {without_credentials(url)!r} carries credentials (user:password@): they would be "
                          "stored in the result and its reports; give the URL without them")


def target_host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"target {without_credentials(url)!r} is not an http(s) URL like http://127.0.0.1:4000")
    refuse_http_credentials(url, what="target")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise TargetError(f"target {without_credentials(url)!r} has an invalid port") from error
    return parts.hostname, port


def check_target(url: str, *, allow_remote: bool) -> None:
    """Raise `TargetError` (exit 2) naming the reason: not allowed, or not reachable."""
    host, port = target_host_port(url)
    if not is_loopback(host) and not allow_remote:
        raise TargetError(
            f"target host {host!r} is not on this machine: load, soak and stress traffic may only go "
            "to 127.0.0.1, localhost or ::1 unless --allow-remote-target is given (e.g. staging in CI)"
        )
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as error:
        raise TargetError(f"target {url} is unreachable: nothing accepts connections on {host}:{port} ({error})") from error


def check_sampled_url(url: str, *, allow_remote: bool) -> None:
    """A sampled endpoint (extra /metrics, Redis) follows the target's rule: this machine only,
    unless remote targets are allowed. Reachability is not required (samplers note it once)."""
    refuse_http_credentials(url, what="sampled endpoint")
    host = urlsplit(url).hostname or ""
    if not is_loopback(host) and not allow_remote:
        raise TargetError(
            f"{without_credentials(url)!r} is not on this machine: sampled endpoints, like targets, must be 127.0.0.1, "
            "localhost or ::1 unless --allow-remote-target is given"
        )
