"""The Dockerfile and .dockerignore, checked without a Docker engine: the base image, a non-root
user, no secret baked in, a HEALTHCHECK on a real route, and a build context (the files that
survive .dockerignore) from which `pip install .` really builds the project."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO, compose

SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|PEPPER|PRIVATE", re.IGNORECASE)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined; comments and blank lines dropped."""
    instructions: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse_dockerfile((REPO / "Dockerfile").read_text())


def test_every_stage_is_python_3_11_slim(dockerfile: list[Instruction]) -> None:
    images = [i.arguments.split()[0] for i in dockerfile if i.keyword == "FROM"]
    assert images and all(image == "python:3.11-slim" for image in images), images


def test_the_image_runs_as_a_non_root_user(dockerfile: list[Instruction]) -> None:
    final = stages(dockerfile)[-1]
    users = [i for i in final if i.keyword == "USER"]
    assert users, "the final stage has no USER: it would run as root"
    user = users[-1].arguments.split(":")[0]
    assert user not in {"root", "0"}, f"USER {user} is root"
    cmd = next(i for i in final if i.keyword == "CMD")
    assert users[-1].line < cmd.line


def test_the_project_is_installed_with_pip_install_dot(dockerfile: list[Instruction]) -> None:
    runs = " ".join(i.arguments for i in dockerfile if i.keyword == "RUN")
    assert re.search(r"pip install (--\S+ )*\.(\s|$)", runs), "no `pip install .` in the Dockerfile"


def test_no_secret_is_baked_into_the_image(dockerfile: list[Instruction]) -> None:
    for instruction in dockerfile:
        if instruction.keyword in {"ENV", "ARG", "LABEL"}:
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*=", instruction.arguments) or instruction.arguments.split()[:1]
            for name in names:
                assert not SECRET_NAME.search(name), f"Dockerfile line {instruction.line}: {instruction.keyword} {name}"
        if instruction.keyword in {"COPY", "ADD"}:
            assert ".env" not in instruction.arguments.split(), f"Dockerfile line {instruction.line} copies .env"


def test_the_healthcheck_targets_the_api_liveness_route(dockerfile: list[Instruction]) -> None:
    final = stages(dockerfile)[-1]
    healthchecks = [i for i in final if i.keyword == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    text = healthchecks[0].arguments
    assert "/health" in text and "API_PORT" in text
    env = " ".join(i.arguments for i in final if i.keyword == "ENV")
    api_port = compose()["services"]["api"]["environment"]["API_PORT"]
    assert f"API_PORT={api_port}" in env, "the image's default API_PORT differs from the compose api port"
    assert "API_HOST=0.0.0.0" in env, "inside a container the API must listen beyond loopback"
    cmd = next(i for i in final if i.keyword == "CMD")
    assert cmd.arguments == '["python", "-m", "app", "api"]'


# ── .dockerignore and the build context ────────────────────────────────────────────────────

def dockerignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def is_ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes; a pattern that matches a
    directory excludes everything below it; `**/` matches any number of directories."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        body = body.strip("/")
        variants = {body}
        if body.startswith("**/"):
            variants.add(body[3:])
        matched = any(
            fnmatch.fnmatchcase(candidate, variant) or (variant != body and fnmatch.fnmatchcase(
                candidate.rsplit("/", 1)[-1], variant))
            for candidate in candidates for variant in variants)
        if matched:
            ignored = not negate
    return ignored


def build_context(patterns: list[str]) -> list[str]:
    """Files Docker would send as the build context of this repository."""
    files: list[str] = []
    for root, dirs, names in os.walk(REPO):
        rel_root = os.path.relpath(root, REPO)
        rel_root = "" if rel_root == "." else rel_root + "/"
        dirs[:] = [d for d in dirs if not is_ignored(rel_root + d, patterns)]
        files += [rel_root + n for n in names if not is_ignored(rel_root + n, patterns)]
    return sorted(files)


def test_dockerignore_keeps_secrets_state_and_caches_out() -> None:
    patterns = dockerignore_patterns()
    for path in (".env", ".env.production", ".git/config", ".venv/bin/python", ".bwperf/secrets.json",
                 ".bwperf/postgres/pgdata/PG_VERSION", "reports/run/result.json", "app/__pycache__/x.pyc",
                 "betterworld_perf.egg-info/PKG-INFO", "tests/conftest.py"):
        assert is_ignored(path, patterns), f".dockerignore lets {path} into the build context"


def test_dockerignore_keeps_what_pip_install_needs() -> None:
    patterns = dockerignore_patterns()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    needed = ["pyproject.toml", project["project"]["readme"], "app/__main__.py", "bwperf/cli.py"]
    needed += [include.rstrip("*") + "/x.py" for include in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    for path in needed:
        assert not is_ignored(path, patterns), f".dockerignore excludes {path}, which `pip install .` needs"


def test_the_build_context_builds_the_project(tmp_path: Path) -> None:
    """`pip install .` from exactly the files Docker would send: the wheel has both entry points."""
    pytest.importorskip("setuptools", reason="the build backend is needed to build without isolation")
    context = tmp_path / "context"
    for relative in build_context(dockerignore_patterns()):
        target = context / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    assert not (context / ".env").exists() and not (context / ".venv").exists()
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(tmp_path / "wheels"), str(context)],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"pip wheel of the build context failed:\n{result.stderr[-2000:]}"
    wheel = next((tmp_path / "wheels").glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"app/__main__.py", "app/server.py", "bwperf/cli.py"} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "bwperf = bwperf.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
