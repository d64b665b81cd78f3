"""The package's public names are pinned, and loaded lazily: the load processes import `generator`
and `host` without the result model."""

from __future__ import annotations

import subprocess
import sys

import harness.health


def test_exported_names() -> None:
    assert harness.health.__all__ == ["health_line"]
    for name in harness.health.__all__:
        assert callable(getattr(harness.health, name)), name


def test_importing_the_counters_does_not_import_the_result_model() -> None:
    code = "import sys, harness.health.generator, harness.health.host; print('harness.results' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
