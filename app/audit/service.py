"""The audit log: who did what to whose data, when, from where, with what outcome.

Append-only and chained with a keyed hash: each row's HMAC-SHA256 covers the row and the
previous row's hash, under a key derived from a secret that never enters the database
(STEM_AUDIT_KEY, by default STEM_SECRET_KEY).
Someone who can write to the database but lacks the key cannot rewrite a row and recompute the
hashes after it. Writers take a lock for the chain's head (PostgreSQL: an advisory transaction
lock; SQLite: writes are serialised by BEGIN IMMEDIATE), so rows from several processes still form
one chain.
"""

import functools
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlmodel import Session, col, select
from starlette.types import Receive, Scope, Send

from app.config import get_settings
from app.db import READS_ONLY, open_session
from app.http_middleware import HttpMiddleware
from app.models import AuditEvent, AuditPerson, User
from app.models.types import utcnow

GENESIS = "0" * 64
_CHAIN_LOCK = 7513  # any constant; named after the Dutch standard for access logging

client_address_var: ContextVar[str | None] = ContextVar("stem_client_address", default=None)


def person_ref(session: Session, user_id: uuid.UUID) -> str | None:
    """The pseudonym under which a person appears in the log (None before their first event)."""
    return session.exec(select(AuditPerson.ref).where(col(AuditPerson.user_id) == user_id)).first()


def _ensure_person(session: Session, user_id: uuid.UUID) -> str:
    # A random pseudonym, not derived from any key: rotating secrets never changes it, and once
    # the mapping row is erased nothing links the log back to the person.
    ref = person_ref(session, user_id)
    if ref is None:
        ref = secrets.token_hex(16)
        session.add(AuditPerson(ref=ref, user_id=user_id))
        session.flush()
    return ref


# Part of the key's derivation: changing it re-keys every chain (a migration would have to reseal).
CHAIN_KEY_LABEL = b"stem audit chain v1"


@functools.lru_cache(maxsize=4)
def _chain_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), CHAIN_KEY_LABEL, hashlib.sha256).digest()


def chain_key() -> bytes:
    """The chain's key, never stored: derived from STEM_AUDIT_KEY, or from STEM_SECRET_KEY when
    that is empty (outside the database either way). Whoever rotates the secret key sets
    STEM_AUDIT_KEY to the old one, and the chain keeps its key."""
    settings = get_settings()
    return _chain_key(settings.audit_key or settings.secret_key)


def _canonical(event: AuditEvent) -> bytes:
    return json.dumps(
        [
            event.seq,
            event.occurred_at.isoformat(),
            event.actor_ref,
            event.actor_role,
            event.subject_ref,
            event.action,
            event.target,
            event.client_address,
            event.outcome,
            event.prev_hash,
        ],
        separators=(",", ":"),
    ).encode()


def _digest(event: AuditEvent) -> str:
    return hmac.new(chain_key(), _canonical(event), hashlib.sha256).hexdigest()


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})


def record(
    session: Session,
    *,
    action: str,
    actor: User | None = None,
    subject_id: uuid.UUID | None = None,
    target: uuid.UUID | str | None = None,
    outcome: str = "ok",
) -> None:
    """Append one event to the chain, inside the caller's transaction."""
    record_many(session, action=action, actor=actor, subject_id=subject_id, targets=[target], outcome=outcome)


def record_many(
    session: Session,
    *,
    action: str,
    actor: User | None = None,
    subject_id: uuid.UUID | None = None,
    targets: Sequence[uuid.UUID | str | None],
    outcome: str = "ok",
) -> None:
    """Append one event per target (same action, actor and subject) to this transaction.

    The people's pseudonyms are settled now (an erasure later in the same transaction must not
    bring a mapping back). The events join the chain when the transaction commits
    (`_chain_pending`): the chain's lock is then held only for the commit itself, never while the
    request still needs a thread to finish (under load, that wait deadlocked on PostgreSQL)."""
    if not targets:
        return
    if session.info.get(READS_ONLY):
        # On SQLite a reading transaction that writes fails whenever someone else writes (a 500
        # now and then); fail every time instead, so that a test finds the unmarked route.
        raise RuntimeError("a GET route that records must be marked @records_access")
    occurred_at = utcnow().replace(microsecond=0)
    actor_ref = _ensure_person(session, actor.id) if actor else None
    if subject_id is not None and actor is not None and subject_id == actor.id:
        subject_ref = actor_ref  # the same person: one lookup
    else:
        subject_ref = _ensure_person(session, subject_id) if subject_id else None
    pending = session.info.setdefault(_PENDING, [])
    for target in targets:
        pending.append(
            AuditEvent(
                seq=0,
                occurred_at=occurred_at,
                actor_ref=actor_ref,
                actor_role=actor.role.value if actor else None,
                subject_ref=subject_ref,
                action=action,
                target=str(target) if target is not None else None,
                client_address=client_address_var.get(),
                outcome=outcome,
                prev_hash="",
                hash="",
            )
        )


_PENDING = "stem_audit_pending"


@sa_event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    """Give this transaction's events their place in the chain, under the chain's lock."""
    pending: list[AuditEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    _lock_chain(session)
    head = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    for pending_event in pending:
        seq += 1
        pending_event.seq = seq
        pending_event.prev_hash = prev_hash
        pending_event.hash = prev_hash = _digest(pending_event)
        session.add(pending_event)
    session.flush()


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous_transaction: object) -> None:
    """Events of a rolled-back transaction never happened."""
    session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_hash: str
    problem: str | None = None
    at_seq: int | None = None


def chain_length(session: Session) -> int:
    """How many events the chain holds (its head's place; the chain has no gaps)."""
    head = session.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    return int(head or 0)


def verify(
    session: Session, batch_size: int = 5000, on_batch: Callable[[int], None] | None = None
) -> Verification:
    """Walk the chain in order; any edit, deletion or reordering shows as a broken link.

    `on_batch(n)` is told after each batch how many events it checked (for progress)."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.seq) > last_seq)
            .order_by(col(AuditEvent.seq))
            .limit(batch_size)
            .execution_options(populate_existing=True)  # what is stored now, not what was read before
        ).all()
        for event in rows:
            if event.seq != expected_seq:
                return Verification(False, checked, expected_prev, "a row is missing", expected_seq)
            if event.prev_hash != expected_prev:
                return Verification(False, checked, expected_prev, "the chain is broken", event.seq)
            if _digest(event) != event.hash:
                problem = "a row was changed"
                if checked == 0:
                    problem += ", or the chain was sealed under another STEM_AUDIT_KEY or STEM_SECRET_KEY"
                return Verification(False, checked, expected_prev, problem, event.seq)
            expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
            last_seq = event.seq
        if on_batch is not None:
            on_batch(len(rows))
        if len(rows) < batch_size:
            return Verification(True, checked, expected_prev)


class ClientAddressMiddleware(HttpMiddleware):
    """Makes the client's address (as uvicorn saw it, proxies resolved) known to `record`."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = client_address_var.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            client_address_var.reset(token)


def events_about(session: Session, user_id: uuid.UUID, actions: Sequence[str]) -> list[AuditEvent]:
    """The events about one person (as their subject) with these actions, oldest first."""
    ref = person_ref(session, user_id)
    if ref is None:
        return []
    return list(
        session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.subject_ref) == ref, col(AuditEvent.action).in_(list(actions)))
            .order_by(col(AuditEvent.seq))
        ).all()
    )


def record_alone(**event: object) -> None:
    """For events whose request is rolled back (a failed login): a transaction of their own."""
    with open_session(write=True) as session:
        record(session, **event)  # type: ignore[arg-type]
        session.commit()
