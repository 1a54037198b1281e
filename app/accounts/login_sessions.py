"""Server-side login sessions: a random token in the cookie, only its hash in the database."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import is_write_session, open_session, write_turn_if_free
from app.models import LoginSession, User
from app.models.types import utcnow

# Refresh last-seen at most this often: not a write on every request.
_TOUCH_INTERVAL = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(session_id: uuid.UUID) -> str:
    """Bound to one login session; derived, so nothing more is stored."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"csrf:" + session_id.bytes, hashlib.sha256).hexdigest()


def csrf_token_matches(session_id: uuid.UUID, submitted: str | None) -> bool:
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, so a 500).
    return submitted is not None and hmac.compare_digest(
        csrf_token_for(session_id).encode(), submitted.encode("utf-8", "surrogatepass")
    )


@dataclass(frozen=True)
class StartedSession:
    token: str
    record: LoginSession


def start_session(session: Session, user: User) -> StartedSession:
    absolute, idle = get_settings().session_lifetimes(user.role.value)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    record = LoginSession(
        token_hash=token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + absolute,
        idle_expires_at=min(now + idle, now + absolute),
    )
    session.add(record)
    session.flush()
    return StartedSession(token=token, record=record)


def replace_session(session: Session, user: User, previous_token: str | None) -> StartedSession:
    """A new session at every sign-in; the one the browser had before ends (no fixation)."""
    if previous_token:
        session.execute(
            delete(LoginSession).where(col(LoginSession.token_hash) == token_hash(previous_token))
        )
    return start_session(session, user)


def resolve_session(session: Session, token: str) -> tuple[LoginSession, User] | None:
    """The live session and its active user for a cookie token, or None."""
    if not token or len(token) > 200:
        return None
    row = session.exec(
        select(LoginSession, User)
        .join(User, col(User.id) == col(LoginSession.user_id))
        .where(col(LoginSession.token_hash) == token_hash(token))
    ).first()
    if row is None:
        return None
    record, user = row
    now = utcnow()
    if not user.is_active or record.expires_at <= now or record.idle_expires_at <= now:
        return None
    if now - record.last_seen_at >= _TOUCH_INTERVAL:
        _touch(session, record, user)
    return record, user


def _touch(session: Session, record: LoginSession, user: User) -> None:
    """Extend the idle window.

    A writing request does it in its own transaction. A reading one uses a short transaction
    of its own: it must not upgrade its read transaction to a write (SQLite would refuse).
    """
    _absolute, idle = get_settings().session_lifetimes(user.role.value)
    now = utcnow()
    statement = (
        update(LoginSession)
        .where(col(LoginSession.id) == record.id)
        .values(last_seen_at=now, idle_expires_at=min(now + idle, record.expires_at))
    )
    if is_write_session(session) or session.get_bind().dialect.name != "sqlite":
        session.execute(statement)  # committed with the request (PostgreSQL: reads may write)
        return
    with write_turn_if_free() as free:
        if not free:  # a writer is busy: a later request extends the window instead
            return
        with open_session(write=True) as writer:
            writer.execute(statement)
            writer.commit()


def end_session(session: Session, session_id: uuid.UUID) -> None:
    session.execute(delete(LoginSession).where(col(LoginSession.id) == session_id))


def end_all_sessions(session: Session, user_id: uuid.UUID, *, except_id: uuid.UUID | None = None) -> int:
    statement = delete(LoginSession).where(col(LoginSession.user_id) == user_id)
    if except_id is not None:
        statement = statement.where(col(LoginSession.id) != except_id)
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired_sessions(session: Session) -> int:
    now = utcnow()
    result = session.execute(
        delete(LoginSession).where(
            (col(LoginSession.expires_at) <= now) | (col(LoginSession.idle_expires_at) <= now)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
