"""Evidence uploads are judged by their bytes and stored under names the server chooses: a PNG
called .exe is a PNG, an executable called .png is refused (415), and no client-supplied file
name can reach outside the storage folder."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import psycopg
import pytest

from harness.faults.lab import FaultLab, PlatformProcess

from .client import Answer, bearer, call, new_agent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 400
EXECUTABLES = {
    "ELF binary": b"\x7fELF\x02\x01\x01" + b"\x00" * 400,
    "Windows PE": b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 400,
    "shell script": b"#!/bin/sh\nrm -rf / --no-preserve-root\n" + b"#" * 400,
    "HTML with script": b"<html><script>alert(1)</script></html>" + b" " * 400,
}
HOSTILE_NAMES = [
    "../../etc/passwd", "/etc/passwd", "..\\..\\windows\\system32\\cmd.exe", "evil.png\x00.exe",
    "a" * 10_000 + ".png", "%2e%2e%2fetc%2fpasswd", "..", ".", "", "\u202egnp.exe", "con", "fichier é.png",
    "./.hidden", "x/../../../../tmp/escape.png",
]


def _multipart(content: bytes, disposition_name: bytes) -> tuple[bytes, str]:
    boundary = "sec" + secrets.token_hex(8)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; ".encode() + disposition_name
            + b"\r\nContent-Type: image/png\r\n\r\n" + content + f"\r\n--{boundary}--\r\n".encode())
    return body, boundary


def _upload(api: PlatformProcess, key: str, mission: int, content: bytes, name: bytes) -> Answer:
    body, boundary = _multipart(content, name)
    return call("POST", f"{api.url}/api/v1/missions/{mission}/evidence", raw=body,
                headers={**bearer(key), "Content-Type": f"multipart/form-data; boundary={boundary}"})


def _stored_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts}


@pytest.fixture(scope="module")
def uploader(api: PlatformProcess, security_lab: FaultLab) -> tuple[str, int, Path]:
    _, key = new_agent(api.url)
    with psycopg.connect(security_lab.database_url, autocommit=True) as conn:
        (mission,) = conn.execute("INSERT INTO missions (title, description, domain, latitude, longitude) "
                                  "VALUES ('uploads', 'd', 'water', 1, 2) RETURNING id").fetchone()
    return key, int(mission), security_lab.home / "evidence"


def test_a_png_named_exe_is_stored_as_png_under_a_server_chosen_name(api: PlatformProcess, security_lab: FaultLab,
                                                                      uploader: tuple[str, int, Path]) -> None:
    key, mission, root = uploader
    answer = _upload(api, key, mission, PNG, b'filename="invoice.exe"')
    assert answer.status == 201, answer.text
    assert answer.body["contentType"] == "image/png" and answer.body["filename"] == "invoice.exe"
    with psycopg.connect(security_lab.database_url) as conn:
        (storage_key,) = conn.execute("SELECT storage_key FROM evidence WHERE id = %s", (answer.body["id"],)).fetchone()
    assert storage_key == f"{answer.body['id'].replace('-', '')[:2]}/{answer.body['id'].replace('-', '')}.png"
    assert (root / storage_key).read_bytes() == PNG and "invoice" not in storage_key


@pytest.mark.parametrize("kind", EXECUTABLES)
def test_an_executable_named_png_is_refused_and_nothing_is_kept(api: PlatformProcess, uploader: tuple[str, int, Path],
                                                                 kind: str) -> None:
    key, mission, root = uploader
    before = _stored_files(root)
    answer = _upload(api, key, mission, EXECUTABLES[kind], b'filename="photo.png"')
    assert answer.status == 415, answer.text
    assert answer.body["error"] == "unsupported_media_type"
    assert _stored_files(root) == before and list((root / ".tmp").iterdir()) == []


def _etc_passwd_digest() -> str:
    return hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: repr(n[:30]))
def test_no_file_name_escapes_the_storage_folder(api: PlatformProcess, security_lab: FaultLab,
                                                 uploader: tuple[str, int, Path], name: str) -> None:
    key, mission, root = uploader
    passwd = _etc_passwd_digest()
    outside_before = {p for p in security_lab.home.rglob("*") if p.is_file() and root not in p.parents}
    before = _stored_files(root)
    for disposition in (b'filename="' + name.encode("utf-8", "surrogateescape") + b'"',
                        b"filename*=UTF-8''" + "".join(f"%{b:02X}" for b in name.encode()).encode()):
        answer = _upload(api, key, mission, PNG, disposition)
        assert answer.status in (201, 400), f"{answer.status} {answer.text[:300]}"
        if answer.status == 201:
            stored = answer.body["filename"]
            assert "/" not in stored and "\\" not in stored and "\x00" not in stored
            assert not stored.startswith(".") and 0 < len(stored) <= 200
    after = _stored_files(root)
    assert all(root.resolve() in p.resolve().parents for p in after)
    assert all(p.suffix == ".png" and len(p.stem) == 32 for p in after - before), after - before
    assert {p for p in security_lab.home.rglob("*") if p.is_file() and root not in p.parents} - outside_before == set()
    assert _etc_passwd_digest() == passwd and not Path("/tmp/escape.png").exists()


@pytest.mark.parametrize("disposition", [b'filename="evil.png\x00.exe"', b'filename="' + b"a" * 10_000 + b'.png"'],
                         ids=["NUL in the part header", "part header over 8 KiB"])
def test_a_part_header_the_parser_refuses_is_a_400_not_a_500(api: PlatformProcess, uploader: tuple[str, int, Path],
                                                             disposition: bytes) -> None:
    # Regression: aiohttp raises InvalidHeader / LineTooLong (HttpProcessingError), which the
    # evidence view did not catch: the upload answered 500.
    key, mission, _ = uploader
    answer = _upload(api, key, mission, PNG, disposition)
    assert answer.status == 400, answer.text
    assert answer.body["error"] == "validation_failed" and answer.body["details"]["fields"][0]["field"] == "body"
