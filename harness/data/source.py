"""Handing a process's rows out to iterations and VUs, by mode.

One `DataSource` per data set and process; VUs share it (gevent runs one greenlet at a time, so
the cursors need no lock). Given this process's share (rows i with i % N == k, see table.py):

- `unique`: iterations take rows in order, each exactly once; then `DataExhausted`.
- `per-vu`: VU v (ids are numbered across workers: v % N == k) gets the share's row v // N, for its
  life; a VU beyond the rows gets `DataExhausted` (onExhausted: fail) or row (v // N) % rows (cycle).
- `sequential`: iterations cycle through the share in order.
- `random`: iterations draw a row at random, from `random.Random` seeded by the plan's seed and
  the worker index: the same sequence of rows on every run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from harness.data.errors import DataExhausted, UnknownDataError
from harness.data.spec import DataSpec
from harness.data.table import DataTable, load_table


class DataSource:
    def __init__(self, table: DataTable, *, mode: str, on_exhausted: str | None = None, seed: int = 0,
                 worker_index: int = 0, worker_count: int = 1) -> None:
        self.table = table
        self.mode = mode
        self.on_exhausted = on_exhausted
        self.taken = 0  # rows handed out (unique: the cursor)
        self._worker_count = worker_count
        self._random = random.Random(f"{seed}:{worker_index}")

    @property
    def per_vu(self) -> bool:
        return self.mode == "per-vu"

    def for_iteration(self) -> dict[str, Any]:
        """The row for one iteration (modes unique, sequential, random)."""
        rows = len(self.table)
        if self.mode not in ("unique", "sequential", "random"):
            raise ValueError(f"data {self.table.name}: mode {self.mode} hands rows to VUs, not iterations")
        if not rows or (self.mode == "unique" and self.taken >= rows):
            raise self._exhausted()  # a worker's share can be empty when there are more workers than rows
        if self.mode == "random":
            index = self._random.randrange(rows)
        else:
            index = self.taken % rows
        self.taken += 1
        return self.table.row(index)

    def for_vu(self, vu_id: int) -> dict[str, Any]:
        """The row of VU `vu_id` (mode per-vu)."""
        index = vu_id // self._worker_count
        rows = len(self.table)
        if index >= rows:
            if self.on_exhausted != "cycle" or not rows:
                raise self._exhausted()
            index %= rows
        self.taken += 1
        return self.table.row(index)

    def _exhausted(self) -> DataExhausted:
        return DataExhausted(self.table.name, rows=len(self.table), on_exhausted=self.on_exhausted or "fail")


class DataSets:
    """Every data set of a run, as this process holds them: `vu.row(name)` asks here."""

    def __init__(self, sources: Mapping[str, DataSource] | None = None) -> None:
        self.sources: dict[str, DataSource] = dict(sources or {})

    def source(self, name: str) -> DataSource:
        found = self.sources.get(name)
        if found is None:
            known = ", ".join(sorted(self.sources)) or "none"
            raise UnknownDataError(f"vu.row({name!r}): the plan's data has no data set {name!r} (has: {known})")
        return found

    @property
    def nbytes(self) -> int:
        return sum(source.table.nbytes for source in self.sources.values())


def load_data_sets(specs: Mapping[str, DataSpec], *, worker_index: int = 0, worker_count: int = 1) -> DataSets:
    """Read every data file of a plan once, keeping this worker's share of each."""
    sources = {}
    for name, spec in specs.items():
        table = load_table(spec, worker_index=worker_index, worker_count=worker_count)
        sources[name] = DataSource(table, mode=spec.mode, on_exhausted=spec.on_exhausted, seed=spec.seed,
                                   worker_index=worker_index, worker_count=worker_count)
    return DataSets(sources)
