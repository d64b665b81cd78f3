import json

import pytest

from harness.errors import EXIT_INPUT, ResultFileError
from harness.metrics.hdr import decode
from harness.results import SCHEMA_VERSION, k6_summary, load_result, save_result, write_k6_summary

from .factory import make_result


def test_round_trip(tmp_path):
    result = make_result(tmp_path)
    path = save_result(result, tmp_path / "run" / "result.json")
    again = load_result(path)
    assert again == result
    assert load_result(tmp_path / "run") == result  # a run directory works too
    assert again.schema_version == SCHEMA_VERSION


def test_builder_fills_the_contract(tmp_path):
    result = make_result(tmp_path)
    browse = result.scenarios["browse"]
    assert (browse.target_rate_per_s, browse.achieved_rate_per_s, browse.iterations_started) == (10.0, 10.0, 20)
    assert browse.failures == {"429": 1} and browse.requests == 20
    request = result.requests[0]
    assert (request.scenario, request.method, request.name, request.count) == ("browse", "GET", "/problems", 20)
    assert decode(request.duration_ms.hdr).get_total_count() == 20
    assert result.metrics["http_req_duration"].trend.max == 200.0
    assert result.metrics["errors"].rate == pytest.approx(0.05)
    outcomes = {(t.metric, t.expression): (t.ok, t.observed) for t in result.thresholds}
    assert outcomes[("errors", "rate<0.01")] == (False, pytest.approx(0.05))
    assert outcomes[("http_reqs", "count>10")] == (True, 20.0)
    assert outcomes[("http_req_duration{scenario:browse}", "p(99)<100")][0] is False
    assert result.thresholds_ok is False
    assert [p.requests for p in result.time_series] == [10, 10]
    assert result.generator.lag_p99_ms == pytest.approx(0.5, rel=1e-3) and not result.generator.saturated


def test_other_schema_version_is_named(tmp_path):
    path = save_result(make_result(tmp_path), tmp_path / "result.json")
    document = json.loads(path.read_text())
    document["schema_version"] = 2
    path.write_text(json.dumps(document))
    with pytest.raises(ResultFileError) as caught:
        load_result(path)
    assert str(caught.value) == f"{path}: has schema_version 2; this harness reads schema_version 1"
    assert caught.value.exit_code == EXIT_INPUT


def test_truncated_file(tmp_path):
    path = save_result(make_result(tmp_path), tmp_path / "result.json")
    path.write_text(path.read_text()[:500])
    with pytest.raises(ResultFileError, match=rf"^{path}: is truncated"):
        load_result(path)


@pytest.mark.parametrize(("content", "message"), [
    ("not json at all", "is not valid JSON"),
    ("[1, 2]", "is not a run result"),
    ('{"schema_version": 1, "meta": {}}', "is not a valid run result"),
])
def test_broken_files(tmp_path, content, message):
    path = tmp_path / "result.json"
    path.write_text(content)
    with pytest.raises(ResultFileError, match=message) as caught:
        load_result(path)
    assert str(caught.value).startswith(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(ResultFileError, match="no such file"):
        load_result(tmp_path / "nope.json")


def test_k6_summary_export_shape(tmp_path):
    result = make_result(tmp_path)
    summary = k6_summary(result)
    duration = summary["metrics"]["http_req_duration"]
    assert set(duration) >= {"avg", "min", "med", "max", "p(90)", "p(95)", "thresholds"}
    assert duration["thresholds"] == {"p(95)<200": False}
    assert summary["metrics"]["http_reqs"] == {"count": 20, "rate": 10.0, "thresholds": {"count>10": False}}
    assert summary["metrics"]["errors"]["thresholds"] == {"rate<0.01": True}  # k6: true means it failed
    assert summary["metrics"]["errors"]["passes"] == 1 and summary["metrics"]["errors"]["fails"] == 19
    assert "http_req_duration{scenario:browse}" in summary["metrics"]
    written = write_k6_summary(result, tmp_path / "summary.json")
    assert json.loads(written.read_text())["metrics"]["http_reqs"]["count"] == 20


@pytest.mark.parametrize("text", ['{"a": [1, 2]', '{"a": [1, 2], "b": {"c": 1}', '{"a": "cut'])
def test_a_file_cut_anywhere_is_truncated_even_just_after_a_bracket(tmp_path, text: str) -> None:
    path = tmp_path / "cut.json"
    path.write_text(text)
    with pytest.raises(ResultFileError, match="is truncated"):
        load_result(path)
    path.write_text('{"a": [1, 2] x}')  # a wrong character inside is not a cut
    with pytest.raises(ResultFileError, match="is not valid JSON"):
        load_result(path)
