"""The LLM price table (`prices.yaml`) and the cost of one call.

Prices are USD per million tokens, each with the date it was checked and where; the cost of a call
is computed in Decimal (the column is numeric(12, 8)) and exported to Prometheus as a float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

_MODEL_KEYS = {"input_usd_per_mtok", "output_usd_per_mtok", "as_of", "source"}
_MILLION = Decimal(1_000_000)


class PricesError(ValueError):
    """The price table is invalid or lacks a model; the message names the file and the key."""


@dataclass(frozen=True)
class ModelPrice:
    model: str
    input_usd_per_mtok: Decimal
    output_usd_per_mtok: Decimal
    as_of: dt.date
    source: str

    def cost_usd(self, *, input_tokens: int, output_tokens: int) -> Decimal:
        return (self.input_usd_per_mtok * input_tokens + self.output_usd_per_mtok * output_tokens) / _MILLION


@dataclass(frozen=True)
class PriceTable:
    prices: dict[str, ModelPrice]
    source: str = "<prices>"

    def price(self, model: str) -> ModelPrice:
        try:
            return self.prices[model]
        except KeyError:
            known = ", ".join(sorted(self.prices))
            raise PricesError(f"{self.source}: no price for model {model!r}; priced models: {known}") from None

    def cost_usd(self, model: str, *, input_tokens: int, output_tokens: int) -> Decimal:
        return self.price(model).cost_usd(input_tokens=input_tokens, output_tokens=output_tokens)


def load_prices(path: Path) -> PriceTable:
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise PricesError(f"{path}: cannot read the price table: {exc}") from None
    except yaml.YAMLError as exc:
        raise PricesError(f"{path}: not valid YAML: {exc}") from None
    return parse_prices(document, source=str(path))


def parse_prices(document: Any, *, source: str = "<prices>") -> PriceTable:
    if not isinstance(document, dict) or not isinstance(document.get("models"), dict) or not document["models"]:
        raise PricesError(f"{source}: expected a mapping with a non-empty `models` mapping")
    if document.get("currency", "USD") != "USD":
        raise PricesError(f"{source}: currency must be USD, but is {document.get('currency')!r}")
    errors: list[str] = []
    prices: dict[str, ModelPrice] = {}
    for model, raw in document["models"].items():
        problems = _model_problems(raw)
        errors += [f"{source}: models.{model}: {problem}" for problem in problems]
        if not problems:
            prices[str(model)] = ModelPrice(
                model=str(model),
                input_usd_per_mtok=Decimal(str(raw["input_usd_per_mtok"])),
                output_usd_per_mtok=Decimal(str(raw["output_usd_per_mtok"])),
                as_of=raw["as_of"],
                source=raw["source"],
            )
    if errors:
        raise PricesError("\n".join(errors))
    return PriceTable(prices=prices, source=source)


def _model_problems(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return [f"must be a mapping with {', '.join(sorted(_MODEL_KEYS))}"]
    problems = [f"unknown key {key!r}" for key in raw if key not in _MODEL_KEYS]
    for key in ("input_usd_per_mtok", "output_usd_per_mtok"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"{key} must be a number >= 0, but is {value!r}")
    if not isinstance(raw.get("as_of"), dt.date):
        problems.append(f"as_of must be a date (YYYY-MM-DD), but is {raw.get('as_of')!r}")
    if not isinstance(raw.get("source"), str) or not raw["source"].strip():
        problems.append("source must say where the price was read")
    return problems
