"""Fixtures for the security tests: a real API process (`python -m app api`) on a free port, on
the session's embedded PostgreSQL and Valkey, started through the fault lab (harness.faults)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.faults.lab import FaultLab, PlatformProcess

JWT_SECRET = "security-tests-jwt-secret-0123456789abcdef"
API_KEY_PEPPER = "security-tests-pepper-0123456789abcdef"


@pytest.fixture(scope="module")
def security_lab(pg, valkey, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    lab = FaultLab.attach(tmp_path_factory.mktemp("security-lab"), postgres=pg, valkey=valkey,
                          jwt_secret=JWT_SECRET, api_key_pepper=API_KEY_PEPPER)
    yield lab
    lab.close()


@pytest.fixture(scope="module")
def api(security_lab: FaultLab) -> PlatformProcess:
    """The API with the `loadtest` rate-limit profile, so limits do not hide behaviour."""
    return security_lab.api(rate_limit_profile="loadtest")





FAILED_FUZZ_ITEMS: list[str] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # pytest hook
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and getattr(item, "originalname", "") == "test_fuzz":
        FAILED_FUZZ_ITEMS.append(item.nodeid)
