import uuid
from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class AccountReset(SQLModel, table=True):
    """A care-team assisted password reset of one participant (issue 17, item 3).

    Two people are needed: a clinician of the participant's team starts it, a second person
    (another clinician of that team, or an admin) approves it; only then can the starter make
    the one-time reset code (140 random bits, only its SHA-256 kept, 24 hours) to hand over in
    person. Nobody ever sets a password: the participant does, with the code. The people are
    SET NULL when their account goes, so the participant still sees that a reset happened."""

    __tablename__ = "account_resets"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = reference("users.id", index=True)
    started_by_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    approved_by_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    code_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True, unique=True))
    code_issued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    code_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    cancelled_by_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    # When the participant said they read the notice of a used reset.
    seen_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
