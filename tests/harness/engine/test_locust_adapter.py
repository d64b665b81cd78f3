"""The same behaviour functions under plain `locust -f` (headless here, web UI for people)."""

import os
import subprocess
import sys

from .conftest import FIXTURES, ROOT

LOCUSTFILE = f"""
import sys
sys.path.insert(0, {str(FIXTURES)!r})
import engine_behaviours
GetHealth, WithKey = engine_behaviours.locust_classes()
"""


def test_locust_f_runs_the_behaviours(server, tmp_path):
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", "2", "-r", "2", "-t", "2s",
         "--host", server.url, "--only-summary", "--csv", str(tmp_path / "stats")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    stats = (tmp_path / "stats_stats.csv").read_text()
    assert "GET,/health," in stats and "CHECK,status is 200," in stats and "TREND,guardrail_latency," in stats
    assert server.count("/api/v1/auth/agents/register") == 2
    assert server.count("/health") > 0
