from harness.health.generator import CpuReading, ScenarioLoad, saturation_reasons


def test_a_healthy_generator_has_no_reasons():
    assert saturation_reasons(lag_p99_ms=3.0, cpu=[CpuReading("local", 1, 40.0, 70.0)],
                              scenarios=[ScenarioLoad("s", 0, 50.0, 10.0, 20)]) == []


def test_each_reason_is_named():
    reasons = saturation_reasons(
        lag_p99_ms=120.0,
        cpu=[CpuReading("worker 0", 7, 97.0, 100.0)],
        scenarios=[ScenarioLoad("fast", 30, 50.0, 10.0, 20),  # needs 0.5 VUs of 20: generator-side drops
                   ScenarioLoad("slow", 30, 50.0, 2000.0, 20)],  # needs 100 VUs: the server is slow
    )
    assert len(reasons) == 3
    assert reasons[0].startswith("iteration start lag p99 is 120.0 ms")
    assert reasons[1].startswith("worker 0 process 7 used 97 % of a core")
    assert reasons[2].startswith("scenario fast dropped 30 iterations although it needed about 0.5 of its 20 VUs")
