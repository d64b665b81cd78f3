"""Samplers during a run: the target's Prometheus /metrics and Redis INFO (`collector.py`)."""
