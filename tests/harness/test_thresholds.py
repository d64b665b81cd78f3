import pytest

from harness.parsing.durations import parse_duration_s
from harness.thresholds import (
    LatencyLimit,
    ThresholdSyntaxError,
    evaluate,
    latency_limits,
    make_spec,
    parse_expression,
    parse_key,
)


def test_parse_keys_with_tag_filters():
    assert parse_key("http_req_duration") == ("http_req_duration", ())
    assert parse_key("http_req_duration{scenario:browse_problems}") == ("http_req_duration", (("scenario", "browse_problems"),))
    assert parse_key("http_req_duration{ scenario:a , name:/x }") == ("http_req_duration", (("name", "/x"), ("scenario", "a")))
    for bad in ("http_req_duration{scenario}", "{a:b}", "m{a:b}{c:d}"):
        with pytest.raises(ThresholdSyntaxError):
            parse_key(bad)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("p(95)<200", ("p(95)", 95.0, "<", 200.0)), ("p(99.9) <= 1e3", ("p(99.9)", 99.9, "<=", 1000.0)),
     ("rate<0.01", ("rate", None, "<", 0.01)), ("count>=10", ("count", None, ">=", 10.0)),
     ("avg==5", ("avg", None, "==", 5.0)), ("med != 3", ("med", None, "!=", 3.0)), ("value===1", ("value", None, "===", 1.0))],
)
def test_parse_expressions(text, parsed):
    assert parse_expression(text) == parsed


@pytest.mark.parametrize("text", ["p95<200", "p(101)<1", "rate << 1", "avg<", "mean<3"])
def test_rejects_bad_expressions(text):
    with pytest.raises(ThresholdSyntaxError):
        parse_expression(text)


def test_object_form_with_abort_on_fail():
    spec = make_spec("errors", {"threshold": "rate<0.01", "abortOnFail": True, "delayAbortEval": "10s"},
                     delay_parser=parse_duration_s)
    assert (spec.abort_on_fail, spec.delay_abort_eval_s, spec.aggregation) == (True, 10.0, "rate")
    with pytest.raises(ThresholdSyntaxError):
        make_spec("errors", {"threshold": "rate<0.01", "abortOnFail": "yes"}, delay_parser=parse_duration_s)


class Source:
    def __init__(self, values):
        self.values = values

    def observe(self, metric, tags, aggregation):
        return self.values.get((metric, tags, aggregation))


def test_evaluate_at_the_boundary_and_without_data():
    specs = [make_spec("http_req_duration", "p(95)<200", delay_parser=parse_duration_s),
             make_spec("http_req_duration{scenario:a}", "p(95)<200", delay_parser=parse_duration_s),
             make_spec("errors", "rate<0.01", delay_parser=parse_duration_s)]
    source = Source({("http_req_duration", (), "p(95)"): 196.1,
                     ("http_req_duration", (("scenario", "a"),), "p(95)"): 200.0})
    outcomes = evaluate(specs, source)
    assert [(o.ok, o.observed) for o in outcomes] == [(True, 196.1), (False, 200.0), (True, None)]


def test_latency_limits_are_the_upper_bounds_on_a_percentile_of_one_metric():
    thresholds = [
        ("http_req_duration", "p(95) < 200"),
        ("http_req_duration", "med<=50"),  # the p50
        ("http_req_duration{scenario:search}", "p(99)<500"),
        ("http_req_duration{name:/health}", "p(95)<20"),
        ("http_req_duration", "p(95)>1"),  # a lower bound draws no line
        ("http_req_duration", "avg<100"),  # neither does another aggregation
        ("guardrail_latency", "p(95)<2000"),  # nor another metric
        ("http_req_duration{scenario}", "p(95)<1"),  # nor a key that does not parse
        ("http_req_duration", "p95<1"),  # nor an expression that does not
    ]
    limits = latency_limits(thresholds, metric="http_req_duration")
    assert limits == [
        LatencyLimit("http_req_duration", (), 95.0, 200.0, "p(95)<200"),
        LatencyLimit("http_req_duration", (), 50.0, 50.0, "med<=50"),
        LatencyLimit("http_req_duration", (("scenario", "search"),), 99.0, 500.0, "p(99)<500"),
        LatencyLimit("http_req_duration", (("name", "/health"),), 95.0, 20.0, "p(95)<20"),
    ]
    run_wide, on_search, on_health = limits[0], limits[2], limits[3]
    assert (run_wide.scenario, on_search.scenario, on_health.scenario) == (None, "search", None)
    assert run_wide.applies_to("browse") and on_search.applies_to("search") and not on_search.applies_to("browse")
    assert not on_health.per_scenario and not on_health.applies_to("browse")
    assert [limit.limit_ms for limit in latency_limits(thresholds, metric="guardrail_latency")] == [2000.0]
