"""Test data for behaviours: CSV and JSON Lines files named in a plan's `data:` key, read once
per process, split across distributed workers (row i to worker i % N), and handed to iterations
or VUs by mode (`unique`, `per-vu`, `sequential`, `random`). Behaviours read a row with
`vu.row("agents")`. See docs/data-files.md.
"""

from harness.data.errors import DataExhausted, DataFileError, UnknownDataError
from harness.data.source import DataSets, DataSource, load_data_sets
from harness.data.spec import (
    MAX_FILE_BYTES,
    MAX_LINE_BYTES,
    MAX_ROWS,
    MODES,
    ON_EXHAUSTED,
    DataSpec,
    read_data_specs,
)
from harness.data.table import DataTable, load_table, table_from_rows

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_LINE_BYTES",
    "MAX_ROWS",
    "MODES",
    "ON_EXHAUSTED",
    "DataExhausted",
    "DataFileError",
    "DataSets",
    "DataSource",
    "DataSpec",
    "DataTable",
    "UnknownDataError",
    "load_data_sets",
    "load_table",
    "read_data_specs",
    "table_from_rows",
]
