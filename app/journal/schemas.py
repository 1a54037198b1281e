"""Request and response shapes of the journal API."""

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.models.enums import Discipline, EntryKind, GoalStatus, Importance, Topic
from app.validation import StrictModel

MAX_BODY = 5000
MAX_GOAL_NOTE = 1000


class _Strict(StrictModel):
    """Unknown fields and unstorable text are refused."""


class EntryFields(BaseModel):
    """What a participant writes: the fields that the author's, the API's and a clinician's view
    of an entry share."""

    kind: EntryKind
    # Length is checked after normalising line endings, in the service (with a clear message).
    body: str = Field(max_length=MAX_BODY * 2)
    topic: Topic | None = None
    about_discipline: Discipline | None = None
    about_clinician_id: uuid.UUID | None = None
    importance: Importance = Importance.normal
    raise_next_session: bool = False
    intensity: int | None = Field(default=None, ge=0, le=10)
    goal_status: GoalStatus | None = None
    # A goal's optional why, when it was reached or let go.
    goal_note: str | None = Field(default=None, max_length=MAX_GOAL_NOTE * 2)


class EntryCreate(EntryFields, _Strict):
    """A new entry. `id` may be made by the phone, so that a replayed save is recognised."""

    id: uuid.UUID | None = None
    # When the participant wrote it (on the phone, perhaps offline); defaults to now.
    written_at: AwareDatetime | None = None
    # The participant's own appointment it is about (written from a check-in); set once, here.
    appointment_id: uuid.UUID | None = None


class EntryUpdate(_Strict):
    """Only the fields given change. `version` may stand in for an If-Match header."""

    kind: EntryKind | None = None
    body: str | None = Field(default=None, max_length=MAX_BODY * 2)
    topic: Topic | None = None
    about_discipline: Discipline | None = None
    about_clinician_id: uuid.UUID | None = None
    importance: Importance | None = None
    raise_next_session: bool | None = None
    intensity: int | None = Field(default=None, ge=0, le=10)
    goal_status: GoalStatus | None = None
    goal_note: str | None = Field(default=None, max_length=MAX_GOAL_NOTE * 2)
    version: int | None = Field(default=None, ge=1)


class EntryPublic(EntryFields):
    """An entry as its author sees it."""

    # An answer always carries every field, defaults included: the published schema says so.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    id: uuid.UUID
    # Not in EntryFields: a clinician's view never carries it.
    appointment_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    purge_at: datetime | None = Field(description="When a deleted entry is gone for good")


class EntryPage(BaseModel):
    items: list[EntryPublic]
    next_cursor: str | None


class EntryConflict(BaseModel):
    """Body of a 412: the entry as it is now, so the participant can compare and keep their text."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    current: EntryPublic
