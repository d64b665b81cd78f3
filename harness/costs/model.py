"""The cost-tier model as data: pydantic models for `tiers.yaml`, and loading with clear errors.

Money is `Decimal` throughout (YAML numbers are converted through their decimal text, so 0.003
stays 0.003). Every error names the file and the key path, e.g.
`tiers.yaml: tiers[scale].infrastructure[2].cost_usd_month: must be >= 0, but is -5`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.costs.errors import ModelFileError
from harness.parsing.bounded import BoundsError, loads_yaml, size_text
from harness.parsing.limits import MAX_YAML_BYTES

DEFAULT_MODEL_PATH = Path(__file__).with_name("tiers.yaml")

Money = Annotated[Decimal, Field(ge=0)]
Rate = Annotated[Decimal, Field(ge=0, lt=1)]  # a share of something, 0 <= r < 1
Positive = Annotated[Decimal, Field(gt=0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Frozen):
    """Where numbers come from: the seed document, or our own assumption/projection."""

    kind: Literal["seed", "ours"]
    title: str
    as_of: str


class TokenPrices(_Frozen):
    input_usd_per_mtok: Money
    output_usd_per_mtok: Money
    source: str


class Price(_Frozen):
    """One priced AI model. `cost_usd_per_call` is what the tiers use; token prices let the
    projection price the tokens a run measured."""

    model: str
    cost_usd_per_call: Money
    source: str
    token_prices: TokenPrices | None = None
    note: str = ""


class InfrastructureLine(_Frozen):
    id: str
    resource: str
    provider: str
    spec: str
    count: Annotated[int, Field(ge=1)] = 1
    cost_usd_month: Money
    # `api` and `worker` lines are the ones a measured projection can size.
    role: Literal["api", "worker"] | None = None
    source: str
    note: str = ""


class AiOperation(_Frozen):
    id: str
    operation: str
    price: str  # key into price_book
    calls_per_month: Annotated[int, Field(ge=0)]
    # The guardrail operation is the one the cache and pre-filter rates reduce.
    role: Literal["guardrail"] | None = None
    source: str
    note: str = ""


class TierAssumptions(_Frozen):
    agents: Annotated[int, Field(ge=1)]
    humans: Annotated[int, Field(ge=0)]
    guardrail_cache_hit_rate: Rate = Decimal(0)
    guardrail_prefilter_rate: Rate = Decimal(0)
    source: str
    note: str = ""


class SeedTotals(_Frozen):
    """The totals the seed states for a tier (table 10.3), kept to check the model against."""

    infrastructure_usd_month: Money
    ai_usd_month: Money
    total_usd_month: Money
    rounded_to_usd: Positive  # the precision the seed printed them with ("~$13" -> 1)
    source: str


class Tier(_Frozen):
    id: str
    name: str
    projected: bool = False
    assumptions: TierAssumptions
    seed_totals: SeedTotals
    infrastructure: tuple[InfrastructureLine, ...]
    ai_operations: tuple[AiOperation, ...]
    note: str = ""


class SetAssumption(_Frozen):
    kind: Literal["set_assumption"]
    assumption: Literal["guardrail_cache_hit_rate", "guardrail_prefilter_rate"]
    value: Rate


class ScaleOperationPrice(_Frozen):
    kind: Literal["scale_operation_price"]
    operation: str  # an ai_operations id, in every tier the scenario applies to
    factor: Annotated[Decimal, Field(ge=0)]


class SelfHost(_Frozen):
    kind: Literal["self_host"]
    name: str
    spec: str
    cost_usd_month: Money
    replaces_operations: tuple[str, ...]


Change = Annotated[SetAssumption | ScaleOperationPrice | SelfHost, Field(discriminator="kind")]


class Scenario(_Frozen):
    id: str
    name: str
    lever: str  # what the seed (or we) say about it, in words
    source: str
    tiers: tuple[str, ...] | None = None  # None: every tier
    changes: tuple[Change, ...] = Field(min_length=1)


class LoadAssumptions(_Frozen):
    """Named assumptions for projecting measured capacity onto a tier (none of them are seed's)."""

    hours_per_month: Positive
    api_requests_per_agent_month: Annotated[Decimal, Field(ge=0)]
    api_requests_per_human_month: Annotated[Decimal, Field(ge=0)]
    peak_factor: Annotated[Decimal, Field(ge=1)]
    target_utilisation: Annotated[Decimal, Field(gt=0, le=1)]
    over_provision_ratio: Annotated[Decimal, Field(gt=1)]
    # Fewest instances of a sized service per tier id (failover), whatever the load; default 1.
    min_instances: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    cost_tolerance: Rate
    source: str
    note: str = ""


class Sensitivity(_Frozen):
    swing_pct: Annotated[Decimal, Field(gt=0, lt=100)]


class CostModel(_Frozen):
    schema_version: Literal[1]
    currency: Literal["USD"]
    sources: dict[str, Source]
    price_book: dict[str, Price]
    load_assumptions: LoadAssumptions
    sensitivity: Sensitivity
    tiers: tuple[Tier, ...] = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = ()

    def tier(self, tier_id: str) -> Tier:
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier
        raise KeyError(tier_id)


def load_model(path: Path = DEFAULT_MODEL_PATH) -> CostModel:
    """Read and validate a cost model; raise ModelFileError naming the file and key paths."""
    name = str(path)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise ModelFileError(f"{name}: is larger than {size_text(MAX_YAML_BYTES)} (the limit for this file)")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ModelFileError(f"{name}: cost model file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{name}: cannot read the cost model: {exc}") from None
    return parse_model(text, name=name)


def parse_model(text: str, *, name: str) -> CostModel:
    try:
        raw = loads_yaml(text, max_bytes=MAX_YAML_BYTES)
    except BoundsError as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ModelFileError(f"{name}: invalid YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise ModelFileError(f"{name}: expected a mapping at the top level, but found {type(raw).__name__}")
    try:
        model = CostModel.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(err, raw) for err in exc.errors()]
        raise ModelFileError(_join(name, problems)) from None
    problems = check_references(model)
    if problems:
        raise ModelFileError(_join(name, problems))
    return model


def check_references(model: CostModel) -> list[str]:
    """Cross-references pydantic cannot check: ids, source and price keys, one guardrail op."""
    problems: list[str] = []

    def need_source(path: str, key: str) -> None:
        if key not in model.sources:
            problems.append(f"{path}: unknown source {key!r} (known: {', '.join(sorted(model.sources))})")

    for key, price in model.price_book.items():
        need_source(f"price_book.{key}.source", price.source)
        if price.token_prices is not None:
            need_source(f"price_book.{key}.token_prices.source", price.token_prices.source)
    need_source("load_assumptions.source", model.load_assumptions.source)
    _check_unique("tiers", [t.id for t in model.tiers], problems)
    for tier in model.tiers:
        base = f"tiers[{tier.id}]"
        need_source(f"{base}.assumptions.source", tier.assumptions.source)
        need_source(f"{base}.seed_totals.source", tier.seed_totals.source)
        _check_unique(f"{base}.infrastructure", [line.id for line in tier.infrastructure], problems)
        _check_unique(f"{base}.ai_operations", [op.id for op in tier.ai_operations], problems)
        for i, line in enumerate(tier.infrastructure):
            need_source(f"{base}.infrastructure[{i}].source", line.source)
        for role in ("api", "worker"):
            if sum(line.role == role for line in tier.infrastructure) > 1:
                problems.append(f"{base}.infrastructure: more than one line has role {role!r}")
        for i, op in enumerate(tier.ai_operations):
            need_source(f"{base}.ai_operations[{i}].source", op.source)
            if op.price not in model.price_book:
                problems.append(f"{base}.ai_operations[{i}].price: unknown price {op.price!r}")
        guardrails = sum(op.role == "guardrail" for op in tier.ai_operations)
        if guardrails != 1:
            problems.append(
                f"{base}.ai_operations: exactly one operation must have role 'guardrail', found {guardrails}"
            )
    tier_ids = {t.id for t in model.tiers}
    for tier_id in model.load_assumptions.min_instances:
        if tier_id not in tier_ids:
            problems.append(f"load_assumptions.min_instances.{tier_id}: unknown tier {tier_id!r}")
    _check_unique("scenarios", [s.id for s in model.scenarios], problems)
    for scenario in model.scenarios:
        base = f"scenarios[{scenario.id}]"
        need_source(f"{base}.source", scenario.source)
        targets = [t for t in model.tiers if scenario.tiers is None or t.id in scenario.tiers]
        for tier_id in scenario.tiers or ():
            if tier_id not in tier_ids:
                problems.append(f"{base}.tiers: unknown tier {tier_id!r}")
        for j, change in enumerate(scenario.changes):
            ops = ()
            if isinstance(change, ScaleOperationPrice):
                ops = (change.operation,)
            elif isinstance(change, SelfHost):
                ops = change.replaces_operations
            for op_id in ops:
                for tier in targets:
                    if op_id not in {op.id for op in tier.ai_operations}:
                        problems.append(f"{base}.changes[{j}]: operation {op_id!r} is not in tier {tier.id!r}")
    return problems


def _check_unique(path: str, ids: list[str], problems: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            problems.append(f"{path}: duplicate id {item!r}")
        seen.add(item)


def _describe(err: Any, raw: Any) -> str:
    """Turn one pydantic error into `key.path: message, but is <value>`."""
    path = _key_path(err["loc"], raw)
    message = err["msg"]
    if err["type"] == "missing":
        return f"{path}: is required but missing"
    if err["type"] == "extra_forbidden":
        return f"{path}: unknown key"
    message = message[0].lower() + message[1:] if message else message
    return f"{path}: {message}, but is {err.get('input')!r}"


def _key_path(loc: tuple[Any, ...], raw: Any) -> str:
    """Render a pydantic location, naming list items by their `id` when they have one."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            label = str(item)
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label = node["id"]
            else:
                node = None
            parts.append(f"[{label}]")
            continue
        if not isinstance(item, str) or item in {"set_assumption", "scale_operation_price", "self_host"}:
            continue  # the discriminated-union tag pydantic adds to the path
        node = node.get(item) if isinstance(node, dict) else None
        parts.append(f".{item}" if parts else item)
    return "".join(parts) or "(top level)"


def _join(name: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return f"{name}: {problems[0]}"
    return f"{name}: {len(problems)} problems: " + "; ".join(problems)
