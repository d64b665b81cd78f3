"""The verdict rules over host conditions (pure)."""

from __future__ import annotations

from harness.health.rules import (
    DEFAULT_LIMITS,
    HealthLimits,
    degraded_seconds,
    degraded_share_limit,
    judged,
    run_reasons,
    window_reasons,
    with_generator,
)
from harness.results.model import HostConditions, MeasurementHealth


def window(t_s: float, *, psi: float = 3.0, other: float | None = 0.05, steal: float | None = 0.0, duration_s: float = 2.0) -> HostConditions:
    return judged(HostConditions(t_s=t_s, duration_s=duration_s, cpu_pressure_some_pct=psi, other_cpu_cores=other, steal_pct=steal))


def test_each_limit_names_itself_with_value_and_limit() -> None:
    assert window_reasons(window(0.0)) == []
    reasons = window_reasons(HostConditions(t_s=0, duration_s=2, cpu_pressure_some_pct=36.0, other_cpu_cores=1.5, steal_pct=12.0,
                                            memory_pressure_full_pct=9.0, io_pressure_full_pct=40.0))
    assert reasons == ["host CPU pressure 36 % (limit 15 %)", "other processes' CPU 1.50 cores (limit 1.00 cores)",
                       "CPU steal 12.0 % (limit 5.0 %)", "memory pressure 9 % (limit 5 %)", "IO pressure 40 % (limit 25 %)"]


def test_the_neighbours_limit_is_half_the_hosts_cpus() -> None:
    assert HealthLimits.for_cpus(2).other_cpu_cores == 1.0 and HealthLimits.for_cpus(8).other_cpu_cores == 4.0
    assert window_reasons(HostConditions(t_s=0, duration_s=2, other_cpu_cores=3.0), limits=HealthLimits.for_cpus(8)) == []


def test_a_missing_figure_is_not_judged() -> None:
    assert window_reasons(HostConditions(t_s=0, duration_s=2)) == []


def test_one_blip_is_listed_but_a_run_is_degraded_only_past_its_share() -> None:
    windows = [window(2.0 * i) for i in range(30)]
    total = window(0.0, duration_s=60.0)
    one_blip = [*windows[:10], window(20.0, psi=40.0), *windows[11:]]
    assert one_blip[10].reasons and run_reasons(one_blip, total, generator_reasons=[]) == []  # 1 of 30 = 3.3 % <= 5 %
    two = [*one_blip[:11], window(22.0, psi=40.0), *one_blip[12:]]
    reasons = run_reasons(two, total, generator_reasons=[])
    assert reasons == ["2 of 30 sample windows degraded (7 % of the load phase, limit 5 %): host CPU pressure up to 40 % in 2"]


def test_the_load_phase_as_a_whole_and_the_generator_each_make_a_run_degraded() -> None:
    windows = [window(2.0 * i) for i in range(5)]
    assert run_reasons(windows, window(0.0, other=1.2, duration_s=10.0), generator_reasons=[]) == [
        "over the load phase: other processes' CPU 1.20 cores (limit 1.00 cores)"]
    assert run_reasons(windows, window(0.0, other=0.9, duration_s=10.0), generator_reasons=[]) == []
    assert run_reasons(windows, window(0.0, duration_s=10.0), generator_reasons=["iteration start lag p99 is 93.0 ms"]) == [
        "generator: iteration start lag p99 is 93.0 ms"]


def test_degraded_seconds_counts_only_the_overlap_with_the_span() -> None:
    windows = [window(0.0), window(2.0, psi=50.0), window(4.0)]
    assert degraded_seconds(windows) == (2.0, 6.0)
    assert degraded_seconds(windows, start_s=3.0, end_s=5.0) == (1.0, 2.0)
    assert degraded_seconds(windows, start_s=4.0, end_s=6.0) == (0.0, 2.0)


def test_a_percentile_bears_less_degraded_time_the_further_out_it_is() -> None:
    assert degraded_share_limit(99.0) == 0.005
    assert degraded_share_limit(95.0) == 0.025
    assert degraded_share_limit(50.0) == DEFAULT_LIMITS.degraded_share == degraded_share_limit(None)


def test_the_generators_verdict_joins_the_hosts_once() -> None:
    health = MeasurementHealth(verdict="clean", reasons=[], limits=DEFAULT_LIMITS.as_dict(), system_processes="x",
                               total=window(0.0), windows=[window(0.0)])
    joined = with_generator(health, ["dropped 3 iterations"])
    assert joined.verdict == "degraded" and joined.reasons == ["generator: dropped 3 iterations"]
    assert with_generator(joined, []).verdict == "clean"
