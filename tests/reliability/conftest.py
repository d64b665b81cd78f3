"""Fixtures for the fault suite: a fault lab on the session's embedded PostgreSQL and Valkey.

The scenarios stop, freeze and restart those servers; the lab leaves them running (on the same
ports and data) whatever happens, so the rest of the session keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.faults.lab import FaultLab


@pytest.fixture(scope="module")
def lab(pg, valkey, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    fault_lab = FaultLab.attach(tmp_path_factory.mktemp("fault-lab"), postgres=pg, valkey=valkey)
    yield fault_lab
    fault_lab.close()
