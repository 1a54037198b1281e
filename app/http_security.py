"""Response headers on every answer (errors and static files included) and the cross-site guard.

Both are pure ASGI middleware. The header middleware also turns an unhandled exception into
the 500 problem itself: Starlette's own 500 is made outside user middleware, without headers.
"""

import logging
import traceback
from collections.abc import Iterable
from urllib.parse import urlsplit

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import HTTP_MESSAGES, Forbidden, problem_response, server_error_response
from app.http_middleware import BODY_COMPLETE, HttpMiddleware
from app.i18n import N_, request_locale, translate
from app.security_log import note_refusal

logger = logging.getLogger("stem.http")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
)
_STATIC_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        https = scope.get("scheme") == "https"
        # Authenticated pages and API answers must never be kept by a browser or proxy cache.
        cacheable = scope.get("path", "").startswith("/static/")
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                headers = [
                    (name, value) for name, value in message.get("headers", []) if name.lower() != b"server"
                ]
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in _STATIC_HEADERS if item[0] not in present)
                if https:
                    headers.append(_HSTS)
                if not cacheable and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            # The exception's message may quote submitted text or SQL: log its type and where
            # it happened (file, line, source), never its message or local values.
            logger.error(
                "unhandled %s on %s %s\n%s",
                type(error).__name__,
                scope.get("method"),
                scope.get("path"),
                "".join(traceback.format_tb(error.__traceback__)),
            )
            if response_started:
                raise
            request = Request(scope)
            response = server_error_response(request)
            await response(scope, receive, send_with_headers)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class CrossSiteGuardMiddleware(HttpMiddleware):
    """Refuses state-changing requests that a browser marks as coming from another site."""

    def __init__(self, app: ASGIApp, *, trusted_origins: Iterable[str] = ()) -> None:
        super().__init__(app)
        self.trusted_origins = {_origin_of(origin) for origin in trusted_origins}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") not in _UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        fetch_site = request.headers.get("sec-fetch-site")
        origin = (request.headers.get("origin") or "").lower()
        if fetch_site is not None:
            # A browser sets Sec-Fetch-Site itself and no page can forge it: it decides alone.
            # (With Referrer-Policy no-referrer, Chromium sends `Origin: null` even on our own
            # form posts, so the Origin header cannot be the judge there.)
            refused = fetch_site not in {"same-origin", "none"}
        else:
            own_origin = _origin_of(str(request.base_url))
            refused = origin not in {"", "null", own_origin} and origin not in self.trusted_origins
        if not refused:
            await self.app(scope, receive, send)
            return
        note_refusal(request, 403, "cross_site_request")
        locale = request_locale(request)
        error = Forbidden(N_("This request came from another website and was refused."))
        response = problem_response(
            request,
            403,
            "cross_site_request",
            translate(locale, error.message),
        )
        await response(scope, receive, send)


class _BodyRefused(StarletteHTTPException):
    """Raised from `receive` while the app reads a body: FastAPI passes HTTP exceptions through
    its body parsing unchanged, so the error handlers answer it like any other refusal."""


class BodyGuardMiddleware(HttpMiddleware):
    """A cap on the size of a request body and a deadline for receiving it.

    Without them a client that announces a large body and sends it slowly (or never) keeps a
    connection and a request busy for as long as it likes, and a 100 MiB login form is parsed
    in full. The cap applies to the announced Content-Length (refused before anything is read)
    and to the bytes that actually arrive (chunked bodies announce nothing)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, read_seconds: float) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes
        self.read_seconds = read_seconds

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        announced = Headers(scope=scope).get("content-length")
        if announced is not None and announced.strip().isdigit() and int(announced) > self.max_bytes:
            await _refusal(scope, 413)(scope, receive, send)
            return
        deadline = anyio.current_time() + self.read_seconds
        received = 0
        complete = False
        response_started = False

        async def guarded_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()
            try:
                with anyio.fail_after(max(deadline - anyio.current_time(), 0)):
                    message = await receive()
            except TimeoutError:
                raise _BodyRefused(408) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyRefused(413)
                if not message.get("more_body", False):
                    complete = True
                    scope[BODY_COMPLETE] = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except _BodyRefused as refused:
            # Read outside a route (a middleware's own body read): answer here.
            if response_started:
                raise
            await _refusal(scope, refused.status_code)(scope, receive, send)


def _refusal(scope: Scope, status: int) -> Response:
    request = Request(scope)
    detail = translate(request_locale(request), HTTP_MESSAGES[status])
    # The unread rest of the body is not worth waiting for: close the connection afterwards.
    return problem_response(request, status, f"http_{status}", detail, headers={"Connection": "close"})
