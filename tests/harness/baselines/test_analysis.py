"""The change-point algorithm on plain numbers: steps found where they are, none invented."""

from __future__ import annotations

import numpy as np
import pytest

from harness.baselines.analysis import (
    ChangePointOptions,
    find_change_points,
    welch_pvalue,
)


def noisy(rng: np.random.Generator, n: int, *, cv: float = 0.05) -> np.ndarray:
    return 100.0 * (1.0 + cv * rng.standard_normal(n))


def test_a_clear_step_is_found_at_its_run() -> None:
    x = noisy(np.random.default_rng(1), 30)
    x[17:] *= 1.25
    (split,) = find_change_points(x)
    assert split.index == 17
    assert split.change_pct == pytest.approx(25.0, abs=5.0)
    assert split.pvalue < 0.001


def test_a_bump_gives_two_change_points() -> None:
    x = noisy(np.random.default_rng(2), 30)
    x[10:20] *= 1.3
    assert [s.index for s in find_change_points(x)] == [10, 20]


@pytest.mark.parametrize("length", [12, 30, 120])
def test_flat_noisy_histories_rarely_get_a_change_point(length: int) -> None:
    # 200 flat series each, Gaussian and heavy-tailed (t with 3 degrees of freedom) noise.
    invented = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        invented += bool(find_change_points(noisy(rng, length)))
        invented += bool(find_change_points(100.0 * np.exp(0.05 * rng.standard_t(3, length))))
    assert invented / 400 <= 0.02


def test_detection_rate_of_a_20_percent_step_in_30_runs() -> None:
    found = 0
    for seed in range(100):
        x = noisy(np.random.default_rng(seed), 30)
        x[15:] *= 1.2
        found += any(abs(s.index - 15) <= 1 for s in find_change_points(x))
    assert found >= 95


def test_small_steps_are_dropped_by_the_magnitude_floor() -> None:
    x = np.r_[np.full(10, 100.0), np.full(10, 103.0)] + np.random.default_rng(3).normal(0, 0.1, 20)
    assert find_change_points(x, options=ChangePointOptions(min_magnitude_pct=5.0)) == []
    assert [s.index for s in find_change_points(x, options=ChangePointOptions(min_magnitude_pct=2.0))] == [10]


def test_degenerate_inputs() -> None:
    assert find_change_points([]) == []
    assert find_change_points([5.0] * 40) == []
    assert find_change_points([1.0, 2.0, 3.0, 4.0, 5.0]) == []  # too short for 3 runs a side
    assert [s.index for s in find_change_points([10.0] * 5 + [20.0] * 5)] == [5]  # zero variance sides
    with pytest.raises(ValueError, match="finite"):
        find_change_points([1.0, float("nan"), 2.0])


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="min_segment"):
        ChangePointOptions(min_segment=1)
    with pytest.raises(ValueError, match="max_pvalue"):
        ChangePointOptions(max_pvalue=0.0)


def test_welch_matches_scipy() -> None:
    from scipy.stats import ttest_ind

    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, 7), rng.normal(1, 3, 11)
    assert welch_pvalue(a, b) == pytest.approx(float(ttest_ind(a, b, equal_var=False).pvalue), rel=1e-9)
