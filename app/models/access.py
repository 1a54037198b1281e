import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class EntryRead(SQLModel, table=True):
    """When a clinician last opened a shared entry: drives "new since I last looked"."""

    __tablename__ = "entry_reads"

    clinician_id: uuid.UUID = reference("users.id", primary_key=True)
    entry_id: uuid.UUID = reference("entries.id", primary_key=True)
    first_opened_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_opened_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
