import pytest

from harness.metrics.failures import FailureClass, classify


@pytest.mark.parametrize(
    ("status", "failed", "expected"),
    [(200, False, None), (201, False, None), (304, False, None), (200, True, FailureClass.CHECK),
     (404, True, FailureClass.CLIENT_4XX), (429, True, FailureClass.RATE_LIMITED_429),
     (500, True, FailureClass.SERVER_5XX), (503, True, FailureClass.SERVER_5XX),
     (0, True, FailureClass.CONNECTION), (None, True, FailureClass.CONNECTION)],
)
def test_classes(status, failed, expected):
    assert classify(status, failed) is expected
