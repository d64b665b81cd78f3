"""Finding a plan's behaviour functions: the module named by `behaviours:` (a dotted module
like `scenarios.baseline`, or a .py path relative to the plan), else the plan's sibling .py file
(scenarios/baseline.yaml -> scenarios/baseline.py); each scenario's `exec` names a function in it.

Two optional hooks, module-level functions of these names (see harness.engine.hooks):
`after_session(context)` runs in every load-generating process once its share of the load has
ended; `after_load(context)` runs once, in the controlling process, after all load has ended and
while the samplers still run (e.g. to wait for a queue to drain, then reconcile)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from harness.errors import PlanError
from harness.metrics.custom import declared_metrics, declared_time_trends
from harness.metrics.names import MetricKind
from harness.plan.model import Plan


@dataclass(frozen=True)
class BehaviourSet:
    module_name: str
    functions: dict[str, Callable[..., None]]  # scenario -> behaviour
    metrics: dict[str, MetricKind]
    time_trends: frozenset[str] = frozenset()
    after_session: Callable[..., None] | None = None
    after_load: Callable[..., None] | None = None


def _load_module(plan: Plan) -> ModuleType:
    reference = plan.behaviours
    base = plan.path.resolve().parent
    where = f"{plan.display_path}: behaviours"
    if reference is None:
        candidate = plan.path.with_suffix(".py")
        if not candidate.exists():
            raise PlanError([f"{where} is not set and there is no {candidate} beside the plan; "
                             "name a module (behaviours: scenarios.baseline) or a .py file"])
        return _load_file(candidate.resolve(), where)
    if reference.endswith(".py") or "/" in reference:
        return _load_file((base / reference).resolve(), where)
    for path in (str(Path.cwd()), str(base), str(base.parent)):
        if path not in sys.path:
            sys.path.insert(0, path)
    try:
        return importlib.import_module(reference)
    except ImportError as error:
        raise PlanError([f"{where} names module {reference!r}, which cannot be imported ({error})"]) from error
    except Exception as error:  # the user's module raised while importing: say where
        raise PlanError([f"{where}: importing {reference!r} failed: {error!r}"]) from error


def _load_file(path: Path, where: str) -> ModuleType:
    if not path.exists():
        raise PlanError([f"{where}: {path} does not exist"])
    name = f"bwperf_behaviours_{path.stem}"
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PlanError([f"{where}: {path} cannot be loaded as a Python module"])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    for parent in (str(path.parent), str(path.parent.parent)):
        if parent not in sys.path:
            sys.path.append(parent)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # a syntax error or a failing import in the user's module
        del sys.modules[name]
        raise PlanError([f"{where}: importing {path} failed: {error!r}"]) from error
    return module


def load_behaviours(plan: Plan) -> BehaviourSet:
    module = _load_module(plan)
    problems = []
    functions: dict[str, Callable[..., None]] = {}
    for name, config in plan.scenarios.items():
        function = getattr(module, config.common.exec_name, None)
        if not callable(function):
            defined = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_")
                             and getattr(v, "__module__", None) == module.__name__)
            problems.append(
                f"{plan.display_path}: scenarios.{name}.exec names {config.common.exec_name!r}, which "
                f"{module.__name__} does not define (defines: {', '.join(defined) or 'nothing'})"
            )
            continue
        functions[name] = function
    if problems:
        raise PlanError(problems)
    return BehaviourSet(module_name=module.__name__, functions=functions, metrics=declared_metrics(module),
                       time_trends=declared_time_trends(module),
                       after_session=_hook(module, "after_session"), after_load=_hook(module, "after_load"))


def _hook(module: ModuleType, name: str) -> Callable[..., None] | None:
    function = getattr(module, name, None)
    return function if callable(function) else None
