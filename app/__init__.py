"""The BetterWorld platform under test: API, guardrail worker, LLM emulator, schema, seeder.

Deployable alone: nothing here imports `harness`, `scenarios`, `stress` or `dashboards`.
"""
