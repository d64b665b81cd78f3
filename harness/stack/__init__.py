"""The embedded stack: PostgreSQL, Valkey and the platform's processes on this machine.

`start_stack()` uses the servers named by DATABASE_URL / REDIS_URL when they are set and starts
embedded ones otherwise, applies migrations, then starts the platform's processes by command
(`python -m app ...`, never by import). Everything it starts stops with it. `Supervisor` keeps
it running: a dead child is restarted with backoff, a crash loop gives up (`CrashLoop`).
"""

from .running import RunningStack, StackState, read_state, run_app, start_stack
from .processes import StackError
from .supervisor import CrashLoop, Restarted, RestartPolicy, Supervised, Supervisor

__all__ = ["CrashLoop", "RestartPolicy", "Restarted", "RunningStack", "StackError", "StackState", "Supervised",
           "Supervisor", "read_state", "run_app", "start_stack"]
