"""Errors raised by the cost package. The CLI maps every one of them to exit code 2.

CostError                 base: a one-line message that names the file at fault
├── ModelFileError        the cost model YAML is missing, unreadable or invalid
├── ResultFileError       a run result cannot give the measurements a projection needs
└── CompareFileError      a --compare-to file is not a cost report written by this tool
"""

from __future__ import annotations


class CostError(Exception):
    """A problem with an input file; the message is one line and names the file."""


class ModelFileError(CostError):
    """The cost model YAML is missing, unreadable or does not match the schema."""


class ResultFileError(CostError):
    """A run result is missing, unreadable or lacks a field the projection needs."""


class CompareFileError(CostError):
    """A previous report given to --compare-to is missing or is not a JSON cost report."""
