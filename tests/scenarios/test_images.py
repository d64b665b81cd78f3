"""Upload images are real PNGs of the asked size (the API checks the magic bytes)."""

from __future__ import annotations

import struct
import zlib

import filetype
import pytest

from scenarios.images import (
    PNG_SIGNATURE,
    multipart_content_type,
    multipart_file_body,
    png_image,
    png_of_size,
)


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png.startswith(PNG_SIGNATURE)
    out, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF, kind
        out.append((kind, data))
        at += 12 + length
    return out


def test_a_png_is_well_formed_and_decodes_to_its_pixels() -> None:
    png = png_image(width_px=7, height_px=5, seed=3)
    parts = chunks(png)
    assert [k for k, _ in parts] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", parts[0][1])
    assert (width, height, depth, colour) == (7, 5, 8, 2)
    raw = zlib.decompress(parts[1][1])
    assert len(raw) == 5 * (1 + 7 * 3) and all(raw[row * 22] == 0 for row in range(5))
    assert filetype.guess(png).mime == "image/png"
    assert png_image(width_px=7, height_px=5, seed=3) == png != png_image(width_px=7, height_px=5, seed=4)


def test_a_5_mb_image_is_about_5_mb() -> None:
    size = 5 * 1024 * 1024
    png = png_of_size(size, seed=1)
    assert size <= len(png) < size + 4 * 1024
    assert filetype.guess(png[:261]).mime == "image/png"


def test_sizes_and_dimensions_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1024"):
        png_of_size(10, seed=0)
    with pytest.raises(ValueError, match="1x1"):
        png_image(width_px=0, height_px=1, seed=0)


def test_the_multipart_body_carries_the_file_intact() -> None:
    from email.parser import BytesParser
    from email.policy import HTTP

    payload = png_image(width_px=3, height_px=3, seed=9)
    body = multipart_file_body(payload, filename="e.png", content_type="image/png", boundary="b0und")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {multipart_content_type('b0und')}\r\n\r\n".encode() + body)
    (part,) = list(message.iter_parts())
    assert part.get_param("name", header="content-disposition") == "file"
    assert part.get_filename() == "e.png" and part.get_content_type() == "image/png"
    assert part.get_payload(decode=True) == payload
