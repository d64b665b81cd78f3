""".env.example documents every variable the services read, with safe placeholders, and .env
stays out of git."""

from __future__ import annotations

import re
import subprocess

import pytest

from .conftest import REPO, SECRET_NAME, compose_interpolated_names, read_env_names


def example() -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate((REPO / ".env.example").read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f".env.example:{number}: not NAME=value: {line!r}"
        assert name not in values, f".env.example:{number}: {name} twice"
        values[name] = value
    return values


@pytest.fixture(scope="module")
def names_read() -> set[str]:
    return read_env_names()


def test_every_variable_the_services_read_is_documented(names_read: set[str]) -> None:
    missing = sorted(names_read - set(example()))
    assert not missing, f".env.example lacks {', '.join(missing)}"


def test_every_variable_compose_takes_from_env_is_documented() -> None:
    missing = sorted(compose_interpolated_names() - set(example()))
    assert not missing, f"docker-compose.yml interpolates {', '.join(missing)}, which .env.example does not list"


def test_every_documented_variable_is_read_by_something(names_read: set[str]) -> None:
    unused = sorted(set(example()) - names_read - compose_interpolated_names())
    assert not unused, f".env.example lists {', '.join(unused)}, which no service and no compose entry reads"


def test_secret_values_are_empty_or_obvious_placeholders() -> None:
    for name, value in example().items():
        if SECRET_NAME.search(name):
            assert value == "" or "change-me" in value, f".env.example: {name} must be empty or a change-me placeholder"


def test_jwt_rotation_is_explained() -> None:
    text = (REPO / ".env.example").read_text()
    comment = text[: text.index("\nJWT_SECRET=")]
    assert "JWT_SECRET_PREVIOUS" in comment and "rotat" in comment.lower()


def _ignored(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO).returncode == 0


def test_dot_env_is_git_ignored_and_the_example_is_not() -> None:
    for name in (".env", ".env.production", ".env.local"):
        assert _ignored(name), f"{name} is not git-ignored"
    assert not _ignored(".env.example")
