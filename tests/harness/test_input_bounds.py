"""Every input bound (docs/input-limits.md), through the real CLI under a 1 GiB address-space cap:
exit 2, one line on stderr naming the problem, no traceback, within seconds.

"Within seconds" is measured as the child's CPU time (user + system): the machine running the
suite is shared, so wall time mostly measures the neighbours. Starting `bwperf compare` alone
costs ~2 s of CPU (imports)."""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from harness.metrics import hdr
from harness.results import save_result
from tests.harness.compare.results_factory import BASELINE_PLAN, build_result

REPO = Path(__file__).resolve().parents[2]
MEMORY_CAP = 1 << 30
UNREACHABLE = "http://127.0.0.1:9"  # plans are refused before anything connects


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bwperf(*args: str | Path, cwd: Path) -> tuple[int, str, float]:
    """Exit code, stderr and CPU seconds of one `bwperf` run under the memory cap."""
    before = _children_cpu_s()
    done = subprocess.run([sys.executable, "-m", "bwperf", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=60, preexec_fn=_cap_memory, env={"PATH": "/usr/bin:/bin",
                                                                               "PYTHONPATH": str(REPO)})
    return done.returncode, done.stderr, _children_cpu_s() - before


def assert_refused(outcome: tuple[int, str, float], *needles: str) -> str:
    code, stderr, cpu_s = outcome
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert cpu_s < 5.0, f"took {cpu_s:.1f} s of CPU"
    return lines[0]


def run_plan(tmp_path: Path, text: str) -> tuple[int, str, float]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    return bwperf("run", plan, "--target", UNREACHABLE, cwd=tmp_path)


SCENARIO = """scenarios:
  s:
    executor: constant-arrival-rate
    rate: {rate}
    timeUnit: {unit}
    duration: {duration}
    preAllocatedVUs: {vus}
"""


def plan_text(*, rate: str = "10", unit: str = "1s", duration: str = "10s", vus: str = "5") -> str:
    return SCENARIO.format(rate=rate, unit=unit, duration=duration, vus=vus)


# Plans ------------------------------------------------------------------------------------------


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    assert_refused(run_plan(tmp_path, "\n".join(rows) + "\n"), "plan.yaml", "line 1", "anchors")


def test_yaml_alias_in_a_merge_key_is_refused(tmp_path: Path) -> None:
    text = plan_text() + "  t:\n    <<: *base\n"
    assert_refused(run_plan(tmp_path, text.replace("  s:\n", "  s: &base\n", 1)), "anchors (&base)")


def test_deep_yaml_is_refused(tmp_path: Path) -> None:
    assert_refused(run_plan(tmp_path, "scenarios: " + "[" * 10_000 + "]" * 10_000 + "\n"),
                   "nested more than 64 levels")


def test_plan_size_is_capped(tmp_path: Path) -> None:
    padding = "# " + "x" * 1000 + "\n"
    assert_refused(run_plan(tmp_path, plan_text() + padding * 1100), "larger than 1 MiB")


def test_vus_are_capped(tmp_path: Path) -> None:
    assert_refused(run_plan(tmp_path, plan_text(vus="1000000000")),
                   "scenarios.s.preAllocatedVUs must be <= 100,000, but is 1000000000")


def test_infinite_rate_is_refused(tmp_path: Path) -> None:
    assert_refused(run_plan(tmp_path, plan_text(rate=".inf")), "scenarios.s.rate must be a finite number")


def test_rate_per_time_unit_and_per_second_are_capped(tmp_path: Path) -> None:
    assert_refused(run_plan(tmp_path, plan_text(rate="2000000")), "rate must be <= 1,000,000 per timeUnit")
    assert_refused(run_plan(tmp_path, plan_text(rate="10000", unit="1ms")),
                   "rate must be <= 1,000,000 per second, but is 1e+07 per second")


def test_duration_is_capped(tmp_path: Path) -> None:
    assert_refused(run_plan(tmp_path, plan_text(duration="1000h")),
                   "scenarios.s.duration must be at most 24h, but is 1000h")


def test_stages_are_capped_in_number_and_total_length(tmp_path: Path) -> None:
    head = "scenarios:\n  s:\n    executor: ramping-vus\n    stages:\n"
    many = head + "      - {duration: 1s, target: 1}\n" * 1001
    assert_refused(run_plan(tmp_path, many), "scenarios.s.stages has 1001 stages; the limit is 1,000")
    long = head + "      - {duration: 20h, target: 1}\n" * 2
    assert_refused(run_plan(tmp_path, long), "scenarios.s lasts 40h; the limit is 24h")
    crowded = head + "      - {duration: 1s, target: 200000}\n"
    assert_refused(run_plan(tmp_path, crowded), "stages[1].target must be <= 100,000 VUs")


def test_agents_are_capped(tmp_path: Path) -> None:
    assert_refused(run_plan(tmp_path, plan_text() + "setup:\n  agents: 1000000000\n"),
                   "setup.agents must be <= 10000, but is 1000000000")


def test_scenarios_are_capped(tmp_path: Path) -> None:
    body = "".join(f"  s{i}:\n    executor: constant-vus\n    duration: 1s\n" for i in range(5000))
    assert_refused(run_plan(tmp_path, "scenarios:\n" + body), "scenarios has 5000 scenarios; the limit is 100")


def test_thresholds_per_metric_are_capped(tmp_path: Path) -> None:
    rules = "".join(f"    - p(95)<{i + 1}\n" for i in range(51))
    assert_refused(run_plan(tmp_path, plan_text() + "thresholds:\n  http_req_duration:\n" + rules),
                   "thresholds.http_req_duration has 51 thresholds; the limit is 50")


# Result files, k6 files, cost models ------------------------------------------------------------


@pytest.fixture
def good_result(tmp_path: Path) -> Path:
    return save_result(build_result(BASELINE_PLAN, seed=1, run_id="good"), tmp_path / "good.json")


def compare(tmp_path: Path, baseline: Path, current: Path) -> tuple[int, str, float]:
    return bwperf("compare", "--baseline", baseline, "--current", current, cwd=tmp_path)


def test_gzip_bomb_is_refused_fast_in_small_memory(tmp_path: Path, good_result: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    member = gzip.compress(b"0" * (16 << 20), compresslevel=9)
    bomb.write_bytes(member * 128)  # 128 gzip members: 2 GiB of zeros in ~2 MB
    assert bomb.stat().st_size < 3 << 20
    assert_refused(compare(tmp_path, good_result, bomb), "bomb.json.gz", "expands more than 200-fold")


def test_gzip_bomb_of_one_long_line_in_a_k6_file_is_refused(tmp_path: Path, good_result: Path) -> None:
    point = b'{"type":"Point","metric":"http_reqs","data":{"time":"2026-01-01T00:00:00Z","value":1,"tags":{}}}\n'
    bomb = tmp_path / "k6.json.gz"
    with gzip.open(bomb, "wb") as handle:
        handle.write(point + b'{"type":"Point","x":"' + b"a" * (8 << 20))
    assert_refused(compare(tmp_path, good_result, bomb), "line 2 is longer than 1 MiB")


@pytest.mark.parametrize("command", ["compare", "report", "cost"])
def test_deep_json_is_refused_by_every_reader(tmp_path: Path, good_result: Path, command: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"schema_version": 1, "meta": ' + "[" * 100_000 + "]" * 100_000 + "}")
    args = {"compare": ("compare", "--baseline", good_result, "--current", deep),
            "report": ("report", deep), "cost": ("cost", "report", "--run", deep)}[command]
    assert_refused(bwperf(*args, cwd=tmp_path), "deep.json", "nested 100001 levels deep; the limit is 64")


def test_result_size_is_capped_before_reading(tmp_path: Path, good_result: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(300 << 20)  # sparse: no disk, no time
    assert_refused(compare(tmp_path, good_result, huge), "larger than 256 MiB")


def test_cost_report_requires_a_schema_version(tmp_path: Path, good_result: Path) -> None:
    document = json.loads(good_result.read_text())
    del document["schema_version"]
    unversioned = tmp_path / "unversioned.json"
    unversioned.write_text(json.dumps(document))
    assert_refused(bwperf("cost", "report", "--run", unversioned, cwd=tmp_path), "no schema_version")


def _with_histogram(good_result: Path, tmp_path: Path, text: str) -> Path:
    document = json.loads(good_result.read_text())
    document["requests"][0]["duration_ms"]["hdr"] = text
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    return broken


@pytest.mark.parametrize("command", ["compare", "report", "cost"])
def test_a_corrupt_histogram_is_refused_by_every_reader(tmp_path: Path, good_result: Path, command: str) -> None:
    truncated = hdr.encode(hdr.decode(json.loads(good_result.read_text())["requests"][0]["duration_ms"]["hdr"]))[:-8]
    broken = _with_histogram(good_result, tmp_path, truncated)
    args = {"compare": ("compare", "--baseline", good_result, "--current", broken),
            "report": ("report", broken), "cost": ("cost", "report", "--run", broken)}[command]
    assert_refused(bwperf(*args, cwd=tmp_path), "requests[0].duration_ms.hdr holds a histogram that cannot be read")


def test_a_histogram_zlib_bomb_is_refused(tmp_path: Path, good_result: Path) -> None:
    import base64
    import struct

    payload = zlib.compress(b"\0" * (64 << 20), 9)  # 64 MiB of counts from ~64 KB
    text = base64.b64encode(struct.pack(">ii", 0x1C849304, len(payload)) + payload).decode()
    broken = _with_histogram(good_result, tmp_path, text)
    assert_refused(bwperf("report", broken, cwd=tmp_path), "larger than 1 MiB once decompressed")


def test_cost_model_aliases_are_refused(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("a: &a [1, 2]\nb: *a\n")
    assert_refused(bwperf("cost", "report", "--model", model, cwd=tmp_path), "model.yaml", "anchors (&a)")


def test_a_deep_json_line_in_a_data_file_is_refused(tmp_path: Path) -> None:
    from harness.data.errors import DataFileError
    from harness.data.spec import DataSpec
    from harness.data.table import load_table

    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"a": 1}\n{"b": ' + "[" * 30_000 + "]" * 30_000 + "}\n")  # 60 KB: under the line cap
    spec = DataSpec(name="rows", path=rows, shown="rows.jsonl", format="jsonl", mode="random", on_exhausted=None)
    with pytest.raises(DataFileError, match=r"^rows\.jsonl: line 2: is nested 30001 levels deep; the limit is 64$"):
        load_table(spec)


def test_vus_summed_across_scenarios_are_bounded_too(tmp_path: Path) -> None:
    scenarios = "".join(f"  s{i}:\n    executor: constant-vus\n    vus: 60000\n    duration: 1s\n" for i in range(2))
    assert_refused(run_plan(tmp_path, "scenarios:\n" + scenarios), "may hold 120,000 VUs at once")
