"""Finding runs, loading them through the result model, caching by file stamp, broken files."""

from __future__ import annotations

import os
from pathlib import Path

from dashboards.context import LATEST, resolve_selection
from dashboards.data import RunStore, find_result_files
from harness.results import RunResult
from tests.dashboards.conftest import Lab
from tests.dashboards.run_factory import write_run


def _touch_later(path: Path) -> None:
    """Move the mtime forward, as a rewrite a moment later would (some filesystems tick coarsely)."""
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 2_000_000_000))


def test_runs_are_found_one_and_two_levels_down_and_other_folders_are_skipped(
        tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    write_run(tmp_path, weekly_runs[0])
    write_run(tmp_path / "weekly", weekly_runs[1])
    (tmp_path / "costs").mkdir()
    (tmp_path / "costs" / "cost-report.json").write_text("{}")
    (tmp_path / "screenshots").mkdir()
    found = sorted(p.relative_to(tmp_path).as_posix() for p in find_result_files(tmp_path))
    assert found == [f"{weekly_runs[0].meta.run_id}/result.json", f"weekly/{weekly_runs[1].meta.run_id}/result.json"]
    catalog = RunStore(tmp_path).catalog()
    assert [e.key for e in catalog.runs] == [weekly_runs[0].meta.run_id, f"weekly/{weekly_runs[1].meta.run_id}"]
    assert catalog.broken == ()


def test_a_missing_results_directory_is_an_empty_catalog(tmp_path: Path) -> None:
    catalog = RunStore(tmp_path / "nothing-here").catalog()
    assert catalog.empty and catalog.latest is None and catalog.broken == ()


def test_runs_are_ordered_by_start_time_not_by_folder_name(tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    newer = weekly_runs[5].model_copy(update={"meta": weekly_runs[5].meta.model_copy(update={"run_id": "a-newer-run"})})
    write_run(tmp_path, newer)
    write_run(tmp_path, weekly_runs[2])
    catalog = RunStore(tmp_path).catalog()
    assert [e.run_id for e in catalog.runs] == [weekly_runs[2].meta.run_id, "a-newer-run"]
    assert catalog.latest is not None and catalog.latest.run_id == "a-newer-run"


def test_a_truncated_file_is_a_broken_entry_naming_the_file_and_the_rest_still_load(
        tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    write_run(tmp_path, weekly_runs[0])
    good = write_run(tmp_path, weekly_runs[1])
    partial = tmp_path / "20261101T000000Z-baseline-beef" / "result.json"
    partial.parent.mkdir()
    partial.write_text(good.read_text()[:5000])
    catalog = RunStore(tmp_path).catalog()
    assert len(catalog.runs) == 2
    (broken,) = catalog.broken
    assert broken.key == "20261101T000000Z-baseline-beef"
    assert broken.error is not None and broken.error.startswith(str(partial))
    assert "truncated" in broken.error


def test_a_file_of_another_schema_version_says_so(tmp_path: Path) -> None:
    other = tmp_path / "old-run" / "result.json"
    other.parent.mkdir()
    other.write_text('{"schema_version": 0, "meta": {}}')
    (broken,) = RunStore(tmp_path).catalog().broken
    assert broken.error is not None and str(other) in broken.error and "schema_version 0" in broken.error


def test_an_unchanged_poll_reads_no_file_and_a_rewritten_file_is_read_again(
        tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    paths = [write_run(tmp_path, run) for run in weekly_runs[:3]]
    store = RunStore(tmp_path)
    first = store.catalog()
    assert store.loads == 3
    signature = store.signature()
    again = store.catalog()
    assert store.loads == 3 and store.signature() == signature
    assert again.runs[0] is first.runs[0]  # the very same cached entry
    slower = weekly_runs[1].model_copy(update={"thresholds_ok": False})
    write_run(tmp_path, slower)
    _touch_later(paths[1])
    assert store.signature() != signature
    changed = store.catalog()
    assert store.loads == 4
    assert changed.get(weekly_runs[1].meta.run_id).result.thresholds_ok is False  # type: ignore[union-attr]


def test_a_deleted_run_disappears(tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    paths = [write_run(tmp_path, run) for run in weekly_runs[:2]]
    store = RunStore(tmp_path)
    assert len(store.catalog().runs) == 2
    paths[0].unlink()
    assert [e.run_id for e in store.catalog().runs] == [weekly_runs[1].meta.run_id]


def test_the_selector_follows_the_newest_run_unless_one_is_chosen(lab: Lab) -> None:
    catalog = RunStore(lab.results).catalog()
    newest, following = resolve_selection(catalog, LATEST)
    assert following and newest is not None and newest.run_id == lab.newest.meta.run_id
    chosen_id = lab.in_reports()[0].meta.run_id
    chosen, following = resolve_selection(catalog, chosen_id)
    assert not following and chosen is not None and chosen.run_id == chosen_id
    gone, following = resolve_selection(catalog, "a-run-that-was-deleted")
    assert following and gone == newest


def test_scenario_names_cover_every_run(lab: Lab) -> None:
    assert RunStore(lab.results).catalog().scenario_names() == sorted(lab.newest.scenarios)


def test_the_run_historys_stored_results_are_runs_too_once_each(
        tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    """`bwperf baseline record` keeps results in <baselines>/runs/; the Runs view lists them, and a run
    that is also in the results directory once (from there)."""
    from harness.baselines.runs import record_with_result

    results, baselines = tmp_path / "reports", tmp_path / "baselines"
    both, only_history = weekly_runs[0], weekly_runs[1]
    record_with_result(write_run(results, both), directory=baselines)
    record_with_result(write_run(tmp_path / "elsewhere", only_history), directory=baselines)
    catalog = RunStore(results, history_runs_dir=baselines / "runs").catalog()
    keys = {entry.run_id: entry.key for entry in catalog.runs}
    assert keys == {both.meta.run_id: both.meta.run_id, only_history.meta.run_id: f"history/{only_history.meta.run_id}"}
