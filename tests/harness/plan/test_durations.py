import pytest

from harness.parsing.durations import DurationSyntaxError, format_duration, parse_duration_s


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("1m30s", 90.0), ("500ms", 0.5), ("1h", 3600.0), ("2.5s", 2.5), ("1h2m3s", 3723.0),
     ("250us", 0.00025), ("1d", 86400.0), ("0", 0.0), (1500, 1.5)],
)
def test_parses_k6_durations(text, seconds):
    assert parse_duration_s(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["30", "1x", "s", "-1s", "1 m", "", "1m30", True, None, [1]])
def test_rejects_what_k6_rejects(text):
    with pytest.raises(DurationSyntaxError):
        parse_duration_s(text)


@pytest.mark.parametrize(("seconds", "text"), [(90.0, "1m30s"), (0.5, "500ms"), (3600.0, "1h"), (0.0, "0ms"), (5.25, "5.25s")])
def test_formats_like_k6(seconds, text):
    assert format_duration(seconds) == text
