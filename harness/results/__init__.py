"""Run results: the typed model, reading (`load_result`) and writing, the k6 summary export, and
the run's one verdict (`run_verdict`: thresholds and stress goals, what every view says).

    from harness.results import load_result, RunResult, ResultFileError
    result = load_result("reports/<run-id>/result.json")
"""

from harness.errors import ResultFileError
from harness.results.io import RESULT_FILE_NAME, load_result, save_result
from harness.results.k6_summary import k6_summary, write_k6_summary
from harness.results.model import SCHEMA_VERSION, RunResult
from harness.results.verdict import Verdict, run_verdict

__all__ = [
    "RESULT_FILE_NAME",
    "SCHEMA_VERSION",
    "ResultFileError",
    "RunResult",
    "Verdict",
    "k6_summary",
    "load_result",
    "run_verdict",
    "save_result",
    "write_k6_summary",
]
