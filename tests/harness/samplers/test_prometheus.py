from harness.samplers.prometheus import parse_metrics_text, request_count

TEXT = """# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",path="/health",status="200"} 120
http_requests_total{method="GET",path="/api/v1/problems",status="200"} 30
# HELP http_request_duration_seconds Latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1",path="/health"} 100
http_request_duration_seconds_bucket{le="+Inf",path="/health"} 120
http_request_duration_seconds_count{path="/health"} 120
http_request_duration_seconds_sum{path="/health"} 1.5
"""


def test_flattens_every_sample_with_sorted_labels():
    values = parse_metrics_text(TEXT)
    assert values['http_requests_total{method="GET",path="/health",status="200"}'] == 120
    assert values['http_request_duration_seconds_bucket{le="+Inf",path="/health"}'] == 120
    assert values['http_request_duration_seconds_sum{path="/health"}'] == 1.5


def test_request_count_prefers_the_counter_and_filters_by_path():
    values = parse_metrics_text(TEXT)
    assert request_count(values) == 150
    assert request_count(values, path="/health") == 120
    histogram_only = {k: v for k, v in values.items() if not k.startswith("http_requests_total")}
    assert request_count(histogram_only, path="/health") == 120
    assert request_count({}) is None
