"""Run results: the typed model, reading (`load_result`) and writing, and the k6 summary export.

    from harness.results import load_result, RunResult, ResultFileError
    result = load_result("reports/<run-id>/result.json")
"""

from harness.errors import ResultFileError
from harness.results.io import RESULT_FILE_NAME, load_result, save_result
from harness.results.k6_summary import k6_summary, write_k6_summary
from harness.results.model import SCHEMA_VERSION, RunResult

__all__ = [
    "RESULT_FILE_NAME",
    "SCHEMA_VERSION",
    "ResultFileError",
    "RunResult",
    "k6_summary",
    "load_result",
    "save_result",
    "write_k6_summary",
]
