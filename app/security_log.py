"""Refused requests, logged for the people who run Stem (ASVS 5.0 16.3.2, 16.3.3).

One structured line per refusal on the `stem.security` logger: when, who (the person's audit
pseudonym, never a name or id), the route template, method, status, why, and the client's
address. Never a request body, query string, cookie, token or header value: the path is given
as the matched route's template (`/api/v1/entries/{entry_id}`), and as the bare path, without
its query string, only when no route matched.

The audit log (app.audit) records what people did to data; this log records what was refused.
"""

import json
import logging
import uuid
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from app.audit.service import person_ref
from app.db import open_session
from app.http_middleware import HttpMiddleware
from app.models.types import utcnow

logger = logging.getLogger("stem.security")

# Statuses that are a refusal whoever decided them: not signed in, not allowed, not yours
# (answered like "missing"), too many attempts.
REFUSALS = frozenset({401, 403, 404, 429})
# A request the API's schema refused (422) is logged when the error handler says so: an attempt
# around input validation. A form re-shown with a typo is not.
NOTED_ONLY = frozenset({422})
_DEFAULT_REASONS = {401: "not_authenticated", 403: "forbidden", 404: "not_found", 429: "too_many_requests"}
_STATE_KEY = "stem_refusal"
_MAX_PATH = 200


def note_refusal(request: Request, status: int, reason: str) -> None:
    """Says why a request is refused, where that is decided. Needed where the response does not
    show it: a page that needs a sign-in answers with a redirect to the login page, not a 401."""
    setattr(request.state, _STATE_KEY, (status, reason))


def _pseudonym(user_id: uuid.UUID) -> str | None:
    try:
        with open_session(write=False) as session:
            return person_ref(session, user_id)
    except SQLAlchemyError:  # the line is still worth writing without it
        return None


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    return str(scope.get("path", ""))[:_MAX_PATH]  # the ASGI path never holds the query string


async def _log_refusal(scope: Scope, status: int, reason: str) -> None:
    state = scope.get("state") or {}
    viewer = state.get("user")
    user_id = getattr(viewer, "id", None)
    client = scope.get("client")
    fields: dict[str, Any] = {
        "time": utcnow().replace(microsecond=0).isoformat(),
        "event": "request.refused",
        "status": status,
        "reason": reason,
        "method": scope.get("method"),
        "route": _route_of(scope),
        "user": await run_in_threadpool(_pseudonym, user_id) if isinstance(user_id, uuid.UUID) else None,
        "client": client[0] if client else None,
    }
    # JSON keeps one event on one line, whatever characters an unmatched path holds.
    logger.warning("refused %s", json.dumps(fields, ensure_ascii=True), extra={"security": fields})


class RefusalLogMiddleware(HttpMiddleware):
    """Writes the line when the response starts, so it is written even if the client goes away."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("state", {})

        async def send_and_log(message: Message) -> None:
            if message["type"] == "http.response.start":
                noted = scope["state"].get(_STATE_KEY)
                if noted is not None and noted[0] in REFUSALS | NOTED_ONLY:
                    await _log_refusal(scope, noted[0], noted[1])
                elif noted is None and message["status"] in REFUSALS:
                    await _log_refusal(scope, message["status"], _DEFAULT_REASONS[message["status"]])
            await send(message)

        await self.app(scope, receive, send_and_log)
