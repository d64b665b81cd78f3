"""Response latency of the emulated model: lognormal by default, or fixed.

A lognormal is fixed by two quantiles: the median is exp(mu) and the 95th percentile is
exp(mu + z95 * sigma), so mu = ln(median) and sigma = ln(p95 / median) / z95. The defaults
(median 700 ms, p95 1.6 s) are a short Haiku classification answer seen from a client.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

Z95 = 1.6448536269514722        # the standard normal's 95th percentile
Distribution = Literal["lognormal", "fixed"]


def lognormal_params(*, median_ms: float, p95_ms: float) -> tuple[float, float]:
    """(mu, sigma) of ln(latency in ms) for the given median and 95th percentile."""
    if median_ms <= 0:
        raise ValueError(f"median_ms must be > 0, but is {median_ms}")
    if p95_ms < median_ms:
        raise ValueError(f"p95_ms must be >= median_ms ({median_ms}), but is {p95_ms}")
    return math.log(median_ms), math.log(p95_ms / median_ms) / Z95


@dataclass(frozen=True)
class LatencyModel:
    distribution: Distribution = "lognormal"
    median_ms: float = 700.0
    p95_ms: float = 1600.0
    max_ms: float = 30_000.0    # cut the far tail: one 2-minute outlier would dominate a short run

    def problems(self) -> list[str]:
        found: list[str] = []
        if self.distribution not in ("lognormal", "fixed"):
            found.append(f"distribution must be lognormal or fixed, but is {self.distribution!r}")
        if self.median_ms < 0 or (self.distribution == "lognormal" and self.median_ms == 0):
            found.append(f"median_ms must be > 0 (>= 0 when fixed), but is {self.median_ms}")
        if self.distribution == "lognormal" and self.p95_ms < self.median_ms:
            found.append(f"p95_ms must be >= median_ms ({self.median_ms}), but is {self.p95_ms}")
        if self.max_ms < self.median_ms:
            found.append(f"max_ms must be >= median_ms ({self.median_ms}), but is {self.max_ms}")
        return found

    def sample_s(self, rng: random.Random) -> float:
        """One latency in seconds."""
        if self.distribution == "fixed":
            return self.median_ms / 1000
        mu, sigma = lognormal_params(median_ms=self.median_ms, p95_ms=self.p95_ms)
        return min(rng.lognormvariate(mu, sigma), self.max_ms) / 1000

    def as_dict(self) -> dict[str, object]:
        return {"distribution": self.distribution, "median_ms": self.median_ms, "p95_ms": self.p95_ms,
                "max_ms": self.max_ms}
