"""The virtual user: a Locust `FastHttpUser` that runs a behaviour function per iteration.

A behaviour is a plain function `def browse_problems(vu: VirtualUser) -> None`. It uses
`vu.client` (Locust's FastHttpSession; its requests fire `events.request`, which the engine's
sink records with this VU's scenario), `vu.credentials` (the agent key it was handed, or None),
`vu.credential_pool` (every key of the run, for behaviours that spread requests over agents),
`vu.metrics.add(metric, value)` for custom Trend/Rate/Counter metrics, `vu.check(name, ok)`
like k6's check, and `vu.row(name)` for a row of one of the plan's data sets (harness.data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from locust.contrib.fasthttp import FastHttpUser

from harness.credentials import AgentCredential
from harness.data import DataExhausted, DataSets
from harness.engine import cookies
from harness.metrics.custom import MetricDeclaration
from harness.metrics.names import MetricKind
from harness.metrics.recorder import Recorder

Behaviour = Callable[["VirtualUser"], None]
OnDataExhausted = Callable[[str, DataExhausted], None]  # (scenario, event): the session decides
NO_DATA = DataSets()

NETWORK_TIMEOUT_S = 60.0
CONNECTION_TIMEOUT_S = 10.0


class VuMetrics:
    """`vu.metrics.add(GUARDRAIL_LATENCY, 812.5)`; the metric must be declared in the module."""

    def __init__(self, *, recorder: Recorder, scenario: str, declared: dict[str, MetricKind]) -> None:
        self._recorder = recorder
        self._scenario = scenario
        self._declared = declared

    def add(self, metric: MetricDeclaration | str, value: float | bool) -> None:
        name = metric.name if isinstance(metric, MetricDeclaration) else metric
        kind = self._declared.get(name)
        if kind is None:
            raise KeyError(f"metric {name!r} is not declared in the behaviour module")
        self._recorder.record_custom(scenario=self._scenario, metric=name, kind=kind, value=float(value))


class VirtualUser(FastHttpUser):
    """One k6 VU. Built by the engine (per run, the target is the class's `host`)."""

    abstract = True
    network_timeout = NETWORK_TIMEOUT_S
    connection_timeout = CONNECTION_TIMEOUT_S

    def __init__(
        self,
        environment: Any,
        *,
        scenario: str,
        vu_id: int,
        behaviour: Behaviour,
        credentials: AgentCredential | None,
        recorder: Recorder,
        declared: dict[str, MetricKind],
        tags: dict[str, str],
        credential_pool: tuple[AgentCredential, ...] = (),
        data: DataSets = NO_DATA,
        on_data_exhausted: OnDataExhausted | None = None,
    ) -> None:
        super().__init__(environment)
        cookies.install(self.client)
        self.scenario = scenario
        self.vu_id = vu_id
        self.tags = dict(tags)
        self.credentials = credentials
        self.credential_pool = credential_pool
        self.iteration = 0
        self.metrics = VuMetrics(recorder=recorder, scenario=scenario, declared=declared)
        self._behaviour = behaviour
        self._recorder = recorder
        self._context = {"scenario": scenario, **self.tags}
        self._data = data
        self._on_data_exhausted = on_data_exhausted
        self._vu_rows: dict[str, Any] = {}  # per-vu rows: fixed for the VU's life
        self._iteration_rows: dict[str, Any] = {}  # other modes: one row per iteration, taken on first use

    def context(self) -> dict[str, Any]:
        return self._context

    def auth_headers(self) -> dict[str, str]:
        return self.credentials.auth_headers() if self.credentials else {}

    def check(self, name: str, ok: bool) -> bool:
        """Record a check like k6's `check`; returns `ok` so `vu.check(...) or errors.add(1)` reads."""
        self._recorder.record_check(scenario=self.scenario, name=name, ok=bool(ok))
        return bool(ok)

    def row(self, name: str) -> Any:
        """This iteration's row of data set `name` (the VU's own row for mode per-vu): a
        dict[str, str] for CSV, the JSON object for JSON Lines. Calls in one iteration get the same row."""
        rows = self._iteration_rows
        found = rows.get(name)
        if found is None:
            found = self._vu_rows.get(name)
        if found is None:
            source = self._data.source(name)
            if source.per_vu:
                found = self._vu_rows[name] = source.for_vu(self.vu_id)
            else:
                found = rows[name] = source.for_iteration()
        return found

    def run_iteration(self) -> None:
        if self._iteration_rows:
            self._iteration_rows = {}
        try:
            self._behaviour(self)
        except DataExhausted as exhausted:  # rows ran out: not the behaviour's failure
            if self._on_data_exhausted is None:
                raise
            self._on_data_exhausted(self.scenario, exhausted)
        finally:
            self.iteration += 1


def user_class_for(target: str) -> type[VirtualUser]:
    """A VirtualUser subclass bound to the target URL (Locust reads the host from the class)."""
    return type("BwperfVirtualUser", (VirtualUser,), {"host": target.rstrip("/"), "abstract": True})
