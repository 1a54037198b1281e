"""What a clinician sees. Narrower than the author's view: it cannot carry private fields."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.goals.schemas import GoalView
from app.journal.schemas import EntryFields
from app.models.enums import Discipline, EntryKind, Outcome, ParticipantView
from app.sharing.schemas import AppointmentPublic, ResponsePublic


class SharedWith(BaseModel):
    audience: str
    clinician_name: str | None
    clinician_discipline: Discipline | None


class ClinicianEntryView(EntryFields):
    """An entry as a clinician it is shared with sees it: no version, trash or private state."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    id: uuid.UUID
    created_at: datetime
    edited_after_sharing: bool
    is_new: bool
    # Disagreements and goals: not agreed yet, or the participant's latest view disputes it.
    is_open: bool
    shared_with: list[SharedWith]
    responses: list[ResponsePublic]
    agreement: Outcome | None
    participant_view: ParticipantView | None
    participant_note: str | None
    goal: GoalView | None = Field(
        default=None, description="On a goal: every wording, the ratings and the agreement per wording"
    )


class EntryBrief(BaseModel):
    """Whose entry it is and its kind: where a clinician's page goes back to after a response."""

    participant_id: uuid.UUID
    kind: EntryKind


class ParticipantSummary(BaseModel):
    id: uuid.UUID
    display_name: str
    team_id: uuid.UUID
    next_appointment: datetime | None
    unread_count: int


class ParticipantBrief(BaseModel):
    id: uuid.UUID
    display_name: str


class Preparation(BaseModel):
    """In the order a clinician reads before a session."""

    participant: ParticipantBrief
    next_appointment: AppointmentPublic | None
    agenda: list[ClinicianEntryView]
    disagreements: list[ClinicianEntryView]
    questions: list[ClinicianEntryView]
    goals: list[ClinicianEntryView]
    thoughts_and_feelings: list[ClinicianEntryView]
