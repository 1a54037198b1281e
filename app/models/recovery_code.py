import uuid
from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class RecoveryCode(SQLModel, table=True):
    """One of a person's one-time recovery codes: a code and a new password get them back in
    when the password is forgotten. Only the SHA-256 of the code (120 random bits) is stored;
    the codes are shown once, when made. Making a new set removes the old one."""

    __tablename__ = "recovery_codes"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = reference("users.id", index=True)
    code_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
