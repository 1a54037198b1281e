"""Who is signed in: the dependency aliases every route uses, and the access policies they declare.

Every route either depends on `authenticated` (directly or through a role alias) or is listed
in PUBLIC_ROUTES; tests/test_route_policies.py fails on any route that does neither.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from app.accounts.login_sessions import csrf_token_for, csrf_token_matches, resolve_session
from app.config import get_settings
from app.deps import SAFE_METHODS, SessionDep
from app.errors import Forbidden, NotAuthenticated
from app.i18n import N_
from app.models import LoginSession, User
from app.models.enums import Role

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
        ("GET", "/help"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/recover"),
        ("POST", "/api/v1/auth/passkey-options"),
        ("POST", "/api/v1/auth/passkey"),
        ("GET", "/recover"),
        ("POST", "/recover"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/join"),
        ("POST", "/join"),
        ("GET", "/"),
        ("POST", "/language"),
        # a calendar app cannot sign in: the secret in the path is the key (app.web.calendar)
        ("GET", "/calendar/{token}.ics"),
    }
)


CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def set_session_cookie(request: Request, response: Response, token: str, user: User) -> None:
    absolute, _idle = get_settings().session_lifetimes(user.role.value)
    response.set_cookie(
        session_cookie_name(request),
        token,
        max_age=int(absolute.total_seconds()),
        httponly=True,
        secure=_secure_cookie(request),
        samesite="lax",
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        session_cookie_name(request),
        path="/",
        secure=_secure_cookie(request),
        httponly=True,
        samesite="lax",
    )


def _secure_cookie(request: Request) -> bool:
    """Always in production: a request that reached the app over plain http (a proxy that does
    not say it terminated TLS) must not be answered with a cookie a network can read. Elsewhere
    only over https, so that development on http://127.0.0.1 works."""
    return get_settings().is_production or request.url.scheme == "https"


def session_cookie_name(request: Request) -> str:
    """`__Host-` cookies must be Secure, which browsers accept only over https."""
    return SECURE_COOKIE if _secure_cookie(request) else PLAIN_COOKIE


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
