"""JSON API of passkeys: one's own (list, add, remove) and signing in with one. Thin: parse, call
one service, answer. The challenge of a ceremony travels in a cookie of its own (HttpOnly,
SameSite=Strict, 5 minutes), which binds it to the browser that asked for it."""

import uuid

from fastapi import APIRouter, Request, Response, status

from app.accounts import passkeys
from app.accounts.api import _signed_in as start_session  # the one way the API signs someone in
from app.accounts.deps import SECURE_COOKIE, AuthDep, session_cookie_name
from app.accounts.schemas import (
    MePublic,
    PasskeyAdd,
    PasskeyAddStart,
    PasskeyOptions,
    PasskeyPublic,
    PasskeySignIn,
)
from app.deps import SessionDep, client_address

router = APIRouter(prefix="/api/v1")

SECURE_CHALLENGE_COOKIE = "__Host-stem_passkey"
PLAIN_CHALLENGE_COOKIE = "stem_passkey"


def _challenge_cookie(request: Request) -> tuple[str, bool]:
    """Its name, and whether it is Secure: the same rule as the session cookie's."""
    secure = session_cookie_name(request) == SECURE_COOKIE
    return (SECURE_CHALLENGE_COOKIE if secure else PLAIN_CHALLENGE_COOKIE), secure


def _challenge_token(request: Request) -> str | None:
    return request.cookies.get(_challenge_cookie(request)[0])


def _give_challenge(request: Request, response: Response, ceremony: passkeys.Ceremony) -> PasskeyOptions:
    name, secure = _challenge_cookie(request)
    response.set_cookie(
        name,
        ceremony.token,
        max_age=int(passkeys.CHALLENGE_LIFETIME.total_seconds()),
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )
    return PasskeyOptions(options=ceremony.options)


def _forget_challenge(request: Request, response: Response) -> None:
    name, secure = _challenge_cookie(request)
    response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="strict")


@router.get("/me/passkeys", tags=["me"])
def list_passkeys(auth: AuthDep, session: SessionDep) -> list[PasskeyPublic]:
    return passkeys.list_of(session, actor=auth.user)


@router.post("/me/passkey-options", tags=["me"])
def start_adding_passkey(
    data: PasskeyAddStart, request: Request, response: Response, auth: AuthDep, session: SessionDep
) -> PasskeyOptions:
    """Step 1 of adding a passkey: the password again, then the options for
    navigator.credentials.create()."""
    ceremony = passkeys.start_adding(
        session,
        actor=auth.user,
        login_session_id=auth.login_session.id,
        password=data.password,
        previous_token=_challenge_token(request),
    )
    return _give_challenge(request, response, ceremony)


@router.post("/me/passkeys", status_code=status.HTTP_201_CREATED, tags=["me"])
def add_passkey(
    data: PasskeyAdd, request: Request, response: Response, auth: AuthDep, session: SessionDep
) -> PasskeyPublic:
    """Step 2: what the browser made, with the person's own name for it."""
    added = passkeys.finish_adding(
        session,
        actor=auth.user,
        login_session_id=auth.login_session.id,
        token=_challenge_token(request),
        name=data.name,
        credential=data.credential,
    )
    _forget_challenge(request, response)
    return added


@router.delete("/me/passkeys/{passkey_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["me"])
def remove_passkey(passkey_id: uuid.UUID, auth: AuthDep, session: SessionDep) -> Response:
    passkeys.remove(session, actor=auth.user, passkey_id=passkey_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/passkey-options", tags=["auth"])
def start_passkey_sign_in(request: Request, response: Response, session: SessionDep) -> PasskeyOptions:
    """Step 1 of signing in with a passkey: the options for navigator.credentials.get()."""
    ceremony = passkeys.start_sign_in(
        session, previous_token=_challenge_token(request), client_address=client_address(request)
    )
    return _give_challenge(request, response, ceremony)


@router.post("/auth/passkey", tags=["auth"])
def sign_in_with_passkey(
    data: PasskeySignIn, request: Request, response: Response, session: SessionDep
) -> MePublic:
    """Step 2: what the browser's passkey signed. A new session starts, as with a password."""
    user = passkeys.sign_in(
        session,
        token=_challenge_token(request),
        assertion=data.credential,
        client_address=client_address(request),
    )
    _forget_challenge(request, response)
    return start_session(request, response, session, user)
