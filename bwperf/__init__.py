"""The `bwperf` command: the composition root, at the edge of the project.

It is the one module that wires the harness's commands and the dashboard's together (DESIGN.md
§2); neither `harness` nor `dashboards` imports it. `python -m bwperf` is the same as `bwperf`.
"""
