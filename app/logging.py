"""Structured JSON logs to stderr, with secrets redacted wherever they appear in an event.

Seed 6.1 rule 2: never log secrets. `redact_secrets` is a structlog processor that walks the whole
event (nested dicts, lists, exception text) and replaces:
- the value of any key that names a secret (authorization, password, token, apiKey, secret...);
- anything shaped like an API key (`bw_<env>_<20+ chars>`) or a JWT (`eyJ...x.y.z`);
- the credential after `Bearer ` in free text.
Records from the standard library (aiohttp, asyncio) go through the same processors.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, MutableMapping

import structlog

REDACTED = "[REDACTED]"

_SECRET_KEY = re.compile(
    r"(authorization|password|passwd|secret|token|api_?key|apikey|pepper|cookie)", re.IGNORECASE
)
_SECRET_TEXT = re.compile(
    r"bw_[a-z]+_[A-Za-z0-9_-]{20,}"  # API keys
    r"|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"  # JWTs (header always starts eyJ)
    r"|(?<=Bearer )[^\s\"',;]+",  # whatever follows Bearer
    re.IGNORECASE,
)
_MAX_DEPTH = 8


def _redact_value(value: Any, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        return REDACTED
    if isinstance(value, str):
        return _SECRET_TEXT.sub(REDACTED, value)
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and _SECRET_KEY.search(key) else _redact_value(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set)):
        return [_redact_value(item, depth + 1) for item in value]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    # Anything else (exceptions, objects) is rendered to text first, then scrubbed.
    return _SECRET_TEXT.sub(REDACTED, str(value))


def redact_secrets(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: scrub secrets from every key and value of the event."""
    for key in list(event_dict):
        if _SECRET_KEY.search(key) and key != "event":
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redact_value(event_dict[key])
    return event_dict


def configure_logging(level: str = "info") -> None:
    """One JSON object per line on stderr, for structlog and standard-library loggers alike.

    Our own events take structlog's direct path (a write per line, ~20 us per access-log line);
    records from the standard library (aiohttp, asyncio, psycopg) go through a logging handler
    with the same processors, so they are JSON and redacted too.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, redact_secrets, structlog.processors.JSONRenderer()],
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_secrets,  # after format_exc_info, so tracebacks are scrubbed too
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # aiohttp's own access log would duplicate ours (app.middleware writes one line per request).
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
