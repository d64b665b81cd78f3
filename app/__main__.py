"""`python -m app COMMAND [ARGS]`: start one process of the platform.

Commands: api, worker, llm-emulator, migrate, seed. Each lives in its own module and exposes
`main(argv: list[str]) -> int`; they are imported lazily so that one process loads only its part.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS: dict[str, str] = {
    "api": "app.server",
    "worker": "app.worker.main",
    "llm-emulator": "app.llm_emulator.main",
    "migrate": "app.migrate",
    "seed": "app.seed",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"} or args[0] not in COMMANDS:
        known = ", ".join(COMMANDS)
        if args and args[0] not in {"-h", "--help"}:
            print(f"unknown command {args[0]!r}; expected one of: {known}", file=sys.stderr)
            return 2
        print(f"usage: python -m app COMMAND [ARGS]\ncommands: {known}")
        return 0
    module = importlib.import_module(COMMANDS[args[0]])
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
