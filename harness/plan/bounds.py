"""Plan numbers within bounds (`harness.parsing.limits`), checked on the raw document before an
executor builds anything from it: VUs, rates, iterations, stages, scenarios, thresholds.

The executors check types and signs; durations are capped by `Fields.duration_s` and
non-finite numbers refused by `Fields.number`, for every key of a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.parsing.durations import DurationSyntaxError, parse_duration_s
from harness.parsing.fields import Problems, is_finite, join
from harness.parsing.limits import (
    MAX_ITERATIONS,
    MAX_RATE,
    MAX_RATE_PER_S,
    MAX_SCENARIOS,
    MAX_STAGES,
    MAX_THRESHOLD_METRICS,
    MAX_THRESHOLDS_PER_METRIC,
    MAX_VUS,
)

VU_KEYS = ("vus", "startVUs", "preAllocatedVUs", "maxVUs")
RATE_KEYS = ("rate", "startRate")
VU_STAGE_EXECUTORS = frozenset({"ramping-vus"})  # their stage targets are VUs; the others', rates


def too_many_scenarios(raw: Any) -> str | None:
    """The one-line problem when `scenarios:` has more than the limit (then nothing else is read)."""
    if isinstance(raw, Mapping) and len(raw) > MAX_SCENARIOS:
        return f"scenarios has {len(raw)} scenarios; the limit is {MAX_SCENARIOS}"
    return None


def check_bounds(document: Mapping[str, Any], problems: Problems) -> None:
    scenarios = document.get("scenarios")
    if isinstance(scenarios, Mapping):
        for name, body in scenarios.items():
            if isinstance(body, Mapping):
                _scenario(join("scenarios", str(name)), body, problems)
        _total_vus(scenarios, problems)
    _thresholds(document.get("thresholds"), problems)


def _total_vus(scenarios: Mapping[str, Any], problems: Problems) -> None:
    """Every scenario may run at once: the most VUs each can hold, summed, within MAX_VUS too
    (100 scenarios of 100,000 would otherwise be 10 million)."""
    total = 0.0
    for body in scenarios.values():
        if isinstance(body, Mapping):
            held = [body.get(key) for key in VU_KEYS]
            held += [stage.get("target") for stage in body.get("stages") or () if isinstance(stage, Mapping)
                     and body.get("executor") in VU_STAGE_EXECUTORS]
            most = max((v for v in held if _over(v, 0)), default=0)
            if most > MAX_VUS:
                return  # that scenario's own line says it
            total += most
    if total > MAX_VUS:
        problems.add("scenarios", f"may hold {total:,.0f} VUs at once across its scenarios; the limit is {MAX_VUS:,}")


def _over(value: Any, limit: float) -> bool:
    """A finite number above `limit` (other values are the executors' to reject)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and is_finite(value) and value > limit


def _scenario(path: str, body: Mapping[str, Any], problems: Problems) -> None:
    for key in VU_KEYS:
        if _over(body.get(key), MAX_VUS):
            problems.add(join(path, key), f"must be <= {MAX_VUS:,}, but is {body[key]}")
    if _over(body.get("iterations"), MAX_ITERATIONS):
        problems.add(join(path, "iterations"), f"must be <= {MAX_ITERATIONS:,}, but is {body['iterations']}")
    unit_s = _time_unit_s(body.get("timeUnit"))
    for key in RATE_KEYS:
        _rate(join(path, key), body.get(key), unit_s, problems)
    stages = body.get("stages")
    if not isinstance(stages, list):
        return
    if len(stages) > MAX_STAGES:
        problems.add(join(path, "stages"), f"has {len(stages)} stages; the limit is {MAX_STAGES:,}")
        return
    vu_targets = body.get("executor") in VU_STAGE_EXECUTORS
    for number, stage in enumerate(stages, start=1):
        if not isinstance(stage, Mapping):
            continue
        where = join(join(path, "stages"), number)
        if vu_targets and _over(stage.get("target"), MAX_VUS):
            problems.add(join(where, "target"), f"must be <= {MAX_VUS:,} VUs, but is {stage['target']}")
        elif not vu_targets:
            _rate(join(where, "target"), stage.get("target"), unit_s, problems)


def _rate(path: str, value: Any, unit_s: float, problems: Problems) -> None:
    if _over(value, MAX_RATE):
        problems.add(path, f"must be <= {MAX_RATE:,} per timeUnit, but is {value}")
    elif _over(value, 0) and unit_s > 0 and value / unit_s > MAX_RATE_PER_S:
        problems.add(path, f"must be <= {MAX_RATE_PER_S:,} per second, but is {value / unit_s:g} per second")


def _time_unit_s(raw: Any) -> float:
    if raw is None:
        return 1.0
    try:
        return parse_duration_s(raw)
    except DurationSyntaxError:
        return 0.0  # the executor reports it


def _thresholds(raw: Any, problems: Problems) -> None:
    if not isinstance(raw, Mapping):
        return
    if len(raw) > MAX_THRESHOLD_METRICS:
        problems.add("thresholds", f"has {len(raw)} metrics; the limit is {MAX_THRESHOLD_METRICS}")
    for key, items in raw.items():
        if isinstance(items, list) and len(items) > MAX_THRESHOLDS_PER_METRIC:
            problems.add(join("thresholds", str(key)),
                         f"has {len(items)} thresholds; the limit is {MAX_THRESHOLDS_PER_METRIC}")
