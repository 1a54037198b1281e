import uuid
from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class LoginSession(SQLModel, table=True):
    """A server-side session: revocable at once, unlike a signed cookie."""

    __tablename__ = "login_sessions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # SHA-256 of the cookie's random token; a stolen table opens no session.
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: uuid.UUID = reference("users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    idle_expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
