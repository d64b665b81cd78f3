"""The engine package is cheap to import and exposes its names lazily (Locust patches gevent)."""

import subprocess
import sys


def test_importing_the_engine_package_does_not_import_locust():
    code = "import sys, harness.engine, harness.results, harness.plan.load; print('locust' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_exported_names():
    import harness.engine
    import harness.results

    assert harness.engine.__all__ == ["VirtualUser", "locust_user"]
    assert set(harness.results.__all__) == {
        "RESULT_FILE_NAME", "RUNNING_REASON", "SCHEMA_VERSION", "GoalsVerdict", "PrometheusSample", "RedisHeadroom",
        "RedisSample", "ResultFileError", "RunResult", "Samples", "SeriesPointModel", "ThresholdResult", "Verdict",
        "k6_summary", "load_phase_s", "load_result", "redis_headroom", "run_rate_per_s", "run_verdict", "samples",
        "ScheduleGap", "schedule_gaps",
        "save_result", "write_k6_summary",
    }  # fmt: skip
    for name in harness.results.__all__:
        assert getattr(harness.results, name) is not None, name
