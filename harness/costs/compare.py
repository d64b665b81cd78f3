"""Compare two JSON cost reports, per tier and per line (`--compare-to`).

Both sides are read from the same JSON shape (infracost.py), so a report is compared with an
earlier one exactly as a reader of the two files would: tiers by project name, lines by
resource name, money from `monthlyCost`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from harness.costs.errors import CompareFileError
from harness.costs.infracost import REPORT_KIND
from harness.parsing.bounded import BoundsError, loads_json, read_capped
from harness.parsing.limits import MAX_JSON_BYTES

Change = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class LineDiff:
    resource: str  # e.g. "infrastructure.api"
    label: str  # e.g. "API Service (x5)"
    previous_usd_month: Decimal | None  # None: the line is new
    current_usd_month: Decimal | None  # None: the line was removed

    @property
    def diff_usd_month(self) -> Decimal:
        return (self.current_usd_month or Decimal(0)) - (self.previous_usd_month or Decimal(0))

    @property
    def change(self) -> Change:
        if self.previous_usd_month is None:
            return "added"
        if self.current_usd_month is None:
            return "removed"
        return "unchanged" if self.diff_usd_month == 0 else "changed"


@dataclass(frozen=True)
class TierDiff:
    tier_name: str
    previous_usd_month: Decimal | None
    current_usd_month: Decimal | None
    lines: tuple[LineDiff, ...]

    @property
    def diff_usd_month(self) -> Decimal:
        return (self.current_usd_month or Decimal(0)) - (self.previous_usd_month or Decimal(0))


@dataclass(frozen=True)
class Comparison:
    previous_label: str
    previous_generated_at: str
    tiers: tuple[TierDiff, ...]


def load_previous(path: Path) -> dict[str, Any]:
    """Read an earlier JSON cost report; errors are one line and name the file."""
    name = str(path)
    try:
        data = loads_json(read_capped(Path(path), MAX_JSON_BYTES))
    except BoundsError as exc:
        raise CompareFileError(f"{name}: {exc}") from None
    except FileNotFoundError:
        raise CompareFileError(f"{name}: previous report not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CompareFileError(f"{name}: cannot read the previous report: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CompareFileError(
            f"{name}: not a JSON cost report (invalid JSON at line {exc.lineno}, column {exc.colno})"
        ) from None
    check_document(data, name=name)
    return data


def check_document(data: Any, *, name: str) -> None:
    """Raise CompareFileError unless `data` is a JSON cost report this tool wrote."""
    hint = "write one with `bwperf cost report --format json`"
    if not isinstance(data, dict) or data.get("kind") != REPORT_KIND:
        raise CompareFileError(f'{name}: not a cost report (expected "kind": "{REPORT_KIND}"; {hint})')
    projects = data.get("projects")
    if not isinstance(projects, list):
        raise CompareFileError(f"{name}: not a cost report (projects must be a list; {hint})")
    for i, project in enumerate(projects):
        path = f"projects[{i}]"
        if not isinstance(project, dict) or not isinstance(project.get("name"), str):
            raise CompareFileError(f"{name}: {path}.name is missing")
        breakdown = project.get("breakdown")
        if not isinstance(breakdown, dict) or not isinstance(breakdown.get("resources"), list):
            raise CompareFileError(f"{name}: {path}.breakdown.resources is missing")
        _decimal(breakdown.get("totalMonthlyCost"), f"{path}.breakdown.totalMonthlyCost", name)
        for j, resource in enumerate(breakdown["resources"]):
            where = f"{path}.breakdown.resources[{j}]"
            if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
                raise CompareFileError(f"{name}: {where}.name is missing")
            _decimal(resource.get("monthlyCost"), f"{where}.monthlyCost", name)


def compare_documents(previous: Mapping[str, Any], current: Mapping[str, Any], *, previous_label: str) -> Comparison:
    """Per-tier and per-line differences, current minus previous, tiers in the current order."""
    past = _tiers(previous)
    now = _tiers(current)
    names = list(now) + [n for n in past if n not in now]
    tiers = []
    for name in names:
        past_total, past_lines = past.get(name, (None, {}))
        now_total, now_lines = now.get(name, (None, {}))
        resources = list(now_lines) + [r for r in past_lines if r not in now_lines]
        lines = tuple(
            LineDiff(
                resource=resource,
                label=(now_lines.get(resource) or past_lines[resource])[0],
                previous_usd_month=past_lines[resource][1] if resource in past_lines else None,
                current_usd_month=now_lines[resource][1] if resource in now_lines else None,
            )
            for resource in resources
        )
        tiers.append(TierDiff(tier_name=name, previous_usd_month=past_total, current_usd_month=now_total, lines=lines))
    return Comparison(
        previous_label=previous_label,
        previous_generated_at=str(previous.get("timeGenerated", "")),
        tiers=tuple(tiers),
    )


def _tiers(document: Mapping[str, Any]) -> dict[str, tuple[Decimal, dict[str, tuple[str, Decimal]]]]:
    out: dict[str, tuple[Decimal, dict[str, tuple[str, Decimal]]]] = {}
    for project in document["projects"]:
        breakdown = project["breakdown"]
        lines = {
            r["name"]: (str((r.get("metadata") or {}).get("label") or r["name"]), Decimal(str(r["monthlyCost"])))
            for r in breakdown["resources"]
        }
        out[project["name"]] = (Decimal(str(breakdown["totalMonthlyCost"])), lines)
    return out


def _decimal(value: Any, path: str, name: str) -> Decimal:
    try:
        if isinstance(value, bool) or value is None:
            raise InvalidOperation
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InvalidOperation
        return amount
    except InvalidOperation:
        raise CompareFileError(f"{name}: {path} must be a decimal amount, but is {value!r}") from None
