"""Request and response shapes of check-ins after an appointment."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.models.enums import Discipline
from app.validation import StrictModel

MAX_NOTE = 2000
ITEMS = ("heard", "goals", "approach", "voice")
_SCORE = Field(default=None, ge=0, le=10)


class CheckInCreate(StrictModel):
    """How an appointment of mine went: any of the four statements, 0 to 10, and a note. `id` may
    be made by the phone, so that a check-in sent twice is kept once. Private until sent."""

    id: uuid.UUID | None = None
    appointment_id: uuid.UUID
    heard: int | None = _SCORE
    goals: int | None = _SCORE
    approach: int | None = _SCORE
    voice: int | None = _SCORE
    note: str | None = Field(default=None, max_length=MAX_NOTE * 2)


class CheckInPublic(BaseModel):
    """A check-in as its participant sees it. `low` names the statements that fell clearly below
    their own recent level with this clinician (see `service.low_items`)."""

    id: uuid.UUID
    appointment_id: uuid.UUID | None
    appointment_at: datetime
    clinician_id: uuid.UUID | None
    clinician_name: str | None
    clinician_discipline: Discipline | None
    heard: int | None
    goals: int | None
    approach: int | None
    voice: int | None
    note: str | None
    created_at: datetime
    sent_at: datetime | None
    low: list[str] = Field(description="Statements clearly below the participant's recent level")


class CheckInSent(BaseModel):
    """A check-in as the clinician it was sent to sees it (only while it is sent)."""

    id: uuid.UUID
    appointment_id: uuid.UUID | None
    appointment_at: datetime
    heard: int | None
    goals: int | None
    approach: int | None
    voice: int | None
    note: str | None
    created_at: datetime
    sent_at: datetime
    low: list[str]


class CheckInDue(BaseModel):
    """A recent appointment of mine without a check-in yet: offered, never required."""

    appointment_id: uuid.UUID
    starts_at: datetime
    clinician_id: uuid.UUID
    clinician_name: str
