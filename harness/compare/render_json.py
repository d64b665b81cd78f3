"""The comparison as a JSON document (`bwperf.compare/1`)."""

from __future__ import annotations

import math
from typing import Any

from harness.compare.config import rule_lines
from harness.compare.engine import Comparison
from harness.compare.formatting import VERDICT_ORDER

FORMAT = "bwperf.compare/1"


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    settings = comparison.settings
    return {
        "format": FORMAT,
        "regressed": comparison.regressed,
        "inconclusive": comparison.inconclusive,
        "status": "regressed" if comparison.regressed else "inconclusive" if comparison.inconclusive else "ok",
        "counts": {v.value: comparison.count(v) for v in VERDICT_ORDER},
        "baselines": [vars(b) for b in comparison.baselines],
        "current": vars(comparison.current),
        "rule": {
            "threshold_pct": settings.threshold_pct,
            "confidence": settings.confidence,
            "spread_k": settings.spread_k,
            "min_baselines_for_spread": settings.min_baselines_for_spread,
            "floors": {unit.value: value for unit, value in settings.floors.items()},
            "overrides": [{"match": p, **{k: v for k, v in vars(o).items() if v is not None}} for p, o in settings.overrides],
            "family_wise": settings.family_wise,
            "text": rule_lines(settings, tests=len(comparison.metrics)),
        },
        "plan_differences": [{"key": d.key, "baseline": d.baseline, "current": d.current} for d in comparison.plan_differences],
        "notes": list(comparison.notes),
        "metrics": [
            {
                "key": m.key,
                "unit": m.unit.value,
                "direction": m.direction.value,
                "baseline": m.baseline,
                "baseline_values": list(m.baseline_values),
                "current": m.current,
                "delta": m.delta,
                "delta_pct": _finite(m.delta_pct),
                "noise": None if m.noise is None else _finite(m.noise),
                "noise_source": m.noise_source,
                "threshold_pct": m.rule.threshold_pct,
                "floor": m.rule.floor,
                "verdict": m.verdict.value,
                "reason": m.reason,
                "server": m.server,
            }
            for m in comparison.metrics
        ],
    }


def _finite(value: float) -> float | str:
    """JSON has no infinity: a change from 0 is written as "+inf" / "-inf"."""
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    return value
