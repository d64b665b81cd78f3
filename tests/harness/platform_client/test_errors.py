"""Failures become the harness's errors: one line, naming the method and the URL, and never a
key, a password or a URL's credentials."""

from __future__ import annotations

import asyncio
import re

import pytest

from harness.errors import EXIT_INPUT, TargetError
from harness.platform_client import (
    AsyncPlatformClient,
    PlatformClient,
    PlatformDisconnected,
    PlatformError,
    PlatformTimeout,
    PlatformUnreachable,
    Reply,
)

API_KEY = "bw_live_0123456789abcdefSECRET"
PASSWORD = "hunter2-correct-horse-SECRET"  # a deliberate fake  secret-scan: allow


def assert_clean(error: BaseException) -> None:
    """One line; no secret in the message, the repr or anything chained to it."""
    texts = [str(error), repr(error), str(error.__cause__), str(error.__context__)]
    assert "\n" not in str(error)
    for text in texts:
        assert API_KEY not in text and PASSWORD not in text and "SECRET" not in text


def test_a_refused_port_is_a_target_error_naming_the_url(refused_url: str) -> None:
    with PlatformClient(refused_url) as client, pytest.raises(PlatformUnreachable) as caught:
        client.heartbeat(api_key=API_KEY)
    error = caught.value
    assert isinstance(error, TargetError) and isinstance(error, OSError) and error.exit_code == EXIT_INPUT
    port = refused_url.rsplit(":", 1)[1]
    expected = rf"POST {refused_url}/api/v1/agents/heartbeat: cannot connect to 127\.0\.0\.1:{port} \(.*refused.*\)"
    assert re.fullmatch(expected, str(error), flags=re.IGNORECASE), str(error)
    assert (error.method, error.url) == ("POST", f"{refused_url}/api/v1/agents/heartbeat")
    assert_clean(error)


def test_no_answer_in_time_is_a_timeout_saying_how_long(silent_url: str) -> None:
    with PlatformClient(silent_url, read_timeout_s=0.3) as client, pytest.raises(PlatformTimeout) as caught:
        client.login(email="someone@example.org", password=PASSWORD)
    assert str(caught.value) == f"POST {silent_url}/api/v1/auth/login: no answer within 0.3 s"
    assert isinstance(caught.value, TargetError)
    assert_clean(caught.value)


def test_a_connection_closed_without_an_answer_is_a_disconnect(closing_url: str) -> None:
    with PlatformClient(closing_url) as client, pytest.raises(PlatformDisconnected) as caught:
        client.heartbeat(api_key=API_KEY)
    assert str(caught.value) == (f"POST {closing_url}/api/v1/agents/heartbeat: the connection broke before the "
                                 "answer was complete (RemoteProtocolError)")
    assert_clean(caught.value)


def test_the_async_client_raises_the_same_errors(refused_url: str, silent_url: str) -> None:
    async def calls() -> list[PlatformError]:
        errors = []
        async with (AsyncPlatformClient(refused_url) as refused,
                    AsyncPlatformClient(silent_url, read_timeout_s=0.3) as silent):
            for call in (refused.heartbeat(api_key=API_KEY), silent.create_problem({"title": "t"}, api_key=API_KEY)):
                try:
                    await call
                except PlatformError as error:
                    errors.append(error)
        return errors

    unreachable, timeout = asyncio.run(calls())
    assert isinstance(unreachable, PlatformUnreachable) and str(unreachable).startswith(f"POST {refused_url}/api/v1/")
    assert str(timeout) == f"POST {silent_url}/api/v1/problems: no answer within 0.3 s"
    assert_clean(unreachable)
    assert_clean(timeout)


def test_credentials_in_a_url_are_never_shown(refused_url: str) -> None:
    with_credentials = refused_url.replace("http://", f"http://admin:{PASSWORD}@")  # secret-scan: allow
    with PlatformClient(with_credentials) as client, pytest.raises(PlatformUnreachable) as caught:
        client.health()
    assert str(caught.value).startswith(f"GET {refused_url.replace('http://', 'http://***@')}/health: ")
    assert caught.value.url == refused_url.replace("http://", "http://***@") + "/health"
    assert PASSWORD not in repr(client)
    assert_clean(caught.value)


def test_a_base_url_that_is_not_http_is_a_target_error() -> None:
    for url, reason in (("localhost:4000", "is not an http(s) URL"), ("ftp://127.0.0.1", "is not an http(s) URL"),
                        ("http://127.0.0.1:port", "has an invalid port")):
        with pytest.raises(PlatformError, match=re.escape(f"platform URL {url!r} {reason}")):
            PlatformClient(url)


def test_a_replys_repr_leaves_out_its_text_and_headers() -> None:
    reply = Reply(method="POST", url="http://127.0.0.1:4000/api/v1/auth/agents/register", status=201,
                  headers={"Set-Cookie": PASSWORD}, text=f'{{"apiKey": "{API_KEY}"}}')
    assert reply.json_object() == {"apiKey": API_KEY}
    assert API_KEY not in repr(reply) and PASSWORD not in repr(reply)
    assert Reply(method="GET", url="u", status=200, headers={}, text="# HELP x\n").body == "# HELP x\n"
