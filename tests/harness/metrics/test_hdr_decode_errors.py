"""A corrupt stored histogram is a ValueError for every reader, never hdrh's own exceptions."""

import base64

import pytest

from harness.metrics.hdr import decode, encode, new_histogram


@pytest.mark.parametrize("text", [
    "",
    "not base64 at all!",
    base64.b64encode(b"\x1c\x84\x93\x14" + b"\x00" * 40).decode(),   # a cookie, then junk
    None,
])
def test_corrupt_encodings_raise_value_error(text) -> None:
    if text is None:  # a real encoding cut in half
        histogram = new_histogram()
        for value in range(1, 5000):
            histogram.record_value(value)
        text = encode(histogram)[:40]
    with pytest.raises(ValueError):
        decode(text)
