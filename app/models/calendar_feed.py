import uuid
from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class CalendarFeed(SQLModel, table=True):
    """A participant's private calendar link: a calendar app fetches their appointments with it,
    without signing in. At most one per person. Only the SHA-256 of the link's secret (256
    random bits) is stored; the link is shown once, when made. Making a new one replaces it."""

    __tablename__ = "calendar_feeds"

    user_id: uuid.UUID = reference("users.id", primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
