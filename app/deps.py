"""Dependency aliases used by every route, and the access policies they declare.

Every route either depends on `authenticated` (directly or through a role alias) or is listed
in PUBLIC_ROUTES; tests/test_route_policies.py fails on any route that does neither.
"""

import functools
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request
from sqlmodel import Session

from app.accounts.login_sessions import csrf_token_for, csrf_token_matches, resolve_session
from app.db import SQLITE_BUSY_TIMEOUT_MS, hold_write_turn, open_session, write_gate
from app.errors import Forbidden, NotAuthenticated
from app.i18n import N_
from app.models import LoginSession, User
from app.models.enums import Role

P = ParamSpec("P")
R = TypeVar("R")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURE_COOKIE = "__Host-stem_session"
PLAIN_COOKIE = "stem_session"

# (method, path) of routes anyone may call; everything else needs a signed-in user.
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/sw.js"),
        ("GET", "/manifest.webmanifest"),
        ("GET", "/offline"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/register"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/join"),
        ("POST", "/join"),
        ("GET", "/"),
        ("POST", "/language"),
    }
)


def session_cookie_name(request: Request) -> str:
    """`__Host-` cookies must be Secure, which browsers accept only over https."""
    return SECURE_COOKIE if request.url.scheme == "https" else PLAIN_COOKIE


def records_access(endpoint: Callable[P, R]) -> Callable[P, R]:
    """Marks a GET route that writes (it records who read what): it gets a writing session.

    On SQLite a read transaction cannot safely become a write one, so such a route must ask
    for the write lock from the start.
    """
    endpoint.stem_writes = True  # type: ignore[attr-defined]
    return endpoint


# Threads for waiting on SQLite's write turn and for ending a request's transaction; not the
# pool that runs the routes. A request that holds a lock until its commit (SQLite's write turn,
# PostgreSQL's audit-chain lock) must never need a route thread to commit: all of those may be
# taken by requests that wait for that very lock.
_WRITE_TURN_WAITERS = anyio.CapacityLimiter(256)
_TRANSACTION_ENDS = anyio.CapacityLimiter(256)


async def _db_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed when the route returns, before the response is sent.

    Async on purpose, with the blocking steps in the thread pool and shielded: when a request is
    cancelled (a phone that loses its connection mid-save), a plain generator dependency would
    never be resumed, and its session, its pooled connection and SQLite's write lock would stay
    taken until garbage collection. Here the session is always rolled back or committed, and
    closed. Creating it does no I/O, so that step needs no thread."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    writes = request.method not in SAFE_METHODS or getattr(endpoint, "stem_writes", False)
    gate = write_gate() if writes else None
    holding = False
    if gate is not None:  # SQLite: wait for the write turn here, not in a worker thread
        with anyio.CancelScope(shield=True):
            holding = await anyio.to_thread.run_sync(
                functools.partial(gate.acquire, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000),
                limiter=_WRITE_TURN_WAITERS,
            )
        hold_write_turn(holding)
    session = open_session(write=writes)
    try:
        yield session
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(session.commit, limiter=_TRANSACTION_ENDS)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(session.rollback, limiter=_TRANSACTION_ENDS)
        raise
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(session.close, limiter=_TRANSACTION_ENDS)
        if holding:
            hold_write_turn(False)
            gate.release()  # type: ignore[union-attr]


# Function scope: the commit happens before the response is sent, never after.
SessionDep = Annotated[Session, Depends(_db_session, scope="function")]


async def _submitted_csrf_token(request: Request) -> str | None:
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get("x-csrf-token")
    if header is not None:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as plain values: safe to read in templates after the session closed."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    discipline: str | None
    locale: str
    time_zone: str


def _remember_viewer(request: Request, user: User, login_session: LoginSession) -> None:
    request.state.locale = user.locale
    request.state.time_zone = user.time_zone
    request.state.user = Viewer(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        discipline=user.discipline.value if user.discipline else None,
        locale=user.locale,
        time_zone=user.time_zone,
    )
    request.state.csrf_token = csrf_token_for(login_session.id)


@dataclass(frozen=True)
class Authenticated:
    user: User
    login_session: LoginSession

    @property
    def csrf_token(self) -> str:
        return csrf_token_for(self.login_session.id)


def authenticated(
    request: Request,
    session: SessionDep,
    submitted_csrf: Annotated[str | None, Depends(_submitted_csrf_token)],
) -> Authenticated:
    token = request.cookies.get(session_cookie_name(request))
    resolved = resolve_session(session, token) if token else None
    if resolved is None:
        raise NotAuthenticated(N_("Please sign in first."))
    login_session, user = resolved
    _remember_viewer(request, user, login_session)
    if request.method not in SAFE_METHODS and not csrf_token_matches(login_session.id, submitted_csrf):
        raise Forbidden(N_("This page has expired. Reload it and try again."), code="csrf_token_invalid")
    return Authenticated(user=user, login_session=login_session)


def optional_authenticated(request: Request, session: SessionDep) -> Authenticated | None:
    """For public pages that look different when someone is signed in (reads only)."""
    token = request.cookies.get(session_cookie_name(request))
    resolved = resolve_session(session, token) if token else None
    if resolved is None:
        return None
    login_session, user = resolved
    _remember_viewer(request, user, login_session)
    return Authenticated(user=user, login_session=login_session)


AuthDep = Annotated[Authenticated, Depends(authenticated)]


# The role checks are `async def` on purpose: they do no I/O, and a plain `def` dependency costs a
# trip through the thread pool on every request.
async def _current_user(auth: AuthDep) -> User:
    return auth.user


def _with_role(*roles: Role):  # type: ignore[no-untyped-def]
    async def check(auth: AuthDep) -> User:
        if auth.user.role not in roles:
            raise Forbidden(N_("Your account cannot do this."))
        return auth.user

    check.__name__ = "require_" + "_or_".join(role.value for role in roles)
    return check


OptionalAuthDep = Annotated[Authenticated | None, Depends(optional_authenticated)]
CurrentUser = Annotated[User, Depends(_current_user)]
CurrentParticipant = Annotated[User, Depends(_with_role(Role.participant))]
CurrentClinician = Annotated[User, Depends(_with_role(Role.clinician))]
CurrentAdmin = Annotated[User, Depends(_with_role(Role.admin))]
CurrentStaff = Annotated[User, Depends(_with_role(Role.clinician, Role.admin))]


def client_address(request: Request) -> str:
    # Behind a proxy, uvicorn rewrites this from X-Forwarded-For for trusted proxies only.
    return request.client.host if request.client else "unknown"
