"""The data package's errors: a bad file or plan key is the user's input (exit 2); rows running
out is a run-time event the session decides about (stop the scenario, or fail the run)."""

from __future__ import annotations

from harness.errors import InputError


class DataFileError(InputError):
    """A data file cannot be used: one line, naming the file and (for a bad row) the line."""


class DataExhausted(Exception):  # noqa: N818 - reads as the event it is: `except DataExhausted`
    """A `unique` (or `per-vu` without `cycle`) data set has no row left for this iteration or VU."""

    def __init__(self, name: str, *, rows: int, on_exhausted: str) -> None:
        self.name = name
        self.rows = rows
        self.on_exhausted = on_exhausted
        super().__init__(f"data {name}: all {rows} row(s) of this process are used (onExhausted: {on_exhausted})")


class UnknownDataError(LookupError):
    """`vu.row(name)` for a name the plan's `data:` does not declare."""


class DataRunOutError(InputError):
    """Rows ran out during the run and the data set says `onExhausted: fail` (exit 2)."""
