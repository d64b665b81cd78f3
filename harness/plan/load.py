"""Reading a plan file (YAML, or JSON which is the same document) into a validated `Plan`.

Every problem is collected, then raised together as one `PlanError`, each line naming the file,
the key path, what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from harness.data.spec import read_data_specs
from harness.errors import PlanError
from harness.executors.registry import UnknownExecutorError, executor_type
from harness.metrics.names import BUILTIN_METRICS, MetricKind, tags_for
from harness.parsing.bounded import BoundsError, read_yaml
from harness.parsing.durations import format_duration, parse_duration_s
from harness.parsing.fields import Fields, Problems, describe, join
from harness.parsing.limits import MAX_AGENTS, MAX_DURATION_S, MAX_SCALE, MAX_SEED_ROWS, MAX_YAML_BYTES
from harness.plan.bounds import check_bounds, too_many_scenarios
from harness.plan.model import DEFAULT_PROFILES, DEFAULT_UNREACHABLE_STOP_S, Plan
from harness.thresholds import ThresholdSpec, ThresholdSyntaxError, aggregation_allowed, make_spec

TOP_LEVEL_KEYS = ("scenarios", "thresholds", "profiles", "behaviours", "setup", "sampling", "stack", "goals", "data",
                  "target")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCENARIO_NAME = re.compile(r"^[0-9A-Za-z_-]+$")


def display_name(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file; raises `PlanError` with every problem."""
    plan_path = Path(path)
    shown = display_name(plan_path)
    try:
        data, document = read_yaml(plan_path, max_bytes=MAX_YAML_BYTES)
    except OSError as error:
        raise PlanError([f"{shown}: cannot be read ({error.strerror or error})"]) from error
    except BoundsError as error:
        raise PlanError([f"{shown}: {error}"]) from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise PlanError([f"{shown}: is not valid YAML or JSON ({_short(error)})"]) from error
    return parse_plan(document, path=plan_path, sha256=hashlib.sha256(data).hexdigest(), shown=shown)


def _short(error: Exception) -> str:
    return " ".join(str(error).split())


def parse_plan(document: Any, *, path: Path, sha256: str, shown: str) -> Plan:
    problems = Problems()
    top = Fields(document, "", problems)
    if not top.valid:
        raise PlanError([f"{shown}: must be a mapping with a 'scenarios' key, but is {describe(document)}"])
    top.reject_unknown(TOP_LEVEL_KEYS)
    if (crowded := too_many_scenarios(top.get_raw("scenarios"))) is not None:
        raise PlanError([f"{shown}: {crowded}"])
    check_bounds(top.raw, problems)
    scenarios = _read_scenarios(top, problems)
    raw_scenarios = top.get_raw("scenarios")
    declared = {str(k) for k in raw_scenarios} if isinstance(raw_scenarios, Mapping) else set()
    thresholds = _read_thresholds(top.get_raw("thresholds"), problems, scenario_names=declared)
    profiles, seed_scales = _read_profiles(top.get_raw("profiles"), problems)
    behaviours = top.string("behaviours")
    setup = Fields(top.get_raw("setup", {}), "setup", problems)
    setup.reject_unknown(("agents",))
    agents = setup.number("agents", default=0, integer=True, ge=0, le=MAX_AGENTS)
    sampling = Fields(top.get_raw("sampling", {}), "sampling", problems)
    sampling.reject_unknown(("interval", "window"))
    interval_s = sampling.duration_s("interval", default=5.0, min_s=0.1)
    window_s = sampling.duration_s("window", default=1.0, min_s=0.1)
    # Ours, not k6's: stop a run whose every request has failed to connect for this long (0s: never).
    target = Fields(top.get_raw("target", {}), "target", problems)
    target.reject_unknown(("stopWhenUnreachableFor",))
    unreachable_stop_s = target.duration_s("stopWhenUnreachableFor", default=DEFAULT_UNREACHABLE_STOP_S)
    stack_env, stack_seed = _read_stack(top.get_raw("stack", {}), problems)
    goals = _read_goals(top.get_raw("goals"), problems)
    data = read_data_specs(top.get_raw("data"), plan_dir=path.resolve().parent, problems=problems)
    if problems:
        raise PlanError([f"{shown}: {item}" for item in problems.items])
    return Plan(
        path=path,
        sha256=sha256,
        document=document,
        scenarios=scenarios,
        thresholds=tuple(thresholds),
        profiles=profiles,
        behaviours=behaviours,
        agents=agents,
        window_s=window_s,
        sample_interval_s=interval_s,
        unreachable_stop_s=unreachable_stop_s or 0.0,
        stack_env=stack_env,
        display_path=shown,
        stack_seed=stack_seed,
        seed_scales=seed_scales,
        goals=goals,
        data=data,
    )


def _read_goals(raw: Any, problems: Problems) -> tuple[Any, ...]:
    """`goals:` (see harness.goals.spec): checked here so a bad goal fails before the run."""
    from harness.goals.spec import parse_goals

    goals, found = parse_goals(raw)
    for path, message in found:
        problems.add(path, message)
    return goals


def _read_stack(raw: Any, problems: Problems) -> tuple[dict[str, str], tuple[int, int] | None]:
    """`stack: {env: {DB_POOL_MAX: "5"}, seed: {problems: 1000000, missions: 5000000}}`: variables
    for the embedded stack's processes and its preload (only when `bwperf run` starts it; a
    --target is used as it is)."""
    stack = Fields(raw, "stack", problems)
    stack.reject_unknown(("env", "seed"))
    env = stack.string_map("env")
    for name in env:
        if not _ENV_NAME.match(name):
            problems.add(join("stack.env", name), "is not an environment variable name (letters, digits, '_')")
    if stack.get_raw("seed") is None:
        return env, None
    seed = Fields(stack.get_raw("seed"), "stack.seed", problems)
    seed.reject_unknown(("problems", "missions"))
    sizes = (seed.number("problems", default=0, integer=True, ge=0, le=MAX_SEED_ROWS),
             seed.number("missions", default=0, integer=True, ge=0, le=MAX_SEED_ROWS))
    return env, (int(sizes[0] or 0), int(sizes[1] or 0))


def _read_scenarios(top: Fields, problems: Problems) -> dict[str, Any]:
    raw = top.get_raw("scenarios")
    if raw is None:
        problems.add("scenarios", "is required, but is missing")
        return {}
    if not isinstance(raw, Mapping) or not raw:
        problems.add("scenarios", f"must be a mapping with at least one scenario, but is {describe(raw)}")
        return {}
    scenarios: dict[str, Any] = {}
    for name, body in raw.items():
        path = join("scenarios", str(name))
        if not isinstance(name, str) or not _SCENARIO_NAME.match(name):
            problems.add(path, "is not a valid scenario name (letters, digits, '_' and '-' only)")
            continue
        fields = Fields(body, path, problems)
        if not fields.valid:
            continue
        executor_name = fields.get_raw("executor")
        if executor_name is None:
            problems.add(fields.key_path("executor"), "is required, but is missing")
            continue
        try:
            kind = executor_type(executor_name)
        except UnknownExecutorError as error:
            problems.add(fields.key_path("executor"), str(error))
            continue
        config = kind.parse(name, fields)
        if config is not None and config.duration_s > MAX_DURATION_S:
            problems.add(path, f"lasts {format_duration(config.duration_s)}; the limit is {format_duration(MAX_DURATION_S)}")
        elif config is not None:
            scenarios[name] = config
    return scenarios


def _read_thresholds(raw: Any, problems: Problems, *, scenario_names: set[str]) -> list[ThresholdSpec]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        problems.add("thresholds", f"must be a mapping of metric to a list of thresholds, but is {describe(raw)}")
        return []
    specs: list[ThresholdSpec] = []
    for key, items in raw.items():
        path = join("thresholds", str(key))
        if not isinstance(items, list) or not items:
            problems.add(path, f"must be a non-empty list of thresholds, but is {describe(items)}")
            continue
        for number, item in enumerate(items, start=1):
            try:
                spec = make_spec(str(key), item, delay_parser=parse_duration_s)
            except (ThresholdSyntaxError, ValueError) as error:
                problems.add(f"{path}[{number}]", str(error))
                continue
            _check_spec(spec, f"{path}[{number}]", problems, scenario_names=scenario_names)
            specs.append(spec)
    return specs


def _check_spec(spec: ThresholdSpec, path: str, problems: Problems, *, scenario_names: set[str]) -> None:
    for tag, value in spec.tags:
        if tag not in tags_for(spec.metric) and spec.metric in BUILTIN_METRICS:
            problems.add(path, f"filters on tag {tag!r}, which {spec.metric} does not have (has: {', '.join(tags_for(spec.metric))})")
        if tag == "scenario" and value not in scenario_names:
            problems.add(path, f"filters on scenario {value!r}, which is not a scenario of this plan")
    kind = BUILTIN_METRICS.get(spec.metric)
    if kind is not None and not aggregation_allowed(kind, spec.aggregation):
        problems.add(path, f"uses {spec.aggregation}, which a {kind.value} metric does not have")


def check_custom_metrics(plan: Plan, custom: Mapping[str, MetricKind]) -> None:
    """Once the behaviours are loaded: every threshold names a known metric with a fitting
    aggregation. Raises `PlanError` listing every problem."""
    problems = []
    for spec in plan.thresholds:
        kind = BUILTIN_METRICS.get(spec.metric) or custom.get(spec.metric)
        where = f"{plan.display_path}: thresholds.{spec.key}"
        if kind is None:
            known = ", ".join(sorted(set(BUILTIN_METRICS) | set(custom)))
            problems.append(f"{where} names metric {spec.metric!r}, which nothing records (known: {known})")
        elif not aggregation_allowed(kind, spec.aggregation):
            problems.append(f"{where} uses {spec.aggregation}, which a {kind.value} metric does not have")
    if problems:
        raise PlanError(problems)


def _read_profiles(raw: Any, problems: Problems) -> tuple[dict[str, float], dict[str, float]]:
    """Each profile's `duration_scale`, and its `seed_scale` (of `stack.seed`) when it has one."""
    profiles = dict(DEFAULT_PROFILES)
    seed_scales: dict[str, float] = {}
    if raw is None:
        return profiles, seed_scales
    if not isinstance(raw, Mapping):
        problems.add("profiles", f"must be a mapping of profile name to options, but is {describe(raw)}")
        return profiles, seed_scales
    for name, body in raw.items():
        fields = Fields(body, join("profiles", str(name)), problems)
        if not fields.valid:
            continue
        fields.reject_unknown(("duration_scale", "seed_scale"))
        scale = fields.number("duration_scale", required=True, gt=0, le=MAX_SCALE)
        if scale is not None:
            profiles[str(name)] = scale
        seed_scale = fields.number("seed_scale", default=None, gt=0, le=MAX_SCALE)
        if seed_scale is not None:
            seed_scales[str(name)] = seed_scale
    return profiles, seed_scales
