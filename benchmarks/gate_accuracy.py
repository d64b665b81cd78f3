"""How often does the regression gate tell the truth on this machine? A/A pairs (the same code
twice, half of them with a CPU hog during one side) and injected regressions through a delay
proxy, all real `bwperf run`s of the baseline plan against one embedded stack.

    .venv/bin/python benchmarks/gate_accuracy.py                 # 6 rounds of the ci profile, ~40 min
    .venv/bin/python benchmarks/gate_accuracy.py --rounds 1 --profile smoke   # a quick look, ~5 min
    .venv/bin/python benchmarks/gate_accuracy.py --again reports/gate_accuracy/<stamp>   # re-judge stored runs

Each round runs, in this order (the order rotates nothing: drift shows up across rounds):

    Q1, Q2   quiet runs (an A/A pair)
    H        the same, with busy-loop neighbours worth --hog-cores CPUs for the whole run
    D        +10 ms on every /api/ request (delay proxy)
    R        +10 ms on one route only (GET /api/v1/missions/nearby)
    S        +2 ms on every /api/ request (below the 5 ms floor)

and compares, with `bwperf compare`'s defaults (20 %, floors, 99 % family-wise):

    A/A quiet      Q1 -> Q2
    A/A hog        Q1 -> H  (hog on the current side) in odd rounds, H -> Q2 (hog on the baseline side)
                   in even rounds
    +10 ms all     Q1 -> D        +10 ms route   Q1 -> R        +2 ms all   Q2 -> S

then again against the median of the first five clean quiet runs (the weekly flow once the
history holds five). Every run goes through the proxy (with no delay when none is injected), so
every run has the same target. The hog's workers are detached neighbours, bounded in time, and
killed when their run ends; the stack and the proxy stop with the benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cpu_hog import CpuHog  # noqa: E402

from harness.compare import CompareSettings, Verdict, compare_runs, load_run  # noqa: E402
from harness.compare.engine import Comparison  # noqa: E402
from harness.compare.inputs import RunMetrics  # noqa: E402
from harness.faults.delay_proxy import DelayProxy, DelayRule  # noqa: E402
from harness.health.text import conditions_text  # noqa: E402
from harness.results import load_result  # noqa: E402

PLAN = ROOT / "scenarios" / "baseline.yaml"
ONE_ROUTE = "/api/v1/missions/nearby"
ONE_ROUTE_PREFIX = "search_missions/GET /api/v1/missions/nearby/"
RUN_TIMEOUT_S = 600
INJECTIONS = {
    "Q": [],
    "H": [],
    "D": [DelayRule(delay_ms=10.0, path_prefix="/api/")],
    "R": [DelayRule(delay_ms=10.0, path_prefix=ONE_ROUTE, method="GET")],
    "S": [DelayRule(delay_ms=2.0, path_prefix="/api/")],
}


@dataclass(frozen=True)
class Run:
    label: str  # Q1-3, H-3, D-3, ...
    path: Path
    metrics: RunMetrics
    health: str
    seconds: float


@dataclass(frozen=True)
class Pair:
    kind: str
    baseline: list[Run]
    current: Run
    comparison: Comparison

    @property
    def status(self) -> str:
        if self.comparison.regressed:
            return "regressed"
        return "inconclusive" if self.comparison.inconclusive else "ok"

    def keys(self, verdict: Verdict) -> list[str]:
        return [m.key for m in self.comparison.metrics if m.verdict is verdict]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="rounds of Q1 Q2 H D R S (6: 12 A/A pairs)")
    parser.add_argument("--profile", default="ci", help="the baseline plan's profile (ci: 60 s of load)")
    parser.add_argument("--hog-cores", type=float, default=1.5)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "gate_accuracy" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    parser.add_argument("--again", type=Path, help="judge the runs of an earlier benchmark (its --out) again, running nothing")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 20:
        parser.error(f"--rounds must be within 1..20, but is {args.rounds}")
    if args.again is not None:
        runs = stored_runs(args.again)
        args.rounds = len([label for label in runs if label.startswith("Q1-")])
        args.out = args.again
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before; results in {args.out}", flush=True)
        runs = {}
        with stack_behind_proxy(args.out) as proxy:
            for number in range(1, args.rounds + 1):
                for kind in ("Q1", "Q2", "H", "D", "R", "S"):
                    label = f"{kind}-{number}"
                    runs[label] = one_run(label, proxy=proxy, profile=args.profile, out=args.out, hog_cores=args.hog_cores)
    pairs = make_pairs(runs, rounds=args.rounds)
    history_pairs = against_history(runs, rounds=args.rounds)
    print_tables(pairs, history_pairs)
    print_ablation(pairs)
    print_quiet_matrix(runs)
    write_summary(args.out / "summary.json", runs, pairs + history_pairs)


@contextmanager
def stack_behind_proxy(out: Path) -> Iterator[DelayProxy]:
    from harness.stack import start_stack

    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    with start_stack(home=out / ".bwperf", api_port=None, rate_limit_profile="loadtest",
                     seed_problems=2000, seed_missions=5000, fresh_queue=True) as stack:
        with DelayProxy(upstream_url=stack.api_url, rules=[]) as proxy:
            print(f"stack: API {stack.api_url} behind the delay proxy {proxy.url}", flush=True)
            yield proxy


def one_run(label: str, *, proxy: DelayProxy, profile: str, out: Path, hog_cores: float) -> Run:
    kind = label.split("-")[0].rstrip("12")
    proxy.set_rules(INJECTIONS[kind])
    run_out = out / "runs" / label
    command = [sys.executable, "-m", "bwperf", "run", str(PLAN), "--target", proxy.url, "--profile", profile,
               "--out", str(run_out), "--quiet", "--system-pid", str(os.getpid())]
    started = time.monotonic()
    hog = CpuHog(cores=hog_cores, max_s=RUN_TIMEOUT_S).start() if kind == "H" else None
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
    finally:
        if hog is not None:
            hog.stop()
    seconds = time.monotonic() - started
    results = sorted(run_out.glob("*/result.json"))
    if done.returncode not in (0, 99) or not results:
        raise SystemExit(f"{label}: bwperf run exited {done.returncode}\n{done.stderr[-2000:]}")
    result = load_result(results[-1])
    health = result.health
    verdict = "not recorded" if health is None else health.verdict
    shown = "" if health is None else conditions_text(health.total)
    browse = next((r.duration_ms for r in result.requests if r.scenario == "browse_problems"), None)
    p50 = f"browse p50 {browse.med:.1f} ms" if browse else ""
    print(f"{label:>5}: {seconds:5.0f} s, exit {done.returncode}, measurement {verdict} ({shown}); {p50}", flush=True)
    return Run(label=label, path=results[-1], metrics=load_run(results[-1]), health=verdict, seconds=seconds)


def stored_runs(out: Path) -> dict[str, Run]:
    """The runs an earlier benchmark left in OUT/runs/<label>/<run-id>/result.json."""
    runs = {}
    for folder in sorted((out / "runs").iterdir(), key=lambda p: (int(p.name.split("-")[1]), p.name)):
        results = sorted(folder.glob("*/result.json"))
        if results:
            result = load_result(results[-1])
            runs[folder.name] = Run(label=folder.name, path=results[-1], metrics=load_run(results[-1]),
                                    health="not recorded" if result.health is None else result.health.verdict, seconds=0.0)
    if not runs:
        raise SystemExit(f"{out}: no runs found under runs/")
    return runs


def compare(kind: str, baseline: list[Run], current: Run) -> Pair:
    return Pair(kind=kind, baseline=baseline, current=current,
                comparison=compare_runs([b.metrics for b in baseline], current.metrics, settings=CompareSettings()))


def make_pairs(runs: dict[str, Run], *, rounds: int) -> list[Pair]:
    pairs = []
    for n in range(1, rounds + 1):
        q1, q2, hog = runs[f"Q1-{n}"], runs[f"Q2-{n}"], runs[f"H-{n}"]
        pairs.append(compare("A/A quiet", [q1], q2))
        pairs.append(compare("A/A hog (current)", [q1], hog) if n % 2 else compare("A/A hog (baseline)", [hog], q2))
        pairs.append(compare("+10 ms all", [q1], runs[f"D-{n}"]))
        pairs.append(compare("+10 ms one route", [q1], runs[f"R-{n}"]))
        pairs.append(compare("+2 ms all", [q2], runs[f"S-{n}"]))
    return pairs


def against_history(runs: dict[str, Run], *, rounds: int) -> list[Pair]:
    """The weekly flow: the median of five clean quiet runs against every other run."""
    quiet = [runs[f"Q{i}-{n}"] for n in range(1, rounds + 1) for i in (1, 2)]
    history = [run for run in quiet if run.health == "clean"][:5]
    if len(history) < 5:
        print(f"history: only {len(history)} clean quiet runs, the history comparison is skipped", flush=True)
        return []
    names = {run.label for run in history}
    pairs = []
    for label, run in runs.items():
        if label in names:
            continue
        kind = {"Q": "A/A quiet", "H": "A/A hog (current)", "D": "+10 ms all", "R": "+10 ms one route",
                "S": "+2 ms all"}[label[0]]
        pairs.append(compare(f"history: {kind}", history, run))
    return pairs


def route_named(pair: Pair) -> bool:
    """The one delayed route, and no other request, among the flagged per-request latencies."""
    flagged = pair.keys(Verdict.REGRESSED) + pair.keys(Verdict.INCONCLUSIVE)
    requests = {key.rsplit("/", 1)[0] for key in flagged
                if "/latency_" in key and not key.startswith(("(all)/", "server/", "guardrail_latency/"))}
    return requests == {ONE_ROUTE_PREFIX.rstrip("/")}


def print_tables(*groups: list[Pair]) -> None:
    for pairs in groups:
        if not pairs:
            continue
        print()
        print(f"{'pairs':<34} {'n':>3} {'regressed':>10} {'inconclusive':>13} {'ok':>4}   notes")
        for kind in dict.fromkeys(p.kind for p in pairs):
            chosen = [p for p in pairs if p.kind == kind]
            counts = {status: sum(1 for p in chosen if p.status == status) for status in ("regressed", "inconclusive", "ok")}
            note = ""
            if "one route" in kind:
                note = f"route named alone in {sum(1 for p in chosen if route_named(p))} of {len(chosen)}"
            if "+2 ms" in kind:
                flagged = sorted({k for p in chosen for k in p.keys(Verdict.REGRESSED)})
                note = f"regressed keys: {', '.join(flagged) or 'none'}"
            print(f"{kind:<34} {len(chosen):>3} {counts['regressed']:>10} {counts['inconclusive']:>13} {counts['ok']:>4}   {note}")
        for pair in pairs:
            if pair.kind.startswith(("A/A", "history: A/A")) and pair.status != "ok":
                for metric in pair.comparison.metrics:
                    if metric.verdict in (Verdict.REGRESSED, Verdict.INCONCLUSIVE):
                        print(f"    {pair.kind} {pair.current.label}: {metric.key} {metric.verdict.value} "
                              f"{metric.delta_pct:+.0f} %: {metric.reason or ''}"[:400])


VARIANTS = {
    "this gate": lambda run: run,
    "without time blocks": lambda run: without(run, blocks=True),
    "without the health gate": lambda run: without(run, health=True),
    "neither (the gate before)": lambda run: without(run, blocks=True, health=True, server=True),
}


def without(run: RunMetrics, *, blocks: bool = False, health: bool = False, server: bool = False) -> RunMetrics:
    """The run as an earlier gate saw it: no time blocks, no measurement health, no server metrics."""
    from dataclasses import replace

    metrics = {key: replace(value, blocks=None) if blocks else value for key, value in run.metrics.items()
               if not (server and key.startswith("server/"))}
    if health:
        return replace(run, metrics=metrics, health=None, generator_reasons=(), scenario_lag_p99_ms={})
    return replace(run, metrics=metrics)


def print_ablation(pairs: list[Pair]) -> None:
    """The same pairs judged with parts of the gate taken out: what each part is for."""
    kinds = list(dict.fromkeys(p.kind for p in pairs))
    print(f"\n{'regressed / inconclusive of n':<28}" + "".join(f"{kind:>21}" for kind in kinds))
    for name, adapt in VARIANTS.items():
        cells = []
        for kind in kinds:
            chosen = [p for p in pairs if p.kind == kind]
            judged = [compare_runs([adapt(b.metrics) for b in p.baseline], adapt(p.current.metrics), settings=CompareSettings())
                      for p in chosen]
            regressed = sum(1 for c in judged if c.regressed)
            inconclusive = sum(1 for c in judged if c.inconclusive)
            cells.append(f"{regressed} / {inconclusive} of {len(chosen)}")
        print(f"{name:<28}" + "".join(f"{cell:>21}" for cell in cells))


def print_quiet_matrix(runs: dict[str, Run]) -> None:
    """Every ordered pair of quiet runs (not independent, but many more A/A comparisons)."""
    quiet = [run for label, run in runs.items() if label.startswith("Q")]
    ordered = [(a, b) for a in quiet for b in quiet if a is not b]
    print(f"\nevery ordered pair of the {len(quiet)} quiet runs ({len(ordered)} A/A comparisons): regressed / inconclusive")
    for name in ("this gate", "without time blocks"):
        adapt = VARIANTS[name]
        judged = [compare_runs([adapt(a.metrics)], adapt(b.metrics), settings=CompareSettings()) for a, b in ordered]
        flagged = sorted({m.key for c in judged for m in c.metrics if m.verdict is Verdict.REGRESSED})
        print(f"  {name:<24} {sum(1 for c in judged if c.regressed):>3} / {sum(1 for c in judged if c.inconclusive):>3}"
              f"   {', '.join(flagged)}")


def write_summary(path: Path, runs: dict[str, Run], pairs: list[Pair]) -> None:
    document = {
        "runs": {label: {"path": str(run.path), "health": run.health, "seconds": round(run.seconds, 1)} for label, run in runs.items()},
        "pairs": [
            {"kind": p.kind, "baseline": [b.label for b in p.baseline], "current": p.current.label, "status": p.status,
             "regressed": p.keys(Verdict.REGRESSED), "inconclusive": p.keys(Verdict.INCONCLUSIVE),
             "route_named": route_named(p) if "one route" in p.kind else None}
            for p in pairs
        ],
    }
    path.write_text(json.dumps(document, indent=1) + "\n")
    print(f"\nsummary: {path}")


if __name__ == "__main__":
    main()
