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
from harness.results import save_result
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
