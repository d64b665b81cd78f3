"""The request sink: Locust's `events.request` -> the recorder, tagged with the VU's scenario."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.metrics.failures import classify
from harness.metrics.recorder import Recorder


def attach_request_sink(events: Any, recorder: Recorder) -> Callable[[], None]:
    """Listen to `events.request`; returns a function that stops listening."""

    def on_request(
        request_type: str,
        name: str,
        response_time: float,
        response_length: int = 0,
        exception: BaseException | None = None,
        context: dict[str, Any] | None = None,
        response: Any = None,
        **_kwargs: Any,
    ) -> None:
        scenario = (context or {}).get("scenario")
        if scenario is None:
            return
        status = getattr(response, "status_code", 0) or 0
        recorder.record_request(
            scenario=scenario,
            method=request_type,
            name=name,
            duration_ms=float(response_time or 0.0),
            failure=classify(status, exception is not None),
        )

    events.request.add_listener(on_request)
    return lambda: events.request.remove_listener(on_request)
