"""The harness's error tree, its exit codes, and the one place that maps errors to exit codes.
At the bottom of the harness: it imports nothing, so every package (and the `bwperf` entry) may
raise and map these.

    BwperfError                  base of every error the harness raises on purpose
    ├── InputError               exit 2: the user gave something we cannot use
    │   ├── PlanError            a plan file is invalid (every problem, with file and key path)
    │   ├── TargetError          the target is unreachable or not allowed (names which)
    │   ├── ResultFileError      a run-result file is missing, broken, truncated or of another schema
    │   └── SetupError           the setup phase failed (agent credentials could not be provisioned)
    └── EngineError              exit 3: the engine itself failed (workers lost, no result)

Thresholds that fail are not errors: the run completes and the CLI exits with
`EXIT_THRESHOLDS_FAILED` (99, k6's code). An interrupted run (Ctrl-C) exits with
`EXIT_INTERRUPTED` (130) after writing a result marked incomplete. A comparison exits
`EXIT_REGRESSION` (1) on a regression and `EXIT_INCONCLUSIVE` (4) when nothing regressed but the
measurement could explain a change (k6 keeps 97-110 for its own codes; none is reused). A run
whose every iteration of some scenario raised exits `EXIT_SCRIPT_ERROR` (5) when nothing else
failed: its behaviour is broken, so the run measured nothing it was meant to (never a pass).

"""

from __future__ import annotations

__all__ = [
    "EXIT_CHECK_FAILED",
    "EXIT_ENGINE",
    "EXIT_INCONCLUSIVE",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REGRESSION",
    "EXIT_SCRIPT_ERROR",
    "EXIT_THRESHOLDS_FAILED",
    "BwperfError",
    "EngineError",
    "InputError",
    "PlanError",
    "ResultFileError",
    "SetupError",
    "TargetError",
    "exit_code_for",
]

EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # what a command checks failed: compare/gate a regression, selftest a fault goal
EXIT_REGRESSION = EXIT_CHECK_FAILED  # k6 has no code for a regression
EXIT_INPUT = 2
EXIT_ENGINE = 3
EXIT_INCONCLUSIVE = 4  # compare / gate: no confirmed regression, but the measurement cannot vouch for every metric
EXIT_SCRIPT_ERROR = 5  # bwperf run: every iteration of a scenario raised (its behaviour is broken)
EXIT_THRESHOLDS_FAILED = 99
EXIT_INTERRUPTED = 130


class BwperfError(Exception):
    """Base of the harness's deliberate errors."""

    exit_code: int = EXIT_ENGINE


class InputError(BwperfError):
    """Something the user gave (a file, a URL, an option) cannot be used."""

    exit_code = EXIT_INPUT


class PlanError(InputError):
    """A plan file is invalid. `problems` holds every problem found, each already prefixed
    with the file name and the key path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class TargetError(InputError):
    """The target URL is unreachable or not allowed."""


class ResultFileError(InputError):
    """A run-result file cannot be read as a result of this schema version."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class SetupError(InputError):
    """The setup phase (agent credential provisioning) failed."""


class EngineError(BwperfError):
    """The engine could not complete (a worker was lost, nothing was recorded)."""

    exit_code = EXIT_ENGINE


def exit_code_for(error: BaseException) -> int:
    """The process exit code for an error that reached the command line."""
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, BwperfError):
        return error.exit_code
    return EXIT_ENGINE
