"""A local emulator of the Anthropic Messages API for load tests: deterministic verdicts, a latency
distribution and injectable faults. `python -m app llm-emulator`."""
