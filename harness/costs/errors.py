"""Errors raised by the cost package. Each is an `harness.errors.InputError`, so `bwperf cost` maps
them as every other command does (`exit_code_for`: exit 2, one line that names the file at fault).

InputError (harness.errors)
├── CostError                 an option or an output of `bwperf cost` cannot be used
│   ├── ModelFileError        the cost model YAML is missing, unreadable or invalid
│   └── CompareFileError      a --compare-to file is not a cost report written by this tool
└── ResultFileError           the harness's one (path, reason): a run result is missing,
                              unreadable or invalid, or lacks what a projection needs
"""

from __future__ import annotations

from harness.errors import InputError, ResultFileError

__all__ = ["CompareFileError", "CostError", "ModelFileError", "ResultFileError"]


class CostError(InputError):
    """A problem with an input of `bwperf cost`; the message is one line and names the file."""


class ModelFileError(CostError):
    """The cost model YAML is missing, unreadable or does not match the schema."""


class CompareFileError(CostError):
    """A previous report given to --compare-to is missing or is not a JSON cost report."""
