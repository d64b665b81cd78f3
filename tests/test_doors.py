"""The doors between the rooms (DESIGN.md §2), enforced:

- the import-linter contracts in pyproject.toml (app alone; the harness never imports the dashboard,
  the plans or the entry; the dashboard never starts load; foundations import no feature package;
  no cycles between the harness's packages), run with `lint-imports`;
- the dashboard imports only the public surface of the harness: `from harness.<package> import name`
  with `name` in that package's `__all__`, never a module inside a package.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def harness_imports(folder: Path) -> list[tuple[str, int, str, list[str]]]:
    """(file, line, module, names) of every import of the harness in the folder's Python files."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "harness" and not node.level:
                found.append((str(path.relative_to(ROOT)), node.lineno, node.module, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "harness":
                        found.append((str(path.relative_to(ROOT)), node.lineno, alias.name, []))
    return found


def test_the_dashboard_imports_only_the_harnesss_public_names() -> None:
    problems = []
    for where, line, module, names in harness_imports(ROOT / "dashboards"):
        parts = module.split(".")
        if len(parts) != 2:
            problems.append(f"{where}:{line}: imports {module}, a module inside a harness package (use `from "
                            f"{'.'.join(parts[:2])} import ...` and its __all__)")
            continue
        public = set(getattr(importlib.import_module(module), "__all__", ()))
        hidden = [name for name in names if name not in public]
        if not names or hidden:
            problems.append(f"{where}:{line}: {module} does not export {', '.join(hidden) or 'the whole package'} in __all__")
    assert not problems, "\n".join(problems)
