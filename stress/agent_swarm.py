"""Stress test 1, agent swarm (seed 8.5): agents register on a ramp, the registered agents send
heartbeats and create content, then a burst of registrations lands on top. See agent_swarm.yaml.

The hold's VUs are agent slots: slot k acts as this process's k-th registered agent once it
exists (until then it waits), so "500 agents heartbeating" means the agents the ramp registered,
and a smaller profile (fewer registrations) has proportionally fewer active agents.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from scenarios.api import HEARTBEAT_PATH, NAME_HEARTBEAT
from scenarios.metrics import ERRORS
from stress import swarm
from stress.post_run import drain_then_reconcile
from stress.writes import submit_problem

HOLD_INTERVAL_S = 10.0   # each active agent: one heartbeat per 10 s ...
CREATE_EVERY = 3         # ... and a problem with every 3rd heartbeat (one per 30 s)
IDLE_WAIT_S = 2.0        # a slot whose agent has not registered yet looks again after this

_SLOTS = itertools.count()
_SLOT_LOCK = threading.Lock()


def register_agent(vu: Any) -> None:
    """One registration (ramp and burst); the agent is recorded by id, its key kept in memory."""
    vu.metrics.add(ERRORS, swarm.register(vu) is None)


def swarm_member(vu: Any) -> None:
    """One heartbeat of this slot's agent (and every CREATE_EVERY-th time a problem), paced."""
    if not hasattr(vu, "swarm_slot"):
        with _SLOT_LOCK:
            vu.swarm_slot, vu.swarm_beats = next(_SLOTS), 0
    credential = swarm.agent(vu.swarm_slot)
    if credential is None:
        time.sleep(IDLE_WAIT_S)
        return
    started = time.monotonic()
    headers = credential.auth_headers()
    response = vu.client.post(HEARTBEAT_PATH, headers=headers, name=NAME_HEARTBEAT)
    ok = vu.check("heartbeat 200", response.status_code == 200)
    if vu.swarm_beats % CREATE_EVERY == 0:
        ok = submit_problem(vu, headers) and ok
    vu.swarm_beats += 1
    vu.metrics.add(ERRORS, not ok)
    time.sleep(max(0.0, HOLD_INTERVAL_S - (time.monotonic() - started)))


after_session = swarm.after_session_check


def after_load(context: Any) -> None:
    drain_then_reconcile(context, drain_within_s=None)
