"""Comparison settings: the defaults, `compare.yaml`, and the rule for each metric key.

    # compare.yaml (every key optional)
    threshold_pct: 20            # relative threshold, percent
    confidence: 0.99             # of the sampling-noise intervals, family-wise (see below)
    family_wise: true            # Bonferroni over the metrics compared: a run with no change is
                                 # flagged by sampling noise with probability <= 1 - confidence
    spread_k: 3                  # several baselines: band = median ± k · 1.4826 · MAD
    min_baselines_for_spread: 3
    floors:                      # absolute floors, in each unit
      ms: 5                      # latency
      pct: 0.5                   # error rate, dropped iterations: percentage points
      per_s: 0.5                 # throughput
      bytes: 8388608             # memory
    metrics:                     # per-metric overrides, fnmatch globs on metric keys;
      "*/latency_p99_ms": {threshold_pct: 30}   # every matching pattern applies, later ones win
      "redis/*": {floor: 16777216}
      "*/GET /health/*": {ignore: true}

Precedence: built-in defaults < compare.yaml < `--threshold` (the default threshold only) <
per-metric patterns.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.compare.inputs import Unit
from harness.compare.rules import MetricRule
from harness.errors import InputError
from harness.parsing.bounded import BoundsError, loads_yaml, read_capped
from harness.parsing.limits import MAX_YAML_BYTES

DEFAULT_THRESHOLD_PCT = 20.0
DEFAULT_CONFIDENCE = 0.99
DEFAULT_SPREAD_K = 3.0
DEFAULT_MIN_BASELINES_FOR_SPREAD = 3
DEFAULT_FLOORS: Mapping[Unit, float] = {
    Unit.MS: 5.0,
    Unit.PCT: 0.5,
    Unit.PER_S: 0.5,
    Unit.BYTES: 8.0 * 1024 * 1024,
}


class CompareConfigError(InputError):
    """compare.yaml is missing, unreadable or invalid (message names the file and the key)."""


@dataclass(frozen=True)
class MetricOverride:
    threshold_pct: float | None = None
    floor: float | None = None
    ignore: bool | None = None


@dataclass(frozen=True)
class CompareSettings:
    threshold_pct: float = DEFAULT_THRESHOLD_PCT
    confidence: float = DEFAULT_CONFIDENCE
    family_wise: bool = True
    spread_k: float = DEFAULT_SPREAD_K
    min_baselines_for_spread: int = DEFAULT_MIN_BASELINES_FOR_SPREAD
    floors: Mapping[Unit, float] = field(default_factory=lambda: dict(DEFAULT_FLOORS))
    overrides: tuple[tuple[str, MetricOverride], ...] = ()

    def rule_for(self, key: str, unit: Unit) -> MetricRule:
        threshold_pct, floor, ignore = self.threshold_pct, self.floors[unit], False
        for pattern, override in self.overrides:
            if fnmatch.fnmatchcase(key, pattern):
                threshold_pct = override.threshold_pct if override.threshold_pct is not None else threshold_pct
                floor = override.floor if override.floor is not None else floor
                ignore = override.ignore if override.ignore is not None else ignore
        return MetricRule(threshold_pct=threshold_pct, floor=floor, ignore=ignore)

    def with_threshold(self, threshold_pct: float | None) -> CompareSettings:
        if threshold_pct is None:
            return self
        if threshold_pct < 0:
            raise CompareConfigError(f"--threshold must be >= 0 (percent), but is {threshold_pct}")
        return replace(self, threshold_pct=threshold_pct)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Floors(_Strict):
    ms: float | None = Field(default=None, ge=0)
    pct: float | None = Field(default=None, ge=0)
    per_s: float | None = Field(default=None, ge=0)
    bytes: float | None = Field(default=None, ge=0)


class _Override(_Strict):
    threshold_pct: float | None = Field(default=None, ge=0)
    floor: float | None = Field(default=None, ge=0)
    ignore: bool | None = None


class _ConfigFile(_Strict):
    threshold_pct: float = Field(default=DEFAULT_THRESHOLD_PCT, ge=0)
    confidence: float = Field(default=DEFAULT_CONFIDENCE, ge=0.5, lt=1.0)
    family_wise: bool = True
    spread_k: float = Field(default=DEFAULT_SPREAD_K, ge=0)
    min_baselines_for_spread: int = Field(default=DEFAULT_MIN_BASELINES_FOR_SPREAD, ge=2)
    floors: _Floors = Field(default_factory=_Floors)
    metrics: dict[str, _Override] = Field(default_factory=dict)


def load_config(path: str | Path) -> CompareSettings:
    """Settings from a compare.yaml; every problem is reported with the file and the key."""
    file_path = Path(path)
    try:
        text = read_capped(file_path, MAX_YAML_BYTES).decode("utf-8")
    except BoundsError as error:
        raise CompareConfigError(f"{file_path}: {error}") from None
    except FileNotFoundError as error:
        raise CompareConfigError(f"{file_path}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise CompareConfigError(f"{file_path}: cannot be read ({error})") from error
    try:
        document = loads_yaml(text, max_bytes=MAX_YAML_BYTES)
    except BoundsError as error:
        raise CompareConfigError(f"{file_path}: {error}") from None
    except yaml.YAMLError as error:
        raise CompareConfigError(f"{file_path}: is not valid YAML ({error})".replace("\n", " ")) from error
    return settings_from_mapping(document if document is not None else {}, source=str(file_path))


def settings_from_mapping(document: object, *, source: str) -> CompareSettings:
    if not isinstance(document, dict):
        raise CompareConfigError(f"{source}: the top level must be a mapping, but is {type(document).__name__}")
    try:
        parsed = _ConfigFile.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise CompareConfigError(f"{source}: {problems}") from error
    floors = dict(DEFAULT_FLOORS)
    for unit in Unit:
        value = getattr(parsed.floors, unit.value)
        if value is not None:
            floors[unit] = value
    overrides = tuple(
        (pattern, MetricOverride(threshold_pct=o.threshold_pct, floor=o.floor, ignore=o.ignore))
        for pattern, o in parsed.metrics.items()
    )
    return CompareSettings(
        threshold_pct=parsed.threshold_pct,
        confidence=parsed.confidence,
        family_wise=parsed.family_wise,
        spread_k=parsed.spread_k,
        min_baselines_for_spread=parsed.min_baselines_for_spread,
        floors=floors,
        overrides=overrides,
    )


def rule_lines(settings: CompareSettings, *, tests: int | None = None) -> list[str]:
    """The verdict rule with the parameters in force, printed with every report (`tests`: how many
    metrics were compared, for the per-metric confidence under Bonferroni)."""
    floors = ", ".join(f"{_unit_label(unit)} {_floor_text(unit, value)}" for unit, value in settings.floors.items())
    lines = [
        (f"regressed: worse by more than {settings.threshold_pct:g} % (relative), AND by more than the absolute floor "
        f"({floors}), AND outside the noise band, AND on a measurement that can be trusted; inconclusive: all of that, "
        "but either run's host was degraded (CPU pressure, other processes, steal) or its generator lagged in the "
        "windows that matter to the metric; improved: past both thresholds and the band in the better direction; "
        "within noise: past both thresholds but inside the band; unchanged: below either threshold."),
        (f"noise band: the interval of current - baseline at {_confidence_text(settings, tests)}: latency percentiles from "
        "the histograms' order statistics (distribution-free binomial ranks), widened to a moving-block bootstrap over "
        "the runs' time blocks where that is wider (samples are correlated in time), error rates and dropped iterations from "
        "Newcombe's score interval, throughput from Poisson counts. With "
        f"{settings.min_baselines_for_spread}+ baseline runs the baseline is their median and the band is at least "
        f"±{settings.spread_k:g}·1.4826·MAD of their values. Without histograms (k6 summary export) or for single "
        "readings (peak memory): no noise estimate, the two thresholds decide alone."),
    ]
    if settings.overrides:
        shown = "; ".join(f"{pattern}: {_override_text(o)}" for pattern, o in settings.overrides)
        lines.append(f"per-metric overrides (later patterns win): {shown}")
    return lines


def _confidence_text(settings: CompareSettings, tests: int | None) -> str:
    if not settings.family_wise:
        return f"{settings.confidence:.0%} confidence per metric"
    each = "" if tests is None else f" ({100 * (1 - (1 - settings.confidence) / max(tests, 1)):.3f} % each over {tests} metrics)"
    return f"{settings.confidence:.0%} confidence family-wise, Bonferroni{each}"


def _unit_label(unit: Unit) -> str:
    return {Unit.MS: "latency", Unit.PCT: "rates", Unit.PER_S: "throughput", Unit.BYTES: "memory"}[unit]


def _floor_text(unit: Unit, value: float) -> str:
    if unit is Unit.BYTES:
        return f"{value / (1024 * 1024):g} MiB"
    return {Unit.MS: f"{value:g} ms", Unit.PCT: f"{value:g} pp", Unit.PER_S: f"{value:g}/s"}[unit]


def _override_text(override: MetricOverride) -> str:
    parts = []
    if override.ignore:
        parts.append("ignored")
    if override.threshold_pct is not None:
        parts.append(f"threshold {override.threshold_pct:g} %")
    if override.floor is not None:
        parts.append(f"floor {override.floor:g}")
    return ", ".join(parts) or "no change"
