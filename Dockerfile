# syntax=docker/dockerfile:1
# Stem production image: `make docker`, then e.g.
#   docker run -p 8000:8000 -v stem-data:/data \
#     -e STEM_SECRET_KEY=... -e STEM_PUBLIC_BASE_URL=https://stem.example.org stem
# Production mode refuses placeholder secrets, so STEM_SECRET_KEY must be set at run time.
# Without STEM_DATABASE_URL the database is SQLite in the /data volume.
#
# BASE_IMAGE is the official Python image by default. Any Debian-like image with python3 (3.11 or
# later) and its venv module will do: `make test-image` bootstraps one from Debian's own packages
# when the official image cannot be pulled (ops/image/).
#
# The build machine's pip settings (an index, a CA bundle) may be handed in as build secrets,
# mounted only while pip runs and never stored in the image:
#   --secret id=pip.conf,src=FILE   a pip configuration file
#   --secret id=pip-ca.pem,src=FILE a CA bundle, for a pip.conf that says cert = /run/secrets/pip-ca.pem
# (`make image` writes both from this machine's pip configuration; see ops/image/pip_build_config.py.)
ARG BASE_IMAGE=python:3.11-slim-bookworm

############################ build: locked dependencies + the Stem wheel ############################
FROM ${BASE_IMAGE} AS build
# Only on this stage's images (not the final one): `make test-image` removes them by this label.
LABEL stem.stage=build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# python3: Debian's own Python has no `python` command.
RUN python3 -m venv /opt/venv

WORKDIR /src

# Dependencies first, so this layer is rebuilt only when the lock changes. Every package is pinned
# and hash-checked; pip refuses anything the lock does not list.
COPY requirements/main.lock requirements/main.lock
RUN --mount=type=secret,id=pip.conf --mount=type=secret,id=pip-ca.pem \
    PIP_CONFIG_FILE=/run/secrets/pip.conf /opt/venv/bin/pip install --require-hashes -r requirements/main.lock

# The project itself (the wheel carries web/ as app/_web and migrations/ as app/_migrations);
# --no-deps because everything it needs is already installed from the lock. Then pip and setuptools
# leave the venv: the server does not need them.
COPY pyproject.toml README.md ./
COPY app/ app/
COPY web/ web/
COPY migrations/ migrations/
RUN --mount=type=secret,id=pip.conf --mount=type=secret,id=pip-ca.pem \
    export PIP_CONFIG_FILE=/run/secrets/pip.conf \
    && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/venv/bin/pip install --no-deps /wheels/*.whl \
    && /opt/venv/bin/pip uninstall --yes --quiet pip setuptools

############################ runtime ############################
FROM ${BASE_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    MALLOC_ARENA_MAX=2 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STEM_MODE=production \
    STEM_DATA_DIR=/data

RUN groupadd --system --gid 10001 stem \
    && useradd --system --uid 10001 --gid stem --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin stem \
    && mkdir -p /data \
    && chown stem:stem /data

# Owned by root and read-only for the app user.
COPY --from=build /opt/venv /opt/venv

USER stem
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

# No curl in the slim image; urlopen raises on connection errors and non-2xx answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["sh", "-c", "stem migrate && exec stem serve --host 0.0.0.0 --port 8000"]
