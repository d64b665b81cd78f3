"""Versions recorded in every run result."""

from __future__ import annotations

import platform
from importlib import metadata

DISTRIBUTION = "betterworld-perf"


def package_version(name: str, default: str = "unknown") -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return default


def harness_version() -> str:
    return package_version(DISTRIBUTION, "0.1.0+source")


def python_version() -> str:
    return platform.python_version()
