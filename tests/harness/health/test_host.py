"""Host counters: exact arithmetic on a fake /proc, and a real reading of this machine's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.health.host import (
    CpuJiffies,
    HostReading,
    Pressure,
    interval_between,
    read_cpu_jiffies,
    read_load_avg,
    read_pressure,
    take_reading,
)


def fake_proc(root: Path, *, cpu_some_us: int, cpu_full_us: int | None, stat: str, load: str = "0.50 0.40 0.30 1/100 42",
              psi: bool = True) -> Path:
    (root / "pressure").mkdir(parents=True, exist_ok=True)
    if psi:
        lines = [f"some avg10=0.00 avg60=0.00 avg300=0.00 total={cpu_some_us}"]
        if cpu_full_us is not None:
            lines.append(f"full avg10=0.00 avg60=0.00 avg300=0.00 total={cpu_full_us}")
        (root / "pressure" / "cpu").write_text("\n".join(lines) + "\n")
        for resource in ("memory", "io"):
            (root / "pressure" / resource).write_text("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                                                      "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    (root / "stat").write_text(stat + "\ncpu0 1 2 3 4\n")
    (root / "loadavg").write_text(load + "\n")
    return root


def test_pressure_totals_and_cpu_jiffies_are_read_from_the_kernels_formats(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, cpu_some_us=1_500_000, cpu_full_us=200, stat="cpu  100 5 50 800 20 3 2 10 7 0")
    assert read_pressure("cpu", proc=proc) == Pressure(some_us=1_500_000, full_us=200)
    # busy = all but idle (800) and iowait (20); guest (7) is already inside user and not added again
    assert read_cpu_jiffies(proc=proc) == CpuJiffies(busy=100 + 5 + 50 + 3 + 2 + 10, total=990, steal=10)
    assert read_load_avg(proc=proc) == 0.5


def test_a_kernel_without_psi_gives_none_not_an_error(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, cpu_some_us=0, cpu_full_us=None, stat="cpu  1 0 1 10 0 0 0 0", psi=False)
    assert read_pressure("cpu", proc=proc) == Pressure(None, None)
    reading = take_reading({}, proc=proc, clock=lambda: 1.0)
    interval = interval_between(reading, take_reading({}, proc=proc, clock=lambda: 3.0))
    assert interval.pressure_pct["cpu"] == (None, None)
    assert read_cpu_jiffies(proc=tmp_path / "nowhere") is None


def test_the_interval_between_two_readings_is_exact_counter_arithmetic() -> None:
    first = HostReading(monotonic_s=10.0, pressure={"cpu": Pressure(1_000_000, 0), "memory": Pressure(0, 0), "io": Pressure(5, 5)},
                        cpu=CpuJiffies(busy=1000, total=4000, steal=0), load_avg_1m=1.0,
                        group_cpu_s={"generator": 2.0, "system": 5.0})
    last = HostReading(monotonic_s=12.0, pressure={"cpu": Pressure(1_600_000, 100_000), "memory": Pressure(0, 0), "io": Pressure(5, 5)},
                       cpu=CpuJiffies(busy=1300, total=4400, steal=40), load_avg_1m=2.5,
                       group_cpu_s={"generator": 2.5, "system": 5.9})
    interval = interval_between(first, last, cpu_count=2)
    assert interval.duration_s == 2.0
    assert interval.pressure_pct["cpu"] == pytest.approx((30.0, 5.0))  # 0.6 s and 0.1 s stalled of 2 s
    assert interval.host_cpu_cores == pytest.approx(2 * 300 / 400)  # 75 % of 2 cores
    assert interval.steal_pct == pytest.approx(10.0)
    assert interval.group_cpu_cores == pytest.approx({"generator": 0.25, "system": 0.45})
    assert interval.load_avg_1m == 2.5


def test_this_machine_reports_plausible_figures() -> None:
    first = take_reading({})
    busy_until = first.monotonic_s + 0.3
    while take_reading({}).monotonic_s < busy_until:
        pass
    interval = interval_between(first, take_reading({}))
    cores = os.cpu_count() or 1
    assert interval.host_cpu_cores is not None and 0.0 <= interval.host_cpu_cores <= cores + 0.01
    if Path("/proc/pressure/cpu").exists():
        some, _ = interval.pressure_pct["cpu"]
        assert some is not None and 0.0 <= some <= 100.0
