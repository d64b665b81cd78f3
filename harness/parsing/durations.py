"""k6 duration strings: "30s", "1m30s", "500ms", "1h", "2.5s", "1d".

A bare number is milliseconds, as in k6's JSON options. Values are converted to seconds once,
here, and carried as `*_s` floats everywhere else.
"""

from __future__ import annotations

import re

_UNIT_S: dict[str, float] = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+")


class DurationSyntaxError(ValueError):
    """The text is not a k6 duration."""


def parse_duration_s(value: object) -> float:
    """Seconds for a k6 duration string, or for a bare number of milliseconds."""
    if isinstance(value, bool):
        raise DurationSyntaxError(f"expected a duration like '30s' or '1m30s', found {value!r}")
    if isinstance(value, (int, float)):
        return float(value) / 1000.0
    if not isinstance(value, str):
        raise DurationSyntaxError(f"expected a duration like '30s' or '1m30s', found {value!r}")
    text = value.strip()
    if text == "0":
        return 0.0
    if not _WHOLE.fullmatch(text):
        raise DurationSyntaxError(f"expected a duration like '30s', '1m30s' or '500ms', found {value!r}")
    return sum(float(number) * _UNIT_S[unit] for number, unit in _PART.findall(text))


def format_duration(duration_s: float) -> str:
    """A short k6-style rendering: 90.0 -> "1m30s", 0.5 -> "500ms"."""
    if duration_s < 1.0:
        return f"{round(duration_s * 1000.0, 3):g}ms"
    hours, rest = divmod(duration_s, 3600.0)
    minutes, seconds = divmod(rest, 60.0)
    text = ""
    if hours:
        text += f"{int(hours)}h"
    if minutes:
        text += f"{int(minutes)}m"
    if seconds or not text:
        text += f"{round(seconds, 3):g}s"
    return text
