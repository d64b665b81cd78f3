"""The plan's `data:` key: every problem named with its key path; files resolved beside the plan."""

from pathlib import Path

import pytest

from harness.data.spec import read_data_specs
from harness.errors import PlanError
from harness.parsing.fields import Problems
from harness.plan.load import load_plan


def specs(raw, plan_dir: Path):
    problems = Problems()
    found = read_data_specs(raw, plan_dir=plan_dir, problems=problems)
    return found, problems.items


def test_a_data_set_is_resolved_beside_the_plan_with_its_defaults(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "agents.csv").write_text("id\n1\n")
    (tmp_path / "q.jsonl").write_text('{"q": 1}\n')
    found, problems = specs({"agents": {"file": "data/agents.csv", "mode": "unique"},
                             "q": {"file": "q.jsonl", "mode": "random", "seed": 7},
                             "own": {"file": "data/agents.csv", "mode": "per-vu", "onExhausted": "cycle"}}, tmp_path)
    assert problems == []
    assert found["agents"].path == (tmp_path / "data" / "agents.csv").resolve()
    assert (found["agents"].format, found["agents"].on_exhausted) == ("csv", "fail")  # the default: fail
    assert (found["q"].format, found["q"].seed, found["q"].on_exhausted) == ("jsonl", 7, None)
    assert found["own"].on_exhausted == "cycle"


def test_every_problem_is_named_with_its_key_path(tmp_path):
    (tmp_path / "a.csv").write_text("id\n1\n")
    _, problems = specs({
        "missing": {"file": "nope.csv", "mode": "unique"},
        "badmode": {"file": "a.csv", "mode": "shuffled"},
        "badext": {"file": "a.txt", "mode": "unique"},
        "stopvu": {"file": "a.csv", "mode": "per-vu", "onExhausted": "stop"},
        "cycleseq": {"file": "a.csv", "mode": "sequential", "onExhausted": "fail"},
        "seeded": {"file": "a.csv", "mode": "unique", "seed": 3},
        "extra": {"file": "a.csv", "mode": "unique", "delimiter": ";"},
        "nofile": {"mode": "unique"},
    }, tmp_path)
    text = "\n".join(problems)
    assert "data.missing.file cannot be read: " in text and "nope.csv" in text
    assert "data.badmode.mode must be one of unique, per-vu, sequential, random, but is 'shuffled'" in text
    assert "data.badext.file must end in .csv, .jsonl, .ndjson, but is 'a.txt'" in text
    assert "data.stopvu.onExhausted must be one of fail, cycle for mode per-vu, but is 'stop'" in text
    assert "data.cycleseq.onExhausted does not apply to mode sequential" in text
    assert "data.seeded.seed applies to mode random only" in text
    assert "data.extra.delimiter is an unknown key" in text
    assert "data.nofile.file is required, but is missing" in text
    assert len(problems) == 8


def test_the_plan_reads_data_and_fails_with_the_file_named(tmp_path):
    (tmp_path / "rows.csv").write_text("id\n1\n")
    body = "scenarios:\n  s: {executor: shared-iterations, vus: 1, iterations: 1}\n"
    good = tmp_path / "good.yaml"
    good.write_text(body + "data:\n  rows: {file: rows.csv, mode: sequential}\n")
    assert load_plan(good).data["rows"].mode == "sequential"
    bad = tmp_path / "bad.yaml"
    bad.write_text(body + "data:\n  rows: {file: missing.csv, mode: sequential}\n")
    with pytest.raises(PlanError, match=r"bad.yaml: data.rows.file cannot be read"):
        load_plan(bad)
