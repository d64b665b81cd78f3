"""Measurements: k6's metric kinds as mergeable accumulators, HdrHistograms, per-window recording
on each load process, aggregation on the master, and time blocks of latency histograms."""
