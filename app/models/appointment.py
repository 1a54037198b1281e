import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, Index, Integer
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class Appointment(SQLModel, table=True):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_participant", "participant_id", "starts_at"),
        Index("ix_appointments_clinician", "clinician_id", "starts_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = reference("users.id")
    clinician_id: uuid.UUID = reference("users.id")
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class AgendaItem(SQLModel, table=True):
    """An entry the participant put on the agenda of an appointment, in their order."""

    __tablename__ = "agenda_items"

    appointment_id: uuid.UUID = reference("appointments.id", primary_key=True)
    entry_id: uuid.UUID = reference("entries.id", primary_key=True)
    position: int = Field(sa_column=Column(Integer(), nullable=False))
    important: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
