"""k6 executors on Locust users: one module per executor, one scheduling core.

`registry.EXECUTORS` maps each k6 name to its `ExecutorType`; `scheduling` is the core both
arrival-rate executors share. Nothing here imports gevent or Locust: runtimes drive VUs through
the `VuHost` protocol (`base.py`), which the engine implements with gevent and tests fake.
"""
