"""What the people who run Stem watch: `/metrics` in the Prometheus text format, and one
request line per request (as JSON when STEM_LOG_FORMAT=json) with a request id.

Labels and log fields are the matched route's template (`/api/v1/entries/{entry_id}`), the
method and the status: never a raw path, a query string, a body, a user id, a name or a token.
`/metrics` is answered here, before routing, and only to the configured addresses
(STEM_METRICS_ALLOWED_ADDRESSES, default loopback) or to a bearer of STEM_METRICS_TOKEN.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime

import anyio
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.service import chain_length
from app.config import Settings, get_settings
from app.db import get_engine, open_session, write_turn_waits
from app.http_middleware import HttpMiddleware

METRICS_PATH = "/metrics"
UNMATCHED = "(unmatched)"
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")

request_id_var: ContextVar[str | None] = ContextVar("stem_request_id", default=None)
access_logger = logging.getLogger("stem.requests")

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "stem_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "stem_http_request_duration_seconds",
    "Time to answer a request, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)


class _StateCollector(Collector):
    """Read at each scrape: the database pool, SQLite's write turn, the audit chain."""

    def collect(self) -> Iterable[Metric]:
        engine = get_engine()
        pool = engine.pool
        if isinstance(pool, QueuePool):
            in_use = GaugeMetricFamily("stem_db_pool_connections_in_use", "Pooled connections checked out.")
            in_use.add_metric([], pool.checkedout())
            yield in_use
            size = GaugeMetricFamily("stem_db_pool_size", "Connections the pool keeps open.")
            size.add_metric([], pool.size())
            yield size
        waits = write_turn_waits()
        turns = CounterMetricFamily(
            "stem_sqlite_write_turn_waits", "Times a writer waited for SQLite's write turn (this process)."
        )
        turns.add_metric([], waits.count)
        yield turns
        waited = CounterMetricFamily(
            "stem_sqlite_write_turn_wait_seconds", "Seconds writers waited for SQLite's write turn."
        )
        waited.add_metric([], waits.seconds)
        yield waited
        try:
            with open_session(engine, write=False) as session:
                length = chain_length(session)
        except SQLAlchemyError:
            return  # the scrape still shows the rest; a missing series is itself a signal
        chain = GaugeMetricFamily("stem_audit_chain_length", "Events in the audit log's hash chain.")
        chain.add_metric([], length)
        yield chain

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time only, not when the collector is registered


REGISTRY.register(_StateCollector())


def metrics_text() -> bytes:
    return generate_latest(REGISTRY)


def metrics_allowed(settings: Settings, client_host: str | None, headers: Headers) -> bool:
    token = settings.metrics_token
    if token:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    if client_host is None:
        return False
    try:
        address = ipaddress.ip_address(client_host)
    except ValueError:
        return False
    return any(address in network for network in settings.metrics_networks)


def _route_template(scope: Scope) -> str:
    template = getattr(scope.get("route"), "path", None)
    return template if isinstance(template, str) and template else UNMATCHED


class ObservabilityMiddleware(HttpMiddleware):
    """Outermost: a request id (X-Request-ID), the request counters and latency, the request log
    line, and `/metrics` itself."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            if scope["path"] == METRICS_PATH:
                await self._metrics(scope, send, headers, request_id)
                return
            await self._observed(scope, receive, send, request_id)
        finally:
            request_id_var.reset(token)

    async def _observed(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            route, method = _route_template(scope), scope.get("method", "")
            REQUESTS.labels(route, method, str(status)).inc()
            LATENCY.labels(route, method).observe(duration)
            access_logger.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "route": route,
                    "method": method,
                    "status": status,
                    "duration_ms": round(duration * 1000, 1),
                    "request_id": request_id,
                },
            )

    async def _metrics(self, scope: Scope, send: Send, headers: Headers, request_id: str) -> None:
        client = scope.get("client")
        if scope.get("method") not in ("GET", "HEAD"):
            status, body, content_type = 405, b"Only GET.\n", "text/plain; charset=utf-8"
        elif not metrics_allowed(get_settings(), client[0] if client else None, headers):
            status, body, content_type = (
                403,
                b"Metrics are served only to configured addresses.\n",
                "text/plain; charset=utf-8",
            )
        else:
            # The scrape reads the database (the audit chain's length): not on the event loop.
            status, body, content_type = (
                200,
                await anyio.to_thread.run_sync(metrics_text),
                CONTENT_TYPE_LATEST,
            )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-request-id", request_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})


# --- logs -------------------------------------------------------------------------------------

# Fields a log record may carry into the JSON line, when a logger passes them as `extra`.
_EXTRA_FIELDS = ("request_id", "route", "method", "status", "duration_ms")


class RequestIdFilter(logging.Filter):
    """Stamps every record logged while a request is handled with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
            request_id = request_id_var.get()
            if request_id:
                record.request_id = request_id
        return True


# Paths that hold a secret (a private calendar link): uvicorn's own access line (development
# only) would print them as sent.
_SECRET_PATHS = re.compile(r"/calendar/[^/?\s]+\.ics")


class SecretPathFilter(logging.Filter):
    """Writes the secret in a path as its template (`/calendar/{token}.ics`) in a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET_PATHS.sub("/calendar/{token}.ics", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _SECRET_PATHS.sub("/calendar/{token}.ics", record.msg)
        return True


def hide_secret_paths() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(each, SecretPathFilter) for each in access.filters):
        access.addFilter(SecretPathFilter())


class JsonLineFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request id and route fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in _EXTRA_FIELDS:
            if field in record.__dict__:
                line[field] = record.__dict__[field]
        if record.exc_info and record.exc_info[0] is not None:
            # The kind of failure only: an exception's text may quote private data or SQL.
            line["error"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """STEM_LOG_FORMAT=json: every logger (Stem's and uvicorn's) writes JSON lines to stderr.
    uvicorn's own access log is left off then: its lines hold the raw path with its query string."""
    hide_secret_paths()
    if settings.log_format != "json":
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
