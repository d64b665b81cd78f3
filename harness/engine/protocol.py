"""The custom messages between the master and its workers (Locust's `send_message` /
`register_message`, msgpack on the wire).

    master -> worker   bw_start    {plan_path, plan_sha256, profile, target, worker_index,
                                     worker_count, start_at_unix, credentials}
    master -> worker   bw_stop     {reason}                  stop early (Ctrl-C, abortOnFail)
    worker -> master   bw_windows  {windows: [Window wire], closed_through}   every window
    worker -> master   bw_warning  {message}
    worker -> master   bw_done     {cpu: {role, pid, avg, max}}   after the last windows
    worker -> master   bw_failed   {message}                 the worker could not run
"""

from __future__ import annotations

START = "bw_start"
STOP = "bw_stop"
WINDOWS = "bw_windows"
WARNING = "bw_warning"
DONE = "bw_done"
FAILED = "bw_failed"
