"""Reading one mapping of a plan file while collecting every problem.

`Fields` wraps a raw mapping and its key path; each `number`, `duration`, ... call returns the
value (or a default) and records a problem instead of raising, so a plan's validation reports all
its problems at once. Messages follow k6: the user's key, what was expected, what was found
("scenarios.browse_problems.rate must be > 0, but is -5").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from harness.parsing.durations import DurationSyntaxError, format_duration, parse_duration_s
from harness.parsing.limits import MAX_DURATION_S

_MISSING = object()


def is_finite(value: float) -> bool:
    """False for inf, NaN and integers too large for a float."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _short_number(value: float) -> str:
    text = str(value)
    return text if len(text) <= 20 else f"{text[:8]}... ({len(text)} digits)"


class Problems:
    """Problems found so far, each as "key.path message"."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path} {message}" if path else message)

    def __bool__(self) -> bool:
        return bool(self.items)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def describe(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "empty"
    return str(value)


class Fields:
    """The keys of one mapping, read with validation."""

    def __init__(self, raw: object, path: str, problems: Problems) -> None:
        self.path = path
        self.problems = problems
        if isinstance(raw, Mapping):
            self.raw: Mapping[str, Any] = raw
            self.valid = True
        else:
            problems.add(path, f"must be a mapping of keys, but is {describe(raw)}")
            self.raw = {}
            self.valid = False

    def key_path(self, key: str) -> str:
        return join(self.path, key)

    def has(self, key: str) -> bool:
        return key in self.raw

    def get_raw(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def reject_unknown(self, allowed: Iterable[str], *, what: str = "key") -> None:
        allowed_set = set(allowed)
        for key in self.raw:
            if key not in allowed_set:
                known = ", ".join(sorted(allowed_set))
                self.problems.add(self.key_path(str(key)), f"is an unknown {what} (known: {known})")

    def _missing(self, key: str, required: bool, default: Any) -> Any:
        if required:
            self.problems.add(self.key_path(key), "is required, but is missing")
        return default

    def number(
        self,
        key: str,
        *,
        default: Any = None,
        required: bool = False,
        integer: bool = False,
        gt: float | None = None,
        ge: float | None = None,
        le: float | None = None,
    ) -> Any:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return self._missing(key, required, default)
        kind = "a whole number" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problems.add(self.key_path(key), f"must be {kind}, but is {describe(value)}")
            return default
        if not is_finite(value):  # `.inf`, `.nan`: YAML has them, no option can use them
            self.problems.add(self.key_path(key), f"must be a finite number, but is {_short_number(value)}")
            return default
        if integer and float(value) != int(value):
            self.problems.add(self.key_path(key), f"must be {kind}, but is {value}")
            return default
        if gt is not None and not value > gt:
            self.problems.add(self.key_path(key), f"must be > {gt:g}, but is {value}")
            return default
        if ge is not None and not value >= ge:
            self.problems.add(self.key_path(key), f"must be >= {ge:g}, but is {value}")
            return default
        if le is not None and not value <= le:
            self.problems.add(self.key_path(key), f"must be <= {le:g}, but is {value}")
            return default
        return int(value) if integer else float(value)

    def duration_s(
        self, key: str, *, default: float | None = None, required: bool = False, min_s: float = 0.0,
        max_s: float = MAX_DURATION_S,
    ) -> float | None:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return self._missing(key, required, default)
        try:
            seconds = parse_duration_s(value)
        except DurationSyntaxError as error:
            self.problems.add(self.key_path(key), f"must be a duration ({error})")
            return default
        if seconds < min_s:
            self.problems.add(
                self.key_path(key),
                f"must be at least {format_duration(min_s)}, but is {format_duration(seconds)}",
            )
            return default
        if not seconds <= max_s:  # NaN too
            self.problems.add(
                self.key_path(key),
                f"must be at most {format_duration(max_s)}, but is "
                f"{format_duration(seconds) if math.isfinite(seconds) else describe(value)}",
            )
            return default
        return seconds

    def string(self, key: str, *, default: str | None = None, required: bool = False) -> str | None:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return self._missing(key, required, default)
        if not isinstance(value, str) or not value.strip():
            self.problems.add(self.key_path(key), f"must be a non-empty string, but is {describe(value)}")
            return default
        return value

    def string_map(self, key: str) -> dict[str, str]:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problems.add(self.key_path(key), f"must be a mapping of strings, but is {describe(value)}")
            return {}
        result: dict[str, str] = {}
        for name, item in value.items():
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                self.problems.add(join(self.key_path(key), str(name)), f"must be a string, but is {describe(item)}")
                continue
            result[str(name)] = str(item)
        return result

    def sequence(self, key: str, *, required: bool = False) -> list[Any]:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return self._missing(key, required, [])
        if not isinstance(value, list):
            self.problems.add(self.key_path(key), f"must be a list, but is {describe(value)}")
            return []
        return value
