import pytest

from harness.executors.registry import EXECUTORS, UnknownExecutorError, executor_type

K6_NAMES = {"constant-arrival-rate", "ramping-arrival-rate", "shared-iterations", "per-vu-iterations",
            "constant-vus", "ramping-vus"}


def test_every_k6_executor_is_registered_under_its_name():
    assert set(EXECUTORS) == K6_NAMES
    assert all(executor_type(name).name == name for name in K6_NAMES)


def test_unknown_name_is_repeated():
    with pytest.raises(UnknownExecutorError) as caught:
        executor_type("externally-controlled")
    assert str(caught.value).startswith("'externally-controlled' is not a known executor (known: constant-arrival-rate")
