"""Behaviours of failing_goal.yaml: one GET /health per iteration."""

from __future__ import annotations

from typing import Any


def check_health(vu: Any) -> None:
    response = vu.client.get("/health", name="/health")
    vu.check("status is 200", response.status_code == 200)
