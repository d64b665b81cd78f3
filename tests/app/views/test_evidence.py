"""Evidence uploads: streamed, checked by content, capped, and never left half-written."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import AsyncIterator

import aiohttp
import psycopg

from tests.app.conftest import agent_headers, insert_missions, register_agent
from tests.app.openapi_check import checked

EVIDENCE = "/api/v1/missions/{id}/evidence"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def multipart(data: bytes, *, filename: str = "photo.png", field: str = "file",
              content_type: str = "image/png") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def chunks(body: bytes, size: int = 32 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def _setup(client, database_url: str) -> tuple[str, str, int]:
    agent_id, key = await register_agent(client)
    (mission_id,) = insert_missions(database_url, [(1.0, 2.0)])
    return agent_id, key, mission_id


async def test_png_is_stored_under_a_server_chosen_key(client, clean_db, tmp_path) -> None:
    agent_id, key, mission_id = await _setup(client, clean_db)
    data = PNG + bytes(range(256)) * 800  # ~200 KB
    body, ctype = multipart(data, filename="../../etc/passwd name?.png")
    resp = await client.post(f"/api/v1/missions/{mission_id}/evidence", data=body,
                             headers={**agent_headers(key), "Content-Type": ctype})
    assert resp.status == 201, await resp.text()
    out = await checked(resp, EVIDENCE)
    assert out["sizeBytes"] == len(data) and out["sha256"] == hashlib.sha256(data).hexdigest()
    assert out["contentType"] == "image/png" and out["filename"] == "passwd name_.png"
    with psycopg.connect(clean_db) as conn:
        storage_key, agent = conn.execute("SELECT storage_key, agent_id FROM evidence WHERE id = %s",
                                          (out["id"],)).fetchone()
    root = tmp_path / "evidence"
    assert (root / storage_key).read_bytes() == data and str(agent) == agent_id
    assert "passwd" not in storage_key and stored_files(root) == [root / storage_key]


async def test_pdf_and_jpeg_are_accepted_whatever_the_client_claims(client, clean_db) -> None:
    _, key, mission_id = await _setup(client, clean_db)
    for data, expected in ((PDF + b"x" * 300, "application/pdf"), (JPEG + b"y" * 300, "image/jpeg")):
        body, ctype = multipart(data, filename="scan.bin", content_type="text/plain")
        resp = await client.post(f"/api/v1/missions/{mission_id}/evidence", data=body,
                                 headers={**agent_headers(key), "Content-Type": ctype})
        assert resp.status == 201
        assert (await checked(resp, EVIDENCE))["contentType"] == expected


async def test_a_non_image_is_415_even_when_labelled_image(client, clean_db, tmp_path) -> None:
    _, key, mission_id = await _setup(client, clean_db)
    for data in (b"#!/bin/sh\nrm -rf /\n" * 50, b"PK\x03\x04" + b"\x00" * 400, b"tiny"):
        body, ctype = multipart(data, filename="cat.png", content_type="image/png")
        resp = await client.post(f"/api/v1/missions/{mission_id}/evidence", data=body,
                                 headers={**agent_headers(key), "Content-Type": ctype})
        assert resp.status == 415
        assert (await checked(resp, EVIDENCE))["error"] == "unsupported_media_type"
    assert stored_files(tmp_path / "evidence") == []


async def test_oversize_streamed_upload_is_413_and_the_partial_file_is_removed(make_client, clean_db, tmp_path) -> None:
    client = await make_client(evidence_max_bytes=100_000)
    _, key, mission_id = await _setup(client, clean_db)
    body, ctype = multipart(PNG + b"\x00" * 400_000)
    # A generator body is sent chunked, without Content-Length: only the streaming check can stop it.
    resp = await client.post(f"/api/v1/missions/{mission_id}/evidence", data=chunks(body),
                             headers={**agent_headers(key), "Content-Type": ctype})
    assert resp.status == 413
    assert (await checked(resp, EVIDENCE))["details"]["limitBytes"] == 100_000
    assert stored_files(tmp_path / "evidence") == []
    exact, ctype = multipart(PNG + b"\x00" * (100_000 - len(PNG)))
    resp = await client.post(f"/api/v1/missions/{mission_id}/evidence", data=chunks(exact),
                             headers={**agent_headers(key), "Content-Type": ctype})
    assert resp.status == 201  # exactly the limit is allowed


async def test_declared_oversize_is_refused_before_reading(make_client, clean_db, tmp_path) -> None:
    client = await make_client(evidence_max_bytes=50_000)
    _, key, mission_id = await _setup(client, clean_db)
    body, ctype = multipart(PNG + b"\x00" * 2_000_000)
    resp = await client.post(f"/api/v1/missions/{mission_id}/evidence", data=body,
                             headers={**agent_headers(key), "Content-Type": ctype})
    assert resp.status == 413
    await checked(resp, EVIDENCE)
    assert stored_files(tmp_path / "evidence") == []


async def test_upload_errors(client, clean_db) -> None:
    _, key, mission_id = await _setup(client, clean_db)
    body, ctype = multipart(PNG)
    url = f"/api/v1/missions/{mission_id}/evidence"
    resp = await client.post(url, data=body, headers={"Content-Type": ctype})
    assert resp.status == 401
    resp = await client.post(f"/api/v1/missions/{mission_id + 99}/evidence", data=body,
                             headers={**agent_headers(key), "Content-Type": ctype})
    assert resp.status == 404 and (await checked(resp, EVIDENCE))["error"] == "not_found"
    resp = await client.post(url, json={"file": "x"}, headers=agent_headers(key))
    assert resp.status == 415
    other, ctype2 = multipart(PNG, field="photo")
    resp = await client.post(url, data=other, headers={**agent_headers(key), "Content-Type": ctype2})
    assert resp.status == 400 and (await checked(resp, EVIDENCE))["details"]["fields"][0]["field"] == "photo"
    resp = await client.post(url, data=b"garbage", headers={**agent_headers(key), "Content-Type": "multipart/form-data"})
    assert resp.status == 400
    empty, ctype3 = multipart(b"")
    resp = await client.post(url, data=empty, headers={**agent_headers(key), "Content-Type": ctype3})
    assert resp.status == 400


async def test_form_data_from_aiohttp_client(client, clean_db) -> None:
    _, key, mission_id = await _setup(client, clean_db)
    form = aiohttp.FormData()
    form.add_field("file", PNG + b"z" * 1000, filename="a.png", content_type="image/png")
    resp = await client.post(f"/api/v1/missions/{mission_id}/evidence", data=form, headers=agent_headers(key))
    assert resp.status == 201
