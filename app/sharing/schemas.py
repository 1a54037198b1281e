"""Shapes of sharing, appointments, agendas, responses and the access log."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from app.journal.schemas import EntryPublic
from app.models.enums import Discipline, Outcome, ParticipantView, ResponseKind, ShareAudience
from app.validation import StrictModel


class _Strict(StrictModel):
    """Unknown fields and unstorable text are refused."""


class ShareCreate(_Strict):
    """With the whole care team (`audience: team`) or with chosen clinicians of it."""

    audience: Literal["team"] | None = None
    clinician_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _one_audience(self) -> "ShareCreate":
        if (self.audience is None) == (self.clinician_ids is None):
            raise ValueError("choose audience 'team' or clinician_ids")
        return self


class BulkShareCreate(ShareCreate):
    entry_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)


class SharePublic(BaseModel):
    id: uuid.UUID
    entry_id: uuid.UUID
    audience: ShareAudience
    clinician_id: uuid.UUID | None
    clinician_name: str | None
    clinician_discipline: Discipline | None
    created_at: datetime
    revoked_at: datetime | None


class StorySharePublic(BaseModel):
    """A share of the participant's story, with whom and since when (revoked: no longer)."""

    id: uuid.UUID
    audience: ShareAudience
    clinician_id: uuid.UUID | None
    clinician_name: str | None
    clinician_discipline: Discipline | None
    created_at: datetime
    revoked_at: datetime | None


class TeamJoiner(BaseModel):
    """A clinician who joined the participant's team after something was shared with the whole
    team, not yet answered: the participant decides whether they may see what was shared with
    the team before they joined (`earlier_team_shares` of them); new team shares they see."""

    clinician_id: uuid.UUID
    clinician_name: str
    clinician_discipline: Discipline | None
    joined_at: datetime
    earlier_team_shares: int


class TeamJoinerDecision(_Strict):
    """`allowed: true` lets the clinician see what was shared with the whole team before they
    joined; `false` keeps those from them (what is shared with the team from now on they see)."""

    allowed: bool


class TeamJoinerDecided(BaseModel):
    clinician_id: uuid.UUID
    allowed: bool
    decided_at: datetime


class ResponseCreate(_Strict):
    kind: ResponseKind
    body: str | None = Field(default=None, max_length=4000)
    outcome: Outcome | None = None


class MessageCreate(_Strict):
    """The participant's answer in the thread of a shared entry."""

    body: str = Field(max_length=4000)


class ParticipantViewCreate(_Strict):
    view: ParticipantView
    note: str | None = Field(default=None, max_length=1000)


class ResponsePublic(BaseModel):
    id: uuid.UUID
    entry_id: uuid.UUID
    kind: ResponseKind
    body: str | None
    outcome: Outcome | None
    # On a goal: the number of the wording this outcome (the clinician's agreement) is about.
    goal_wording: int | None = None
    clinician_id: uuid.UUID | None
    clinician_name: str | None
    clinician_discipline: Discipline | None
    created_at: datetime
    from_participant: bool
    participant_view: ParticipantView | None
    participant_note: str | None
    participant_viewed_at: datetime | None


class EntrySharing(BaseModel):
    """Next to one of my entries in a list: with whom it is shared now, and what the team said."""

    shared_with_team: bool = False
    shared_with: list[str] = Field(default_factory=list)
    replies: int = 0
    seen: int = 0
    latest_response_at: datetime | None = None

    @property
    def shared(self) -> bool:
        return self.shared_with_team or bool(self.shared_with)


class ResponseToMe(BaseModel):
    """A response of my team, with the entry of mine it is about."""

    response: ResponsePublic
    entry: EntryPublic


class AccessLogItem(BaseModel):
    """One clinician read of one of my entries, from the audit log."""

    entry_id: uuid.UUID = Field(description="May name an entry that has since been erased")
    clinician_name: str | None = Field(description="null when the clinician's account no longer exists")
    clinician_discipline: Discipline | None
    via: str = Field(description='"preparation" or "responses"')
    accessed_at: datetime


class AppointmentCreate(_Strict):
    starts_at: AwareDatetime
    participant_id: uuid.UUID | None = None
    clinician_id: uuid.UUID | None = None


class RaiseCreate(_Strict):
    """Raise an entry at my next session: with this appointment's clinician, or with this clinician
    the next time I see them (then on our next planned appointment's agenda, if there is one)."""

    appointment_id: uuid.UUID | None = None
    clinician_id: uuid.UUID | None = None


class AgendaSet(_Strict):
    entry_ids: list[uuid.UUID] = Field(max_length=50)
    important_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class AgendaItemPublic(BaseModel):
    entry_id: uuid.UUID
    position: int
    important: bool


class AppointmentPublic(BaseModel):
    id: uuid.UUID
    participant_id: uuid.UUID
    participant_name: str
    clinician_id: uuid.UUID
    clinician_name: str
    clinician_discipline: Discipline | None
    starts_at: datetime
    agenda: list[AgendaItemPublic]


class RaisePublic(BaseModel):
    """What one step of "raise this at my next session" did: shared with whom, on which agenda."""

    entry_id: uuid.UUID
    clinician_id: uuid.UUID
    clinician_name: str
    appointment: AppointmentPublic | None


class CalendarLinkStatus(BaseModel):
    """Whether I have a private calendar link, and since when; never the link itself (only a
    hash of its secret is kept)."""

    on: bool
    created_at: datetime | None
