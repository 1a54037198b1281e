import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import EncryptedText, UTCDateTime, reference, utcnow

CHECK_IN_ITEMS = ("heard", "goals", "approach", "voice")


class CheckIn(SQLModel, table=True):
    """After an appointment: how did it go? (issue 14, item 3). Four of Stem's own statements, each
    0 to 10 (any may be skipped), and anything to add. Private until the participant sends it to
    the clinician of that appointment; taken back at once. Not a validated questionnaire."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("participant_id", "appointment_id", name="uq_check_ins_participant_appointment"),
        Index("ix_check_ins_participant_clinician", "participant_id", "clinician_id", "appointment_at"),
        *(
            CheckConstraint(f"{item} IS NULL OR ({item} >= 0 AND {item} <= 10)", name=f"{item}_range")
            for item in CHECK_IN_ITEMS
        ),
    )

    # May be made by the phone, so that a check-in sent twice is kept once.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = reference("users.id")
    # SET NULL: a cancelled appointment or an erased clinician leaves the participant's answers.
    appointment_id: uuid.UUID | None = reference("appointments.id", on_delete="SET NULL", nullable=True)
    clinician_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True, index=True)
    appointment_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    heard: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    goals: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    approach: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    voice: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    note: str | None = Field(default=None, sa_column=Column(EncryptedText("check_ins.note"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
