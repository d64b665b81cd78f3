"""The price table: every price has a date and a source; costs are exact decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.worker.pricing import PricesError, load_prices, parse_prices
from app.worker.settings import DEFAULT_MODEL, WorkerSettings


def test_the_shipped_table_prices_the_default_model_with_date_and_source() -> None:
    table = load_prices(WorkerSettings.prices_path)
    price = table.price(DEFAULT_MODEL)
    assert (price.input_usd_per_mtok, price.output_usd_per_mtok) == (Decimal("1.0"), Decimal("5.0"))
    assert isinstance(price.as_of, dt.date) and price.source.startswith("https://")
    assert all(p.source and p.as_of for p in table.prices.values())


def test_cost_is_tokens_times_price_per_million() -> None:
    table = load_prices(WorkerSettings.prices_path)
    assert table.cost_usd(DEFAULT_MODEL, input_tokens=300, output_tokens=40) == Decimal("0.0005")


def test_an_unpriced_model_is_an_error_naming_the_priced_ones() -> None:
    table = load_prices(WorkerSettings.prices_path)
    with pytest.raises(PricesError, match="no price for model 'claude-unknown'; priced models: claude-"):
        table.price("claude-unknown")


def test_every_problem_of_a_price_table_is_reported() -> None:
    document = {"models": {
        "a": {"input_usd_per_mtok": -1, "output_usd_per_mtok": "5", "as_of": "yesterday", "source": ""},
        "b": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2, "as_of": dt.date(2026, 1, 1),
              "source": "x", "discount": 0.5},
    }}
    with pytest.raises(PricesError) as caught:
        parse_prices(document, source="prices.yaml")
    message = str(caught.value)
    for expected in ("prices.yaml: models.a: input_usd_per_mtok must be a number >= 0, but is -1",
                     "models.a: output_usd_per_mtok must be a number >= 0, but is '5'",
                     "models.a: as_of must be a date (YYYY-MM-DD), but is 'yesterday'",
                     "models.a: source must say where the price was read",
                     "models.b: unknown key 'discount'"):
        assert expected in message
