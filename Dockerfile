# Duban as a container image: `docker build -t duban .`, then see compose.yaml.
# Stage 1 builds the wheel and installs it (with the PostgreSQL driver) into a virtual environment;
# stage 2 copies only that environment into a slim image and runs it as an unprivileged user.
ARG PYTHON=3.12

FROM python:${PYTHON}-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY config ./config
RUN python -m venv /opt/duban \
 && python -m pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/duban/bin/pip install "$(ls /wheels/duban-*.whl)[postgres]" \
 # Bytecode compiled once here: the non-root user cannot write __pycache__ at run time.
 && /opt/duban/bin/python -m compileall -q /opt/duban/lib

FROM python:${PYTHON}-slim
# pg_dump/pg_restore for `duban db backup` / `duban db restore` on PostgreSQL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/duban --create-home duban
COPY --from=builder /opt/duban /opt/duban
ENV PATH=/opt/duban/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DUBAN_HTTP__HOST=0.0.0.0 \
    DUBAN_HTTP__PORT=8080 \
    DUBAN_DATABASE__URL=sqlite+aiosqlite:////var/lib/duban/duban.sqlite3
USER duban
WORKDIR /var/lib/duban
VOLUME ["/var/lib/duban"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["duban", "run"]
