"""Real images for upload scenarios, and the multipart body that carries one.

The API decides an upload's type by its first bytes, so an upload must be a real image: these are
valid PNGs (signature, IHDR, IDAT, IEND with their CRCs) of 8-bit RGB noise, stored with zlib
level 0 so that the file is as large as asked (noise does not compress anyway, like a photo).
"""

from __future__ import annotations

import math
import random
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_WIDTH_PX = 1024
BYTES_PER_PIXEL = 3  # 8-bit RGB
MULTIPART_FIELD = "file"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_image(*, width_px: int, height_px: int, seed: int) -> bytes:
    """A valid RGB PNG of random pixels (reproducible for a seed)."""
    if width_px < 1 or height_px < 1:
        raise ValueError(f"an image needs at least 1x1 pixels, but is {width_px}x{height_px}")
    rng = random.Random(seed)
    row_bytes = width_px * BYTES_PER_PIXEL
    # Each scanline: filter type 0 (None), then the row's pixels.
    raw = b"".join(b"\x00" + rng.randbytes(row_bytes) for _ in range(height_px))
    header = struct.pack(">IIBBBBB", width_px, height_px, 8, 2, 0, 0, 0)  # 8 bit, truecolour
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 0)) + _chunk(b"IEND", b"")


def png_of_size(size_bytes: int, *, seed: int) -> bytes:
    """A PNG of about `size_bytes` (within one scanline, ~3 KiB, above it)."""
    if size_bytes < 1024:
        raise ValueError(f"size_bytes must be at least 1024, but is {size_bytes}")
    height_px = math.ceil(size_bytes / (1 + PNG_WIDTH_PX * BYTES_PER_PIXEL))
    return png_image(width_px=PNG_WIDTH_PX, height_px=height_px, seed=seed)


def multipart_file_body(payload: bytes, *, filename: str, content_type: str, boundary: str) -> bytes:
    """A multipart/form-data body with one file part named `file` (the evidence endpoint's field)."""
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{MULTIPART_FIELD}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + payload + f"\r\n--{boundary}--\r\n".encode()


def multipart_content_type(boundary: str) -> str:
    return f"multipart/form-data; boundary={boundary}"
