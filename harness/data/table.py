"""A data set's rows, held once per process as one immutable buffer.

Every row of the file is read and checked (so each process reports the same first bad line),
but a process keeps only its share: the rows whose index i (counted from 0, header excluded)
satisfies i % worker_count == worker_index. The share is one `bytes` buffer plus an offsets array
(about 8 bytes per row beyond the data itself), so memory does not depend on how many VUs read it,
and each `row(i)` builds a fresh dict: a behaviour that edits its row cannot change another's.
"""

from __future__ import annotations

import csv
import io
import json
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from harness.data.errors import DataFileError
from harness.data.spec import MAX_FILE_BYTES, MAX_LINE_BYTES, MAX_ROWS, DataSpec
from harness.parsing.bounded import BoundsError, loads_json

_SEP = "\x1f"  # ASCII unit separator between a CSV row's fields in the buffer; refused in files


@dataclass(frozen=True)
class DataTable:
    name: str
    format: str  # "csv" (rows are dict[str, str]) | "jsonl" (rows are the JSON objects)
    columns: tuple[str, ...]  # csv only
    total_rows: int  # in the file, every worker's share included
    _buffer: bytes
    _offsets: array  # len(share) + 1 offsets into _buffer

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def row(self, index: int) -> dict[str, Any]:
        """The share's row `index` (0-based), as a new dict."""
        text = self._buffer[self._offsets[index]:self._offsets[index + 1]].decode("utf-8")
        if self.format == "jsonl":
            return json.loads(text)
        return dict(zip(self.columns, text.split(_SEP), strict=True))

    @property
    def nbytes(self) -> int:
        return len(self._buffer) + self._offsets.itemsize * len(self._offsets)


def load_table(spec: DataSpec, *, worker_index: int = 0, worker_count: int = 1) -> DataTable:
    """Read `spec`'s file and keep this worker's share; `DataFileError` names the file and line."""
    try:
        with open(spec.path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DataFileError(f"{spec.shown}: cannot be read ({error.strerror or error})") from error
    if len(data) > MAX_FILE_BYTES:
        raise DataFileError(f"{spec.shown}: is larger than {MAX_FILE_BYTES // 2**20} MiB")
    text = _decode(data, spec.shown)
    reader = _csv_rows if spec.format == "csv" else _jsonl_rows
    columns, rows = reader(text, spec.shown)
    return _build(spec.name, spec.format, columns, rows, worker_index=worker_index, worker_count=worker_count,
                  shown=spec.shown)


def table_from_rows(name: str, rows: Sequence[Mapping[str, str]], *, worker_index: int = 0,
                    worker_count: int = 1) -> DataTable:
    """An in-memory data set (e.g. keys from an environment variable), split like a file's."""
    columns = tuple(rows[0]) if rows else ()
    encoded = ((line, _SEP.join(str(row[c]) for c in columns)) for line, row in enumerate(rows, start=1))
    return _build(name, "csv", columns, encoded, worker_index=worker_index, worker_count=worker_count, shown=name)


def _decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DataFileError(f"{shown}: line {line}: is not UTF-8 text") from error


def _build(name: str, data_format: str, columns: tuple[str, ...], rows: Iterable[tuple[int, str]], *,
           worker_index: int, worker_count: int, shown: str) -> DataTable:
    if not 0 <= worker_index < worker_count:
        raise ValueError(f"worker {worker_index} of {worker_count} does not exist")
    share: list[str] = []
    total = 0
    for line, encoded in rows:
        if total == MAX_ROWS:
            raise DataFileError(f"{shown}: line {line}: more than {MAX_ROWS:,} rows")
        if total % worker_count == worker_index:
            share.append(encoded)
        total += 1
    if total == 0:
        raise DataFileError(f"{shown}: has no rows")
    blob = "".join(share)
    if blob.isascii():  # the common case: one encode, offsets from lengths in characters
        buffer, lengths = blob.encode("ascii"), map(len, share)
    else:
        parts = [row.encode("utf-8") for row in share]
        buffer, lengths = b"".join(parts), map(len, parts)
    offsets = array("q", accumulate(lengths, initial=0))
    return DataTable(name=name, format=data_format, columns=columns, total_rows=total, _buffer=buffer,
                     _offsets=offsets)


def _csv_rows(text: str, shown: str) -> tuple[tuple[str, ...], Iterable[tuple[int, str]]]:
    if _SEP in text:
        line = text.count("\n", 0, text.index(_SEP)) + 1
        raise DataFileError(f"{shown}: line {line}: contains the control character \\x1f")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise DataFileError(f"{shown}: line 1: {error}") from error
    if not header:
        raise DataFileError(f"{shown}: line 1: must be a header of column names, but is empty")
    columns = tuple(name.strip() for name in header)
    for name in columns:
        if not name:
            raise DataFileError(f"{shown}: line 1: the header has an empty column name")
        if columns.count(name) > 1:
            raise DataFileError(f"{shown}: line 1: the header repeats the column {name!r}")
    return columns, _csv_records(reader, len(columns), shown)


def _csv_records(reader: Any, width: int, shown: str) -> Iterable[tuple[int, str]]:
    while True:
        try:
            row = next(reader, None)
        except csv.Error as error:
            raise DataFileError(f"{shown}: line {reader.line_num}: {error}") from error
        if row is None:
            return
        if not row:  # a blank line
            continue
        if len(row) != width:
            raise DataFileError(f"{shown}: line {reader.line_num}: has {len(row)} field(s), "
                                f"but the header has {width}")
        joined = _SEP.join(row)
        if len(joined) > MAX_LINE_BYTES and len(joined.encode("utf-8")) > MAX_LINE_BYTES:
            raise DataFileError(f"{shown}: line {reader.line_num}: is longer than {MAX_LINE_BYTES // 1024} KiB")
        yield reader.line_num, joined


def _jsonl_rows(text: str, shown: str) -> tuple[tuple[str, ...], Iterable[tuple[int, str]]]:
    return (), _jsonl_records(text, shown)


def _jsonl_records(text: str, shown: str) -> Iterable[tuple[int, str]]:
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > MAX_LINE_BYTES and len(line.encode("utf-8")) > MAX_LINE_BYTES:
            raise DataFileError(f"{shown}: line {number}: is longer than {MAX_LINE_BYTES // 1024} KiB")
        try:
            value = loads_json(line)  # nesting capped: a 64 KiB line of '[' would overflow the stack
        except BoundsError as error:
            raise DataFileError(f"{shown}: line {number}: {error}") from None
        except json.JSONDecodeError as error:
            raise DataFileError(f"{shown}: line {number}: is not JSON ({error.msg} at column {error.colno})") from error
        if not isinstance(value, dict):
            raise DataFileError(f"{shown}: line {number}: must be a JSON object, but is {type(value).__name__}")
        yield number, line
