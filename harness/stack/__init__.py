"""The embedded stack: PostgreSQL, Valkey and the platform's processes on this machine.

`start_stack()` uses the servers named by DATABASE_URL / REDIS_URL when they are set and starts
embedded ones otherwise, applies migrations, then starts the platform's processes by command
(`python -m app ...`, never by import). Everything it starts stops with it.
"""

from .running import RunningStack, StackState, read_state, run_app, start_stack
from .processes import StackError

__all__ = ["RunningStack", "StackError", "StackState", "read_state", "run_app", "start_stack"]
