import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class AuditEvent(SQLModel, table=True):
    """Append-only, chained with a keyed hash (HMAC, key outside the database): each row's hash
    covers the previous row's hash, so an edited, deleted or reordered row breaks the chain, and
    nobody without the key can recompute the hashes after it (`stem audit verify`).

    People appear only as pseudonymous references (see AuditPerson); never journal text or tokens.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_ref", "seq"),
        Index("ix_audit_events_actor", "actor_ref", "seq"),
        # "Who read this entry of mine": the participant's reads of one entry (target = its id).
        Index("ix_audit_events_subject_target", "subject_ref", "target"),
    )

    seq: int = Field(sa_column=Column(BigInteger(), primary_key=True, autoincrement=False))
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    actor_ref: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    actor_role: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    subject_ref: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    target: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    client_address: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    outcome: str = Field(sa_column=Column(String(16), nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


class AuditPerson(SQLModel, table=True):
    """Who a pseudonymous reference is. Erasing an account deletes this row (cascade): the
    audit rows stay, and stay intact, but no longer point to a person."""

    __tablename__ = "audit_people"

    ref: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: uuid.UUID = reference("users.id", unique=True)
