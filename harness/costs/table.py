"""Typed tables and cell formatting shared by every renderer.

A table is typed by column (money, share, count...), so each renderer formats cells its own way:
Markdown and HTML as text (`format_cell`), CSV as plain numbers (`plain_cell`), XLSX as numbers
with currency formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from harness.costs.economics import CENT, UNIT_PLACES, round_usd

# "decimal": an exact number shown as written (730, 0.7, 0.000329); a cell may hold text instead.
Kind = Literal["text", "int", "number", "decimal", "money", "dollars", "unit_money", "price", "pct"]
Cell = str | int | float | Decimal | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    key: str  # stable id, used as sheet name / CSV section
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


def format_cell(value: Cell, kind: Kind) -> str:
    """Human text for Markdown and HTML: $1,917.00, $0.1917, 33.2 %, 300,000."""
    if value is None:
        return ""
    if kind == "text" or isinstance(value, str):
        return str(value)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if kind == "money":
        return _signed_dollars(round_usd(number), "{:,.2f}")
    if kind == "dollars":
        return _signed_dollars(round_usd(number, Decimal(1)), "{:,.0f}")
    if kind == "unit_money":
        return _signed_dollars(round_usd(number, UNIT_PLACES), "{:,.4f}")
    if kind == "price":
        return "$" + format(number.normalize(), "f")
    if kind == "decimal":
        return format(number.normalize(), "f")
    if kind == "pct":
        return f"{round_usd(number * 100, Decimal('0.1'))} %"
    if kind == "int":
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def plain_cell(value: Cell, kind: Kind) -> str:
    """Machine text for CSV: no currency signs or separators, money to cents, shares as fractions."""
    if value is None:
        return ""
    if kind == "text" or isinstance(value, str):
        return str(value)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if kind in ("money", "dollars"):
        return str(round_usd(number))
    if kind in ("unit_money", "pct"):
        return str(round_usd(number, UNIT_PLACES))
    if kind == "int":
        return str(round_usd(number, Decimal(1)))
    if kind in ("price", "decimal"):
        return format(number.normalize(), "f")
    return str(round_usd(number, CENT))


def _signed_dollars(amount: Decimal, pattern: str) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${pattern.format(abs(amount))}"


def plain_decimal(value: Decimal) -> str:
    """Exact decimal text without exponent or trailing zeros: 0.0001, 43800, 0.7."""
    return format(value.normalize(), "f")
