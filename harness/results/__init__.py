"""Run results: the typed model, reading (`load_result`) and writing, the k6 summary export, and
the run's one verdict (`run_verdict`: thresholds and stress goals, what every view says).

    from harness.results import load_result, RunResult, ResultFileError
    result = load_result("reports/<run-id>/result.json")

The model's parts the views read (`ThresholdResult`, `Samples`, ...), the run-wide figures
(`load_phase_s`, `run_rate_per_s`, `schedule_gaps`) and Redis headroom are exported too; `samples` (the one reader
of the Prometheus samples: gauges, counter rates, histogram quantiles) is exported as a module.
"""

from harness.errors import ResultFileError
from harness.results import samples
from harness.results.figures import ScheduleGap, load_phase_s, run_rate_per_s, schedule_gaps
from harness.results.io import RESULT_FILE_NAME, load_result, save_result
from harness.results.k6_summary import k6_summary, write_k6_summary
from harness.results.model import (
    RUNNING_REASON,
    SCHEMA_VERSION,
    GoalsVerdict,
    PrometheusSample,
    RedisSample,
    RunResult,
    Samples,
    SeriesPointModel,
    ThresholdResult,
)
from harness.results.samples import RedisHeadroom, redis_headroom
from harness.results.verdict import Verdict, run_verdict

__all__ = [
    "RESULT_FILE_NAME",
    "RUNNING_REASON",
    "SCHEMA_VERSION",
    "GoalsVerdict",
    "PrometheusSample",
    "RedisHeadroom",
    "RedisSample",
    "ResultFileError",
    "RunResult",
    "ScheduleGap",
    "Samples",
    "SeriesPointModel",
    "ThresholdResult",
    "Verdict",
    "k6_summary",
    "load_phase_s",
    "load_result",
    "redis_headroom",
    "run_rate_per_s",
    "run_verdict",
    "samples",
    "save_result",
    "schedule_gaps",
    "write_k6_summary",
]
