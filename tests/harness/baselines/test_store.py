"""Promoting and listing baselines, and `bwperf baseline ...` end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.baselines import list_baselines, load_history, promote
from bwperf.cli import main_app
from harness.compare.loading import load_run
from harness.errors import InputError
from harness.results import load_result, save_result
from tests.harness.compare.results_factory import BASELINE_PLAN, build_result

DAY = date(2026, 1, 12)
runner = CliRunner()


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("results")
    return [save_result(build_result(BASELINE_PLAN, seed=i, run_id=f"weekly-{i}"), folder / f"r{i}.json") for i in range(3)]


def test_promote_copies_under_a_dated_name_and_makes_it_current(tmp_path: Path, results: list[Path]) -> None:
    promoted = promote(results[0], directory=tmp_path, name="sprint4", today=DAY)
    assert promoted.path == tmp_path / "2026-01-12-sprint4.json"
    assert promoted.path.read_bytes() == results[0].read_bytes()
    assert (tmp_path / "current.json").read_bytes() == results[0].read_bytes()
    assert load_run(tmp_path / "current.json").run_id == "weekly-0"
    assert [row.run_id for row in load_history(tmp_path / "history.jsonl").rows] == ["weekly-0"]


def test_same_day_same_name_gets_a_suffix_unless_identical(tmp_path: Path, results: list[Path]) -> None:
    first = promote(results[0], directory=tmp_path, today=DAY)
    again = promote(results[0], directory=tmp_path, today=DAY)
    second = promote(results[1], directory=tmp_path, today=DAY)
    assert first.path == again.path == tmp_path / "2026-01-12-baseline.json"
    assert not again.recorded
    assert second.path == tmp_path / "2026-01-12-baseline-2.json"
    listed = list_baselines(tmp_path)
    assert [(b.name, b.is_current) for b in listed] == [("baseline", False), ("baseline-2", True)]


def test_a_broken_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "meta": ')
    store = tmp_path / "store"
    with pytest.raises(InputError, match="is truncated"):
        promote(broken, directory=store, today=DAY)
    assert not store.exists()


def test_bad_names_are_refused(tmp_path: Path, results: list[Path]) -> None:
    with pytest.raises(InputError, match="--name"):
        promote(results[0], directory=tmp_path, name="../escape", today=DAY)


def test_cli_promote_list_record_history(tmp_path: Path, results: list[Path]) -> None:
    store = str(tmp_path / "b")
    out = runner.invoke(main_app, ["baseline", "promote", str(results[0]), "--name", "sprint4", "--dir", store])
    assert out.exit_code == 0, out.stderr
    assert "-sprint4.json" in out.stdout
    for path in results[1:]:
        assert runner.invoke(main_app, ["baseline", "record", str(path), "--dir", store]).exit_code == 0
    again = runner.invoke(main_app, ["baseline", "record", str(results[1]), "--dir", store])
    assert "already in the history" in again.stdout
    listed = runner.invoke(main_app, ["baseline", "list", "--dir", store])
    assert listed.stdout.startswith("* ") and "sprint4" in listed.stdout
    history = runner.invoke(main_app, ["baseline", "history", "--dir", store, "--metric", "*/GET /api/v1/problems/latency_p95_ms"])
    assert history.exit_code == 0
    assert "weekly-0" in history.stdout and "weekly-2" in history.stdout
    assert "1 of 1 metrics shown; 3 runs" in history.stdout


def test_cli_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    out = runner.invoke(main_app, ["baseline", "promote", str(missing), "--dir", str(tmp_path / "b")])
    assert out.exit_code == 2
    assert out.stderr == f"error: {missing}: no such file\n"
    bad = runner.invoke(main_app, ["baseline", "history", "--dir", str(tmp_path), "--min-segment", "1"])
    assert bad.exit_code == 2 and "min_segment" in bad.stderr


def test_the_cli_constants_agree_with_the_store() -> None:
    from harness.baselines import cli, series, store

    assert cli.DEFAULT_DIRECTORY == store.DEFAULT_DIRECTORY
    assert cli.HISTORY_FILE_NAME == series.HISTORY_FILE_NAME


# -- `promote latest` and run id prefixes, on copies of a recorded real run --

REAL_RUN = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "baseline_result.json"
RUN_IDS = ("20261126T024157Z-baseline-caf9", "20261127T090000Z-baseline-1a2b", "20261128T090000Z-queue_flood-3c4d")


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """A results directory as `bwperf run` leaves it: <run-id>/result.json, two plans, the flood newest."""
    real = load_result(REAL_RUN)
    for run_id in RUN_IDS:
        save_result(real.model_copy(update={"meta": real.meta.model_copy(update={"run_id": run_id})}),
                    tmp_path / "reports" / run_id / "result.json")
    (tmp_path / "reports" / "screenshots").mkdir()  # not a run
    return tmp_path / "reports"


def promote_cli(*args: str | Path, store: Path) -> tuple[int, str, str]:
    out = runner.invoke(main_app, ["baseline", "promote", *map(str, args), "--dir", str(store)])
    return out.exit_code, out.stdout, out.stderr


def test_promote_latest_takes_the_newest_run_of_the_plan(reports: Path, tmp_path: Path) -> None:
    code, out, err = promote_cli("latest", "--results", reports, store=tmp_path / "b")
    assert code == 0, err
    assert out.startswith(f"promoted {RUN_IDS[2]}: ")
    code, out, err = promote_cli("latest", "--results", reports, "--plan", "scenarios/baseline.yaml", store=tmp_path / "b")
    assert code == 0, err
    assert out.startswith(f"promoted {RUN_IDS[1]}: ")
    assert load_run(tmp_path / "b" / "current.json").run_id == RUN_IDS[1]


def test_promote_takes_a_unique_prefix_of_a_run_id(reports: Path, tmp_path: Path) -> None:
    code, out, err = promote_cli("20261126", "--results", reports, store=tmp_path / "b")
    assert code == 0, err
    assert out.startswith(f"promoted {RUN_IDS[0]}: ")
    assert (tmp_path / "b" / "current.json").read_bytes() == (reports / RUN_IDS[0] / "result.json").read_bytes()


def test_an_ambiguous_prefix_is_one_line_naming_the_candidates(reports: Path, tmp_path: Path) -> None:
    code, out, err = promote_cli("202611", "--results", reports, store=tmp_path / "b")
    assert code == 2 and out == ""
    assert err == f"error: 202611: ambiguous, 3 runs in {reports} start with it: {', '.join(RUN_IDS)}\n"
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("latest", "--plan", "agent_swarm"), "latest: no run of plan 'agent_swarm' in {reports}"),
    (("2025",), "2025: no such file, and no run id in {reports} starts with it"),
    (("20261127", "--plan", "queue_flood"), "20261127: no such file, and no run id of plan 'queue_flood' in {reports} starts with it"),
])
def test_no_such_run_is_one_line(reports: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    code, _, err = promote_cli(*args, "--results", reports, store=tmp_path / "b")
    assert code == 2
    assert err == f"error: {message.format(reports=reports)}\n"


def test_latest_without_a_results_directory_is_one_line(tmp_path: Path) -> None:
    code, _, err = promote_cli("latest", "--results", tmp_path / "none", store=tmp_path / "b")
    assert code == 2
    assert err == f"error: {tmp_path / 'none'}: no such results directory (give a result file, or --results)\n"


def test_a_run_directory_is_its_result(reports: Path, tmp_path: Path) -> None:
    code, out, err = promote_cli(reports / RUN_IDS[1], store=tmp_path / "b")
    assert code == 0, err
    assert out.startswith(f"promoted {RUN_IDS[1]}: ")
