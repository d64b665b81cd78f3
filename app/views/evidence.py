"""Evidence uploads: multipart, streamed to disk in chunks, checked by content, size-capped.

The body is never held in memory: each chunk is hashed and appended to a temporary file under
EVIDENCE_DIR/.tmp, which is renamed into place only when the upload is complete and acceptable
(rename within one filesystem is atomic, so a reader never sees half a file). The storage key is
chosen by the server; the client's filename is kept, sanitised, as data only.

Type: the first bytes decide (magic numbers, via `filetype`), never the client's content type.
Size: reading stops at Settings.evidence_max_bytes + 1 and the partial file is deleted (413).
Completeness: the file part must end at its boundary and the body at its closing boundary; a
cut-off or truncated body is a 400 and nothing of it is kept (no file, no row).
Time: reads are under the body deadline (app.timeouts); a body that stalls is a 408.
Writes go straight to the page cache in 64 KiB chunks (tens of microseconds each), cheaper than
a thread hop per chunk.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
import psycopg
from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from .. import db
from ..errors import NotFound, PayloadTooLarge, UnsupportedMedia, ValidationFailed
from ..schemas import EvidenceStored
from ..state import SETTINGS
from ..timeouts import BodyClock
from .common import body_clock, current_agent_id, json_response, path_int

ACCEPTED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"})
FILE_FIELD = "file"
CHUNK_BYTES = 64 * 1024
SNIFF_BYTES = 261  # what filetype reads to decide
MULTIPART_OVERHEAD_BYTES = 16 * 1024  # boundaries and part headers around the file itself
TMP_DIR_NAME = ".tmp"


@dataclass(frozen=True)
class StoredFile:
    id: uuid.UUID
    storage_key: str
    size_bytes: int
    sha256: str
    content_type: str


def sanitise_filename(raw: str | None) -> str:
    """The last path component, reduced to safe characters; never used as a path."""
    name = unicodedata.normalize("NFKC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._ -]", "_", name).strip(" .")
    return name[:200] or "upload"


def sniff(head: bytes) -> tuple[str, str]:
    """(mime type, extension) of an accepted file, judged by its first bytes; else 415."""
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        found = kind.mime if kind is not None else "unknown"
        raise UnsupportedMedia(
            f"only JPEG, PNG, WebP, GIF and PDF are accepted; the content looks like {found}",
            details={"field": FILE_FIELD, "detected": found, "accepted": sorted(ACCEPTED_TYPES)},
        )
    return kind.mime, kind.extension


def _malformed(reason: str) -> ValidationFailed:
    return ValidationFailed.one("body", f"malformed multipart body: {reason}")


async def _read_chunk(part: BodyPartReader, clock: BodyClock) -> bytes:
    try:
        chunk = await clock.read(part.read_chunk(CHUNK_BYTES))
    except ValueError as exc:  # e.g. "Reading after EOF": the body ended inside the part
        raise _malformed(f"the file part is cut off ({exc})") from None
    clock.received(len(chunk))
    return chunk


async def stream_to_disk(part: BodyPartReader, root: Path, max_bytes: int, clock: BodyClock) -> StoredFile:
    file_id = uuid.uuid4()
    tmp_path = root / TMP_DIR_NAME / f"{file_id.hex}.part"
    digest = hashlib.sha256()
    head = bytearray()
    detected: tuple[str, str] | None = None
    size = 0
    try:
        with open(tmp_path, "xb") as out:
            while chunk := await _read_chunk(part, clock):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        f"the file exceeds {max_bytes} bytes", details={"field": FILE_FIELD, "limitBytes": max_bytes}
                    )
                if detected is None and len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        detected = sniff(bytes(head))  # refuse early, before storing megabytes
                digest.update(chunk)
                out.write(chunk)
        if not part.at_eof():  # the body ended before the part's boundary: a truncated upload
            raise _malformed("the file part is cut off before its closing boundary")
        if size == 0:
            raise ValidationFailed.one(FILE_FIELD, "the file is empty")
        mime, extension = detected or sniff(bytes(head))
        storage_key = f"{file_id.hex[:2]}/{file_id.hex}.{extension}"
        final_path = root / storage_key
        final_path.parent.mkdir(exist_ok=True)
        os.replace(tmp_path, final_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return StoredFile(file_id, storage_key, size, digest.hexdigest(), mime)


async def _file_part(request: web.Request, clock: BodyClock) -> tuple[MultipartReader, BodyPartReader]:
    if request.content_type != "multipart/form-data":
        raise UnsupportedMedia(
            "the body must be multipart/form-data with a `file` part",
            details={"field": "Content-Type", "received": request.content_type},
        )
    try:
        reader = await request.multipart()
        part = await clock.read(reader.next())
    except (ValueError, AssertionError, RuntimeError) as exc:
        raise _malformed(str(exc)) from None
    except HttpProcessingError:  # a part header with a NUL byte, or longer than aiohttp reads (8 KiB)
        raise _malformed("a part header is invalid or too long") from None
    if not isinstance(part, BodyPartReader) or part.name != FILE_FIELD:
        name = getattr(part, "name", None)
        raise ValidationFailed.one(name or FILE_FIELD, f"the first part must be the `{FILE_FIELD}` file")
    return reader, part


async def _expect_closing_boundary(reader: MultipartReader, clock: BodyClock) -> None:
    """The body must end with `--boundary--` right after the file: else it was cut off (or
    carries parts nobody reads), and the upload is not stored."""
    try:
        following = await clock.read(reader.next())
    except (ValueError, AssertionError, RuntimeError, HttpProcessingError):
        following = None
        complete = False
    else:
        complete = reader.at_eof()
    if following is not None:
        raise ValidationFailed.one("body", f"only one part, `{FILE_FIELD}`, is accepted")
    if not complete:
        raise _malformed("the body ends without its closing boundary")


_INSERT = """
INSERT INTO evidence (id, mission_id, agent_id, filename, content_type, size_bytes, sha256, storage_key)
VALUES (%(id)s, %(mission_id)s, %(agent_id)s, %(filename)s, %(content_type)s, %(size_bytes)s,
        %(sha256)s, %(storage_key)s)
"""


async def upload_evidence(request: web.Request) -> web.Response:
    agent_id = current_agent_id(request)
    mission_id = path_int(request, "id")
    settings = request.app[SETTINGS]
    declared = request.content_length
    if declared is not None and declared > settings.evidence_max_bytes + MULTIPART_OVERHEAD_BYTES:
        raise PayloadTooLarge(
            f"the upload is {declared} bytes; files are limited to {settings.evidence_max_bytes}",
            details={"field": FILE_FIELD, "limitBytes": settings.evidence_max_bytes},
        )
    async with db.connection(request.app) as conn:
        found = await (await conn.execute("SELECT 1 FROM missions WHERE id = %s", (mission_id,))).fetchone()
    if found is None:
        raise NotFound(f"no mission with id {mission_id}", details={"id": mission_id})
    clock = body_clock(request)
    reader, part = await _file_part(request, clock)
    filename = sanitise_filename(part.filename)
    stored = await stream_to_disk(part, settings.evidence_dir, settings.evidence_max_bytes, clock)
    try:
        await _expect_closing_boundary(reader, clock)
        async with db.connection(request.app) as conn:
            await conn.execute(_INSERT, {
                "id": stored.id, "mission_id": mission_id, "agent_id": agent_id, "filename": filename,
                "content_type": stored.content_type, "size_bytes": stored.size_bytes,
                "sha256": stored.sha256, "storage_key": stored.storage_key,
            })
    except BaseException as exc:
        (settings.evidence_dir / stored.storage_key).unlink(missing_ok=True)
        if isinstance(exc, psycopg.errors.ForeignKeyViolation):
            raise NotFound(f"no mission with id {mission_id}", details={"id": mission_id}) from None
        raise
    return json_response(
        EvidenceStored(
            id=stored.id, mission_id=mission_id, size_bytes=stored.size_bytes, sha256=stored.sha256,
            content_type=stored.content_type, filename=filename,
        ),
        status=201,
    )


def prepare_evidence_dir(root: Path) -> None:
    (root / TMP_DIR_NAME).mkdir(parents=True, exist_ok=True)
