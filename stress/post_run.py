"""The `after_load` hook the stress plans share: optionally wait for the guardrail queue to drain
(bounded by the plan's drain goal, scaled by the profile), then reconcile the ledger and write
`reconciliation.json` for the goals."""

from __future__ import annotations

from typing import Any

from harness.goals.hook import write_reconciliation
from stress.drain import wait_for_drain
from stress.reconcile import reconcile_run

DRAIN_MARGIN_S = 5.0  # past the goal's bound, so a late drain is measured (and fails) rather than cut


def drain_then_reconcile(context: Any, *, drain_within_s: float | None) -> None:
    if drain_within_s is not None:
        timeout_s = drain_within_s * context.duration_scale + DRAIN_MARGIN_S
        context.message(f"after load: waiting up to {timeout_s:.0f} s for the guardrail queue to drain")
        outcome = wait_for_drain(context.metrics_urls, timeout_s=timeout_s, stopped=context.stopped)
        context.message(f"after load: queue {'drained' if outcome.drained else 'not drained'} after "
                        f"{outcome.waited_s:.0f} s (length {outcome.last_length})")
    if context.redis_url is None:
        context.warn("no Redis URL: the queue cannot be reconciled (give --redis-url)")
        return
    report = reconcile_run(context.run_dir, target=context.target, redis_url=context.redis_url)
    write_reconciliation(context.run_dir, report)
    context.message(f"after load: reconciled {report.problems_recorded} problems, {report.agents_recorded} agents: "
                    f"{len(report.unaccounted)} unaccounted")
