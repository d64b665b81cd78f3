"""The harness under faults of its own: a target that dies, a broken plan, a result file cut short,
Ctrl-C at several points. Every `bwperf` runs as a subprocess in a session of its own, so the test
can send SIGINT to its whole process group (as a terminal does) and then look for any process
of that session, or naming its folder, that outlived it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from harness.errors import (
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_THRESHOLDS_FAILED,
    ResultFileError,
)
from harness.faults.lab import FaultLab, PlatformProcess
from harness.results import load_result
from harness.results.model import RunResult

from .orphans import alive, descendants, processes_naming, session_survivors

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Run:
    """A `bwperf` process started in its own session, with every descendant it was seen to have."""

    popen: subprocess.Popen[str]
    cwd: Path
    seen: set[int]
    stdout: str = ""
    stderr: str = ""

    @classmethod
    def start(cls, *args: str, cwd: Path) -> Run:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["PYTHONPATH"] = str(ROOT)
        popen = subprocess.Popen([sys.executable, "-m", "bwperf", *args], cwd=cwd, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        return cls(popen, cwd, set())

    def watch(self, until: float, *, stop_when: object = None) -> None:
        """Record descendants until monotonic time `until` (or `stop_when()` is true)."""
        while time.monotonic() < until and self.popen.poll() is None:
            self.seen |= descendants(self.popen.pid)
            if callable(stop_when) and stop_when():
                return
            time.sleep(0.05)

    def engine_started(self) -> bool:
        for pid in descendants(self.popen.pid):
            try:
                if "harness.engine.main" in " ".join(psutil.Process(pid).cmdline()):
                    return True
            except psutil.Error:
                continue
        return False

    def interrupt(self) -> float:
        os.killpg(self.popen.pid, signal.SIGINT)
        return time.monotonic()

    def finish(self, timeout_s: float = 90) -> int:
        self.stdout, self.stderr = self.popen.communicate(timeout=timeout_s)
        return self.popen.returncode

    def leftovers(self) -> list[str]:
        return sorted(set(session_survivors(self.popen.pid)) | set(alive(self.seen)) | set(processes_naming(self.cwd)))

    def results(self) -> list[Path]:
        return sorted(self.cwd.glob("out/*/result.json"))


def _run_options(out: str = "out") -> list[str]:
    return ["--out", out, "--quiet"]


# ---- a target that dies ----------------------------------------------------------------------

@dataclass(frozen=True)
class DeadTargetRun:
    code: int
    stderr: str
    result: RunResult
    result_path: Path
    requests_before_kill: int
    seconds_after_kill: float


@pytest.fixture(scope="module")
def dead_target_run(lab: FaultLab, tmp_path_factory: pytest.TempPathFactory) -> DeadTargetRun:
    cwd = tmp_path_factory.mktemp("dead-target")
    api = lab.api()
    run = Run.start("run", str(FIXTURES / "reads_8s.yaml"), "--target", api.url, *_run_options(), cwd=cwd)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _served(api) < 40 and run.popen.poll() is None:
        time.sleep(0.1)
    served = _served(api)
    api.kill9()
    killed_at = time.monotonic()
    code = run.finish()
    results = run.results()
    assert len(results) == 1, run.stderr
    return DeadTargetRun(code, run.stderr, load_result(results[0]), results[0], served, time.monotonic() - killed_at)


def _served(api: PlatformProcess) -> int:
    try:
        return int(api.metric("http_requests_total", route="/api/v1/problems"))
    except OSError:
        return 0


def test_a_target_killed_mid_run_keeps_the_result_and_classes_the_failures(dead_target_run: DeadTargetRun) -> None:
    run = dead_target_run
    reads = run.result.scenarios["reads"]
    assert run.requests_before_kill >= 40
    assert reads.requests >= run.requests_before_kill
    assert reads.failures.get("connection", 0) > 0, reads.failures  # refused connections, their own class
    assert run.code == EXIT_THRESHOLDS_FAILED, run.stderr  # http_req_failed rate<0.5 fails: k6's 99
    assert run.seconds_after_kill < 30, "the run ended on schedule, it did not hang on a dead target"
    assert "connection" in run.stderr  # the summary shows the failure class


def test_a_target_killed_mid_run_is_reported_incomplete_with_a_reason(dead_target_run: DeadTargetRun) -> None:
    assert dead_target_run.result.complete is False
    assert "target" in (dead_target_run.result.interrupted_reason or "")


# ---- a plan with errors ----------------------------------------------------------------------

def test_a_plan_with_several_errors_lists_them_all_and_exits_2(tmp_path: Path) -> None:
    run = Run.start("run", str(FIXTURES / "broken.yaml"), "--target", "http://127.0.0.1:9", *_run_options(),
                    cwd=tmp_path)
    assert run.finish(30) == EXIT_INPUT
    message = " ".join(run.stderr.split())  # the console wraps long lines
    for problem in ("colour is an unknown key", "scenarios.a.rate must be > 0, but is -5",
                    "'no-such-executor' is not a known executor", "scenarios.c.surprise is an unknown key",
                    "scenarios.c.vus must be >= 1, but is 0", "'p(95)<<200'"):
        assert problem in message, problem
    assert message.count("broken.yaml:") == 6  # one message, every problem naming the file
    assert "Traceback" not in run.stderr and run.results() == []


# ---- a result file cut short -----------------------------------------------------------------

def _cut(source: Path, target: Path, keep: float) -> Path:
    text = source.read_text()
    target.write_text(text[: int(len(text) * keep)] if keep > 0 else text.rstrip()[:-1])
    return target


@pytest.mark.parametrize("keep", [0.3, 0.9, -1])
def test_load_result_says_a_cut_file_is_truncated_and_names_it(dead_target_run: DeadTargetRun, tmp_path: Path,
                                                               keep: float) -> None:
    cut = _cut(dead_target_run.result_path, tmp_path / "cut.json", keep)
    with pytest.raises(ResultFileError) as caught:
        load_result(cut)
    assert str(caught.value).startswith(str(cut)) and "truncated" in str(caught.value)


@pytest.mark.parametrize("command", ["compare", "report", "cost report", "baseline record"])
def test_every_command_that_reads_results_names_a_cut_file_and_exits_2(dead_target_run: DeadTargetRun,
                                                                       tmp_path: Path, command: str) -> None:
    good = tmp_path / "good.json"
    good.write_text(dead_target_run.result_path.read_text())
    cut = _cut(good, tmp_path / "cut.json", 0.5)
    args = {
        "compare": ["compare", "--baseline", str(good), "--current", str(cut)],
        "report": ["report", str(cut), "--out", str(tmp_path / "report")],
        "cost report": ["cost", "report", "--run", str(cut), "--out", str(tmp_path / "costs")],
        "baseline record": ["baseline", "record", str(cut), "--dir", str(tmp_path / "baselines")],
    }[command]
    done = subprocess.run([sys.executable, "-m", "bwperf", *args], check=False, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == EXIT_INPUT, output
    assert "cut.json" in output and "Traceback" not in output, output


# ---- Ctrl-C ----------------------------------------------------------------------------------

def test_ctrl_c_while_the_embedded_stack_starts_leaves_nothing_behind(tmp_path: Path) -> None:
    run = Run.start("run", str(FIXTURES / "reads_long.yaml"), *_run_options(), cwd=tmp_path)
    run.watch(time.monotonic() + 60, stop_when=lambda: any("postgres" in p for p in processes_naming(tmp_path)))
    run.watch(time.monotonic() + 0.5)  # PostgreSQL is starting; migrations and seeding follow
    run.interrupt()
    assert run.finish(60) == EXIT_INTERRUPTED, run.stderr
    assert run.seen, "the stack had started processes"
    assert run.leftovers() == []
    assert run.results() == []  # nothing was measured


def test_ctrl_c_during_load_on_the_embedded_stack_keeps_a_partial_result(tmp_path: Path) -> None:
    run = Run.start("run", str(FIXTURES / "reads_long.yaml"), *_run_options(), cwd=tmp_path)
    run.watch(time.monotonic() + 90, stop_when=run.engine_started)
    run.watch(time.monotonic() + 2.5)  # the load runs
    interrupted_at = run.interrupt()
    assert run.finish(60) == EXIT_INTERRUPTED, run.stderr
    assert time.monotonic() - interrupted_at < 20
    (path,) = run.results()
    result = load_result(path)
    assert result.complete is False and result.interrupted_reason == "interrupted (Ctrl-C)"
    assert result.scenarios["reads"].requests > 0
    assert run.leftovers() == []


@pytest.fixture
def limited_api(lab: FaultLab) -> Iterator[PlatformProcess]:
    api = lab.api(rate_limit_profile="default")
    yield api
    lab.stop(api)


def test_ctrl_c_during_setup_exits_130_and_leaves_nothing_behind(limited_api: PlatformProcess, tmp_path: Path) -> None:
    run = Run.start("run", str(FIXTURES / "many_agents.yaml"), "--target", limited_api.url, *_run_options(),
                    cwd=tmp_path)
    # The eleventh registration meets the per-IP limit: provisioning now waits on Retry-After.
    run.watch(time.monotonic() + 60,
              stop_when=lambda: limited_api.metric("rate_limit_rejections_total", **{"class": "auth"}) >= 1)
    run.watch(time.monotonic() + 0.5)
    run.interrupt()
    assert run.finish(30) == EXIT_INTERRUPTED, run.stderr
    assert run.leftovers() == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # no load ran: no result, no half file


def test_ctrl_c_while_the_outputs_are_written_never_leaves_a_broken_file(lab: FaultLab, tmp_path: Path) -> None:
    api = lab.api()
    run = Run.start("run", str(FIXTURES / "reads_1s.yaml"), "--target", api.url, *_run_options(), cwd=tmp_path)
    # The engine writes the final result, then the k6 summary export, then report.html and summary.md
    # (rendering charts takes a moment): interrupt as soon as the summary export appears.
    run.watch(time.monotonic() + 60, stop_when=lambda: bool(list(tmp_path.glob("out/*/summary-export.json"))))
    interrupted = run.popen.poll() is None
    if interrupted:
        run.interrupt()
    code = run.finish(60)
    lab.stop(api)
    # `bwperf run` forwards the signal to the engine (its own session): once the load is over the
    # engine finishes writing and the complete run exits 0; 130 if it caught the engine earlier;
    # 254 if the engine died of the SIGINT while exiting (test_an_engine_killed_by_sigint_exits_130).
    assert code in ((EXIT_OK, EXIT_INTERRUPTED, 256 - signal.SIGINT) if interrupted else (EXIT_OK,)), run.stderr
    (path,) = run.results()
    result = load_result(path)
    assert result.complete, "the load had finished: the result written before the interrupt is final"
    files = list(path.parent.iterdir())
    assert not [p for p in files if p.name.startswith(".")], "a temporary file was left behind"
    json.loads((path.parent / "summary-export.json").read_text())
    for report in path.parent.glob("report.html"):
        assert report.read_text().rstrip().endswith("</html>"), "a report is whole or absent"
    assert run.leftovers() == []


def test_an_engine_killed_by_sigint_exits_130() -> None:
    from harness.engine.cli import _child

    dies_of_sigint = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGINT)"]
    assert _child(dies_of_sigint, stdin_text=None) == EXIT_INTERRUPTED


def test_a_server_started_from_a_short_lived_thread_outlives_the_thread(tmp_path: Path) -> None:
    import threading

    from harness.stack.processes import spawn

    started = {}
    thread = threading.Thread(target=lambda: started.setdefault(
        "process", spawn("sleeper", ["sleep", "30"], log_path=tmp_path / "sleeper.log")))
    thread.start()
    thread.join()
    process = started["process"]
    try:
        time.sleep(0.5)
        assert process.is_running()
    finally:
        process.stop(timeout_s=5)
