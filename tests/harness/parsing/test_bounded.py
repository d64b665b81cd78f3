"""The bounded readers themselves: depth measured right, sizes capped while streaming, YAML
anchors and aliases refused, non-finite numbers refused."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from harness.parsing.bounded import (
    BoundsError,
    capped_lines,
    json_depth,
    loads_json,
    loads_yaml,
    open_capped,
    read_capped,
    read_yaml,
)
from harness.parsing.fields import Fields, Problems


@pytest.mark.parametrize(("text", "depth"), [
    (b"1", 0),
    (b"{}", 1),
    (b'{"a": [1, {"b": []}]}', 4),
    (b'{"a": "[[[{{{", "b": "\\"[[["}', 1),  # brackets in strings, escaped quotes
    (b'{"a": "\\\\", "b": [[]]}', 3),  # an escaped backslash ends the string
    (b'{"a": [[', 3),  # truncated: as deep as it goes
])
def test_json_depth(text: bytes, depth: int) -> None:
    assert json_depth(text) == depth


def test_deep_json_is_refused_before_parsing() -> None:
    with pytest.raises(BoundsError, match="nested 65 levels deep; the limit is 64"):
        loads_json("[" * 65 + "]" * 65)
    assert loads_json("[" * 64 + "]" * 64) is not None


def test_non_finite_and_huge_numbers_are_refused() -> None:
    for text in ('{"a": NaN}', "[Infinity]", "-Infinity"):
        with pytest.raises(BoundsError, match="not a finite number"):
            loads_json(text)
    assert loads_json('{"a": NaN}', finite=False)["a"] != 0
    with pytest.raises(BoundsError, match="4300 digits"):
        loads_json("9" * 5000)
    with pytest.raises(json.JSONDecodeError):
        loads_json('{"a": ')


def test_yaml_anchors_aliases_and_depth() -> None:
    assert loads_yaml("a: [1, {b: 2}]\n", max_bytes=100) == {"a": [1, {"b": 2}]}
    with pytest.raises(BoundsError, match=r"line 2: YAML anchors \(&x\) are not allowed"):
        loads_yaml("a: 1\nb: &x 2\n", max_bytes=100)
    with pytest.raises(BoundsError, match="line 1: is nested more than 64 levels deep"):
        loads_yaml("[" * 65 + "]" * 65, max_bytes=1000)
    with pytest.raises(BoundsError, match="larger than 1 KiB"):
        loads_yaml("a: " + "x" * 1024, max_bytes=1024)


def test_read_yaml_reads_no_more_than_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(1 << 40)  # sparse terabyte: read only up to the cap
    with pytest.raises(BoundsError, match="larger than 1 MiB"):
        read_yaml(big, max_bytes=1 << 20)


def test_plain_and_gzip_files_are_capped(tmp_path: Path) -> None:
    plain = tmp_path / "a.json"
    plain.write_bytes(b"x" * 2000)
    packed = tmp_path / "a.json.gz"
    packed.write_bytes(gzip.compress(os.urandom(3000)))  # incompressible: only the size cap can stop it
    assert len(read_capped(plain, 2000)) == 2000 and len(read_capped(packed, 3000)) == 3000
    with pytest.raises(BoundsError, match=r"larger than 1 KiB \(the limit for this file\)"):
        read_capped(plain, 1024)
    with pytest.raises(BoundsError, match="larger than 2 KiB once decompressed"):
        read_capped(packed, 2048)


def test_a_gzip_bomb_stops_at_the_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (64 << 20)))
    with open_capped(bomb, 1 << 30) as stream, pytest.raises(BoundsError, match="expands more than 200-fold"):
        while stream.read(1 << 20):
            pass


def test_lines_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "k6.json"
    path.write_bytes(b"short\n" + b"y" * 300 + b"\n")
    with open_capped(path, 1 << 20) as stream:
        lines = capped_lines(stream, max_line=100)
        assert next(lines) == "short\n"
        with pytest.raises(BoundsError, match="line 2 is longer than"):
            next(lines)


def test_fields_refuse_non_finite_numbers_and_long_durations() -> None:
    problems = Problems()
    fields = Fields({"rate": float("inf"), "n": float("nan"), "d": "25h", "ok": "24h"}, "s", problems)
    assert fields.number("rate", gt=0) is None and fields.number("n") is None
    assert fields.duration_s("d") is None and fields.duration_s("ok") == 86400.0
    assert problems.items == ["s.rate must be a finite number, but is inf", "s.n must be a finite number, but is nan",
                              "s.d must be at most 24h, but is 25h"]


def test_numbers_beyond_a_float_are_refused_not_raised() -> None:
    problems = Problems()
    assert Fields({"vus": 10**400}, "s", problems).number("vus", integer=True) is None
    assert problems.items == ["s.vus must be a finite number, but is 10000000... (401 digits)"]
    with pytest.raises(BoundsError, match="4300 digits"):
        loads_yaml("vus: " + "9" * 5000, max_bytes=1 << 20)


def test_an_unclosed_string_full_of_escaped_quotes_is_measured_in_linear_time() -> None:
    """A hostile line: the string regex once rescanned an unclosed string from every later quote
    (50k escapes took ~30 s); now one pass. The bound is 15x the linear time, a 15th of the old."""
    import time

    from harness.parsing.bounded import json_depth

    text = b"[" * 70 + b'"' + b'\\"' * 50_000
    started = time.process_time()
    assert json_depth(text) == 70
    assert time.process_time() - started < 2.0
