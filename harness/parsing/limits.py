"""Every bound on what the harness reads, in one place (documented in docs/input-limits.md).

A plan, a result, a k6 file or a cost model is written by a person or another tool and may be
hostile or broken: each bound keeps a small file from costing unbounded memory or time. The
figures sit far above anything the committed plans and results use.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

# Files
MAX_YAML_BYTES = 1 * MIB  # a plan, compare.yaml or a cost model; the largest committed one is ~10 KiB
# A run result or k6 summary, after decompression: histograms make a long run's result tens of MB
# (a 5-minute baseline is ~0.9 MB); 256 MiB parses into ~1-2 GB of Python objects, the most a
# CI runner should spend on one input.
MAX_JSON_BYTES = 256 * MIB
MAX_NDJSON_BYTES = 2048 * MIB  # k6 `--out json` after decompression: streamed, one line at a time
# A gzip file may expand at most this many times (checked once past GZIP_RATIO_AFTER bytes): our
# results compress 3-11-fold, k6 NDJSON typically 10-30-fold; a bomb of zeros ~1000-fold.
MAX_GZIP_RATIO = 200
GZIP_RATIO_AFTER = 8 * MIB
MAX_NDJSON_LINE_BYTES = 1 * MIB  # one k6 Metric/Point line (they are ~300 bytes)
# One stored histogram decompressed: at most 1 MiB, capped where histograms are decoded
# (harness.metrics.hdr.MAX_PAYLOAD_BYTES: metrics sits beside parsing and cannot import it).
MAX_DATA_FILE_BYTES = 512 * MIB  # a plan's `data:` file (CSV or JSON lines)
MAX_DATA_ROWS = 10_000_000
MAX_DATA_LINE_BYTES = 64 * KIB  # one CSV record or JSON line
MAX_NESTING = 64  # YAML and JSON nesting depth; our files nest < 10 deep

# Plans (per scenario unless said otherwise)
MAX_SCENARIOS = 100
MAX_STAGES = 1_000
MAX_VUS = 100_000  # vus, startVUs, preAllocatedVUs, maxVUs, a ramping-vus stage target
MAX_RATE = 1_000_000  # rate, startRate, a ramping-arrival-rate stage target: iterations per timeUnit
MAX_RATE_PER_S = 1_000_000  # the same, per second (rate / timeUnit)
MAX_ITERATIONS = 100_000_000  # shared-iterations / per-vu-iterations `iterations`
MAX_DURATION_S = 24 * 3600.0  # any duration in a plan (a scenario, a stage, startTime, gracefulStop, ...)
MAX_AGENTS = 10_000  # setup.agents
MAX_SEED_ROWS = 100_000_000  # stack.seed problems / missions
MAX_SCALE = 100.0  # a profile's duration_scale / seed_scale
MAX_THRESHOLDS_PER_METRIC = 50
MAX_THRESHOLD_METRICS = 500
