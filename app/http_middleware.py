"""The skeleton of Stem's pure ASGI middleware: each looks at HTTP requests only and passes
anything else (the lifespan, websockets) straight through. Pure ASGI rather than Starlette's
BaseHTTPMiddleware, so that a response is streamed and a cancelled request is cancelled."""

from starlette.types import ASGIApp, Receive, Scope, Send

# Set in a request's scope once its whole body has arrived (app.http_security's body guard):
# app.deps waits for that before it takes SQLite's write turn.
BODY_COMPLETE = "stem.body_complete"


class HttpMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request; the default passes it on unchanged."""
        await self.app(scope, receive, send)
