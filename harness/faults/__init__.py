"""Fault scenarios: provoke the platform the way production will, and measure what survives."""
