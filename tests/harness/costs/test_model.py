"""The YAML model reproduces the seed's tables 10.1-10.3 line by line, and bad files fail clearly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from harness.costs.errors import ModelFileError
from harness.costs.model import DEFAULT_MODEL_PATH, CostModel, load_model, parse_model

# Seed table 10.1, copied by hand: (resource, provider, spec, monthly cost USD).
SEED_10_1 = {
    "mvp": [
        ("API Service", "Railway", "1 vCPU, 1 GB RAM", 10),
        ("Web Service", "Railway", "0.5 vCPU, 512 MB RAM", 5),
        ("Admin Service", "Railway", "0.5 vCPU, 512 MB RAM", 5),
        ("Worker Service", "Railway", "1 vCPU, 1 GB RAM", 10),
        ("PostgreSQL", "Railway", "1 GB RAM, 10 GB disk", 10),
        ("Redis", "Railway", "256 MB", 5),
        ("Cloudflare R2", "Cloudflare", "5 GB storage, 10 GB egress", 0),
        ("Cloudflare CDN + DNS", "Cloudflare", "Free plan", 0),
        ("Domain name", "Registrar", ".ai domain", 7),
        ("Sentry", "Sentry", "Developer plan", 0),
        ("Checkly", "Checkly", "Hobby plan", 0),
    ],
    "growth": [
        ("API Service", "Railway", "2 vCPU, 2 GB RAM each", 40),
        ("Web Service", "Railway", "1 vCPU, 1 GB RAM", 10),
        ("Admin Service", "Railway", "0.5 vCPU, 512 MB RAM", 5),
        ("Worker Service", "Railway", "1 vCPU, 1 GB RAM each", 20),
        ("PostgreSQL", "Railway", "4 GB RAM, 50 GB disk", 40),
        ("Redis", "Railway", "1 GB", 15),
        ("Cloudflare R2", "Cloudflare", "50 GB storage, 100 GB egress", 5),
        ("Sentry", "Sentry", "Team plan", 26),
        ("Grafana Cloud", "Grafana", "Free tier (50 GB logs, 10K metrics)", 0),
        ("Checkly", "Checkly", "Team plan", 40),
    ],
    "scale": [
        ("API Service", "Fly.io", "shared-cpu-2x, 1 GB each", 75),
        ("Web Service", "Fly.io", "shared-cpu-1x, 512 MB each", 20),
        ("Admin Service", "Fly.io", "shared-cpu-1x, 512 MB", 7),
        ("Worker Service", "Fly.io", "shared-cpu-2x, 1 GB each", 45),
        ("PostgreSQL (primary)", "Fly.io", "4 vCPU, 8 GB RAM, 100 GB disk", 120),
        ("PostgreSQL (read replicas)", "Fly.io", "2 vCPU, 4 GB RAM each", 100),
        ("Redis (Upstash)", "Upstash", "Pro plan, 10 GB", 50),
        ("Cloudflare R2", "Cloudflare", "500 GB storage, 1 TB egress", 25),
        ("Cloudflare CDN", "Cloudflare", "Pro plan", 20),
        ("Sentry", "Sentry", "Business plan", 80),
        ("Grafana Cloud", "Grafana", "Pro plan", 50),
        ("Checkly", "Checkly", "Team plan", 40),
        ("PgBouncer", "Fly.io", "Sidecar container", 5),
    ],
}
SEED_COUNTS = {
    ("growth", "api"): 2,
    ("growth", "worker"): 2,
    ("scale", "api"): 5,
    ("scale", "web"): 3,
    ("scale", "worker"): 3,
    ("scale", "postgres_replicas"): 2,
}

# Seed table 10.2: operation -> (model, cost per call, calls per month MVP / Growth / Scale).
SEED_10_2 = {
    "Guardrail evaluation": ("Claude Haiku", "0.003", (3_000, 30_000, 300_000)),
    "Embedding generation": ("voyage-3", "0.0001", (3_000, 30_000, 300_000)),
    "Task decomposition": ("Claude Sonnet", "0.02", (100, 1_000, 10_000)),
    "Evidence verification": ("Claude Sonnet (vision)", "0.03", (50, 500, 5_000)),
}


def test_every_seed_infrastructure_line_is_in_the_model(model: CostModel) -> None:
    for tier_id, expected in SEED_10_1.items():
        lines = model.tier(tier_id).infrastructure
        got = [(line.resource, line.provider, line.spec, line.cost_usd_month) for line in lines]
        assert got == [(r, p, s, Decimal(c)) for r, p, s, c in expected], tier_id
        for line in lines:
            assert line.count == SEED_COUNTS.get((tier_id, line.id), 1), (tier_id, line.id)
            assert model.sources[line.source].kind == "seed"


def test_every_seed_ai_operation_is_in_the_model(model: CostModel) -> None:
    for index, tier_id in enumerate(("mvp", "growth", "scale")):
        ops = model.tier(tier_id).ai_operations
        assert [op.operation for op in ops] == list(SEED_10_2)
        for op in ops:
            name, price, calls = SEED_10_2[op.operation]
            priced = model.price_book[op.price]
            assert (priced.model, priced.cost_usd_per_call, op.calls_per_month) == (name, Decimal(price), calls[index])
            assert model.sources[priced.source].kind == "seed"


def test_seed_agents_humans_and_stated_totals(model: CostModel) -> None:
    expected = {  # seed 10.3: agents, humans, infrastructure, AI, total
        "mvp": (100, 500, 52, 13, 65),
        "growth": (1_000, 5_000, 201, 128, 329),
        "scale": (10_000, 50_000, 637, 1_280, 1_917),
        "enterprise": (100_000, 500_000, 5_000, 8_000, 13_000),
    }
    for tier_id, (agents, humans, infra, ai, total) in expected.items():
        tier = model.tier(tier_id)
        seed = tier.seed_totals
        assert (tier.assumptions.agents, tier.assumptions.humans) == (agents, humans)
        assert (seed.infrastructure_usd_month, seed.ai_usd_month, seed.total_usd_month) == (infra, ai, total)
        assert model.sources[seed.source].kind == "seed"


def test_enterprise_is_marked_projected_and_its_lines_are_ours(model: CostModel) -> None:
    enterprise = model.tier("enterprise")
    assert enterprise.projected and not any(t.projected for t in model.tiers[:3])
    for line in (*enterprise.infrastructure, *enterprise.ai_operations):
        assert model.sources[line.source].kind == "ours"
    assert model.sources[enterprise.assumptions.source].kind == "ours"


def test_every_source_and_price_carries_a_date(model: CostModel) -> None:
    for key, source in model.sources.items():
        assert source.as_of and source.title, key
    for key, price in model.price_book.items():
        assert price.source in model.sources, key
        assert price.token_prices is not None and price.token_prices.source in model.sources, key


def test_peak_load_assumptions_are_named_in_the_yaml(model: CostModel) -> None:
    load = model.load_assumptions
    assert load.api_requests_per_agent_month == 43_800
    assert load.api_requests_per_human_month == 600
    assert load.peak_factor == 3
    assert load.target_utilisation == Decimal("0.7")
    assert model.sources[load.source].kind == "ours"


def test_yaml_numbers_become_exact_decimals(model: CostModel) -> None:
    assert model.price_book["voyage-3"].cost_usd_per_call == Decimal("0.0001")
    assert str(model.price_book["claude-haiku"].cost_usd_per_call) == "0.003"


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ModelFileError, match=r"nope\.yaml: cost model file not found"):
        load_model(missing)


def test_bad_yaml_names_file_line_and_column() -> None:
    with pytest.raises(ModelFileError) as err:
        parse_model("tiers: [\n  - id: mvp\n  bad: : :\n", name="bad.yaml")
    message = str(err.value)
    assert message.startswith("bad.yaml: invalid YAML at line ")
    assert "\n" not in message


def _edited(old: str, new: str, count: int = 1) -> str:
    text = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, count)


def test_schema_errors_name_the_key_path_by_id_and_the_value() -> None:
    text = _edited('spec: "Pro plan", cost_usd_month: 20,', 'spec: "Pro plan", cost_usd_month: -20,')
    with pytest.raises(ModelFileError) as err:
        parse_model(text, name="tiers.yaml")
    assert str(err.value) == (
        "tiers.yaml: tiers[scale].infrastructure[cdn].cost_usd_month: input should be greater than or equal to 0,"
        " but is -20"
    )


def test_unknown_keys_and_all_problems_are_reported_together() -> None:
    text = _edited("  peak_factor: 3.0", "  peak_factr: 3.0")
    text = text.replace("price: claude-sonnet, calls_per_month: 100,", "price: claude-sonet, calls_per_month: 100,")
    with pytest.raises(ModelFileError) as err:
        parse_model(text, name="m.yaml")
    message = str(err.value)
    assert "load_assumptions.peak_factor: is required but missing" in message
    assert "load_assumptions.peak_factr: unknown key" in message
    assert "\n" not in message


def test_cross_references_are_checked() -> None:
    text = _edited("price: claude-sonnet, calls_per_month: 100,", "price: claude-sonet, calls_per_month: 100,")
    text = text.replace("source: seed-10.3}\n    infrastructure:", "source: seed-9.9}\n    infrastructure:", 1)
    with pytest.raises(ModelFileError) as err:
        parse_model(text, name="m.yaml")
    message = str(err.value)
    assert message.startswith("m.yaml: 2 problems: ")
    assert "tiers[mvp].ai_operations[2].price: unknown price 'claude-sonet'" in message
    assert "tiers[mvp].seed_totals.source: unknown source 'seed-9.9'" in message


def test_scenarios_must_name_operations_every_targeted_tier_has() -> None:
    text = _edited("operation: embedding_generation, factor: 0.67}]", "operation: embeddings, factor: 0.67}]")
    with pytest.raises(ModelFileError, match=r"scenarios\[batched-embeddings\]\.changes\[0\]: operation 'embeddings'"):
        parse_model(text, name="m.yaml")


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(ModelFileError, match="m.yaml: expected a mapping at the top level, but found list"):
        parse_model("- 1\n- 2\n", name="m.yaml")
