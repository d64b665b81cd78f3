# syntax=docker/dockerfile:1
# One image for the Python services of docker-compose.yml: the API (default command), the
# guardrail worker, the LLM emulator, migrations and the `bwperf` dashboard. Each compose service
# picks its process with `command:` (`python -m app api|worker|llm-emulator|migrate`, `bwperf ...`).
#
# No secret is baked in: every credential (JWT_SECRET, API_KEY_PEPPER, database and Redis
# passwords, ANTHROPIC_API_KEY) arrives as an environment variable at run time (.env.example).

# ── build: install the project and its dependencies into a virtualenv ─────────────────────────
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The whole build context (filtered by .dockerignore): pyproject.toml, README.md (its `readme`)
# and the packages it lists (app, harness, scenarios, stress, dashboards, bwperf).
COPY . .
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip install .

# ── run: the virtualenv only, as an unprivileged user ────────────────────────────────────────
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    API_HOST=0.0.0.0 \
    API_PORT=4000 \
    EVIDENCE_DIR=/var/lib/betterworld/evidence
RUN groupadd --system --gid 10001 betterworld \
    && useradd --system --uid 10001 --gid betterworld --home-dir /app --shell /usr/sbin/nologin betterworld \
    && mkdir -p /app /var/lib/betterworld/evidence \
    && chown -R betterworld:betterworld /app /var/lib/betterworld
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER betterworld:betterworld
EXPOSE 4000
# The API's liveness route. Compose overrides this for the worker (/health on
# WORKER_METRICS_PORT) and the emulator (/health on LLM_EMULATOR_PORT). The slim image has no
# curl; urlopen raises (exit 1) on a refused connection or any non-2xx status.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('API_PORT', '4000'), timeout=2)"]
CMD ["python", "-m", "app", "api"]
