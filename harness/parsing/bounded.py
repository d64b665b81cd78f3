"""Reading untrusted files within bounds: size (after decompression), nesting depth, YAML aliases,
non-finite numbers. The limits are in `harness.parsing.limits`.

Every refusal is a `BoundsError` (a ValueError) with a one-line message that does not name the
file: each caller prefixes its own path and raises its own `InputError` (`harness.parsing` and
`harness.errors` share the bottom layer, so this module may not import the errors).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import yaml

from harness.parsing.limits import GZIP_RATIO_AFTER, MAX_GZIP_RATIO, MAX_NDJSON_LINE_BYTES, MAX_NESTING, MIB

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 * MIB
# A string, or an unclosed one to the end of the text: without `|\Z` an unclosed string would be
# rescanned from every later quote (quadratic: a 60 KB line took 5 s).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)', re.S)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_CHUNK = 4 * MIB


class BoundsError(ValueError):
    """Input over a bound, or of a kind we refuse (YAML aliases, NaN): one line, no file name."""


def size_text(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // 1024} KiB"


def is_gzip(path: Path) -> bool:
    with path.open("rb") as probe:
        return probe.read(2) == GZIP_MAGIC


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read from it (the compressed side of a gzip stream)."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(memoryview(buffer)))
        memoryview(buffer)[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Capped(io.RawIOBase):
    """A binary stream that refuses to yield more than `limit` bytes, or (when it decompresses
    `compressed`) more than `MAX_GZIP_RATIO` times what it has read of it: a gzip bomb stops at a
    few MiB, not at the size limit."""

    def __init__(self, inner: IO[bytes], limit: int, compressed: _Counting | None) -> None:
        self._inner = inner
        self._limit = limit
        self._compressed = compressed
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        data = self._inner.read(min(len(view), self._limit + 1 - self.consumed))
        self.consumed += len(data)
        if self.consumed > self._limit:
            where = "once decompressed" if self._compressed is not None else "(the limit for this file)"
            raise BoundsError(f"is larger than {size_text(self._limit)} {where}")
        packed = self._compressed
        if packed is not None and self.consumed > GZIP_RATIO_AFTER and self.consumed > MAX_GZIP_RATIO * packed.count:
            raise BoundsError(f"expands more than {MAX_GZIP_RATIO}-fold when decompressed (a gzip bomb?)")
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_capped(path: Path, limit: int) -> io.BufferedReader:
    """`path` as a binary stream, gunzipped when it is gzip, that raises `BoundsError` once more
    than `limit` bytes are read (so a gzip bomb is refused early, in bounded memory)."""
    if not is_gzip(path):
        return io.BufferedReader(_Capped(path.open("rb"), limit, None), _CHUNK)
    counting = _Counting(path.open("rb"))
    unpacked = gzip.GzipFile(fileobj=counting, mode="rb")  # unbuffered: gzip reads 128 KiB at a time
    return io.BufferedReader(_CappedGzip(unpacked, limit, counting), _CHUNK)


class _CappedGzip(_Capped):
    """`_Capped` that also closes the file under the gzip stream (GzipFile leaves a given one open)."""

    def __init__(self, inner: gzip.GzipFile, limit: int, counting: _Counting) -> None:
        super().__init__(inner, limit, counting)
        self._counting = counting

    def close(self) -> None:
        super().close()
        self._counting.close()


def read_capped(path: Path, limit: int) -> bytes:
    """The whole content of `path` (gunzipped when gzip), refused past `limit` bytes."""
    if not is_gzip(path) and os.stat(path).st_size > limit:
        raise BoundsError(f"is larger than {size_text(limit)} (the limit for this file)")
    with open_capped(path, limit) as stream:
        return stream.read()


def capped_lines(stream: IO[bytes], *, first_number: int = 1, max_line: int = MAX_NDJSON_LINE_BYTES) -> Iterator[str]:
    """Lines of a capped stream as text, each refused past `max_line` bytes."""
    number = first_number
    while True:
        line = stream.readline(max_line + 1)
        if not line:
            return
        if len(line) > max_line:
            raise BoundsError(f"line {number} is longer than {size_text(max_line)}")
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BoundsError(f"line {number} is not UTF-8 ({error.reason})") from None
        number += 1


def json_depth(data: bytes) -> int:
    """The deepest nesting of `[`/`{` in JSON text, brackets inside strings ignored; unbalanced
    text (a truncated file) is measured as far as it goes. C speed: ~0.3 s for 100 MB."""
    import numpy as np

    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    deepest, level = 0, 0
    for start in range(0, len(brackets), _DEPTH_CHUNK):
        codes = np.frombuffer(brackets, dtype=np.uint8, count=min(_DEPTH_CHUNK, len(brackets) - start), offset=start)
        steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int64)
        levels = np.cumsum(steps) + level
        deepest = max(deepest, int(levels.max()))
        level = int(levels[-1])
    return deepest


def _refuse_constant(name: str) -> float:
    raise BoundsError(f"holds {name}, which is not a finite number")


def loads_json(data: bytes | str, *, max_depth: int = MAX_NESTING, finite: bool = True) -> Any:
    """`json.loads` with nesting capped at `max_depth` (checked before parsing: Python's parser
    recurses and would raise RecursionError) and, when `finite`, NaN/Infinity refused. A syntax
    error is still a `json.JSONDecodeError` (and bad UTF-8 a `UnicodeDecodeError`), so callers
    can tell a truncated file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    # Fewer brackets than the limit cannot nest past it: a k6 or data line skips the scan.
    few = raw.count(b"[") + raw.count(b"{") <= max_depth
    depth = 0 if few else json_depth(raw)
    if depth > max_depth:
        raise BoundsError(f"is nested {depth} levels deep; the limit is {max_depth}")
    try:
        return json.loads(raw, parse_constant=_refuse_constant) if finite else json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, BoundsError):
        raise
    except (ValueError, RecursionError) as error:  # an integer of over 4300 digits, ...
        raise BoundsError(f"holds a value that cannot be read ({' '.join(str(error).split())})") from None


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader refusing anchors and aliases (an alias bomb expands a 10-line file into
    gigabytes) and nesting deeper than `max_depth` (the composer recurses)."""

    max_depth = MAX_NESTING

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise BoundsError(f"line {line}: YAML aliases (*{event.anchor}) are not allowed")
        if getattr(event, "anchor", None):
            raise BoundsError(f"line {line}: YAML anchors (&{event.anchor}) are not allowed")
        self._depth += 1
        if self._depth > self.max_depth:
            raise BoundsError(f"line {line}: is nested more than {self.max_depth} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def loads_yaml(text: str, *, max_bytes: int) -> Any:
    """One YAML document, bounded: size, no anchors/aliases, nesting depth. A syntax error is
    still a `yaml.YAMLError`."""
    if len(text) > max_bytes and len(text.encode("utf-8")) > max_bytes:
        raise BoundsError(f"is larger than {size_text(max_bytes)} (the limit for this file)")
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except (yaml.YAMLError, BoundsError):
        raise
    except (ValueError, OverflowError) as error:  # an integer of over 4300 digits, a date out of range
        raise BoundsError(f"holds a value that cannot be read ({' '.join(str(error).split())})") from None
    finally:
        loader.dispose()


def read_yaml(path: Path, *, max_bytes: int) -> tuple[bytes, Any]:
    """The bytes of a YAML file (for its hash) and its document; `BoundsError` past the bounds,
    `OSError`, `UnicodeDecodeError` or `yaml.YAMLError` as reading or parsing fails."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise BoundsError(f"is larger than {size_text(max_bytes)} (the limit for this file)")
    return data, loads_yaml(data.decode("utf-8"), max_bytes=max_bytes)
