import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Uuid
from sqlmodel import Field, SQLModel

from app.models.enums import Discipline
from app.models.types import UTCDateTime, enum_column_type, utcnow


class EntryRead(SQLModel, table=True):
    """When a clinician last opened a shared entry: drives "new since I last looked"."""

    __tablename__ = "entry_reads"

    clinician_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    entry_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    )
    first_opened_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_opened_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class AccessEvent(SQLModel, table=True):
    """One clinician read of one shared entry, shown to the participant ("who viewed what I shared")."""

    __tablename__ = "access_events"
    __table_args__ = (Index("ix_access_events_participant", "participant_id", "accessed_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    entry_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid(), ForeignKey("entries.id", ondelete="SET NULL"), nullable=True)
    )
    clinician_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    # Kept as written at the time, so the log stays readable if the account is later removed.
    clinician_name: str = Field(sa_column=Column(String(80), nullable=False))
    clinician_discipline: Discipline | None = Field(
        default=None,
        sa_column=Column(enum_column_type(Discipline, name="clinician_discipline"), nullable=True),
    )
    via: str = Field(sa_column=Column(String(32), nullable=False))
    accessed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
