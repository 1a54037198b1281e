"""Request and response shapes of tasks: a clinician's suggestion, the participant's answer and
tries, and what the clinician sees of them (only what the participant sent)."""

import uuid
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field

from app.models.enums import Discipline, TaskAnswer, TryOutcome
from app.validation import StrictModel

MAX_TASK = 1000
MAX_HOW_OFTEN = 120
MAX_NOTE = 1000


class TaskCreate(StrictModel):
    """A task for a participant of my team. `id` may be made by the client, so that a task sent
    twice is kept once. `goal_id`: one of the participant's goals shared with me."""

    id: uuid.UUID | None = None
    body: str = Field(max_length=MAX_TASK * 2)
    how_often: str | None = Field(default=None, max_length=MAX_HOW_OFTEN * 2)
    until: date | None = None
    goal_id: uuid.UUID | None = None


class TaskUpdate(StrictModel):
    """Only the fields given change; `null` clears an optional one. `version` may stand in for an
    If-Match header."""

    body: str | None = Field(default=None, max_length=MAX_TASK * 2)
    how_often: str | None = Field(default=None, max_length=MAX_HOW_OFTEN * 2)
    until: date | None = None
    goal_id: uuid.UUID | None = None
    version: int | None = Field(default=None, ge=1)


class TaskAnswerSet(StrictModel):
    """ "This fits me / I have doubts / this does not fit me", with an optional why. Private until sent."""

    answer: TaskAnswer
    note: str | None = Field(default=None, max_length=MAX_NOTE * 2)


class TaskTryCreate(StrictModel):
    """One try. `id` may be made by the phone (a try sent twice is kept once); `tried_at`
    defaults to now. Private until sent."""

    id: uuid.UUID | None = None
    outcome: TryOutcome
    note: str | None = Field(default=None, max_length=MAX_NOTE * 2)
    tried_at: AwareDatetime | None = None


class TaskRaise(StrictModel):
    """Put this task on the agenda of my next session with its clinician, in my own words (a
    disagreement about exercises, shared with that clinician only)."""

    body: str = Field(max_length=10_000)


class TaskAnswerPublic(BaseModel):
    answer: TaskAnswer
    note: str | None
    answered_at: datetime
    sent_at: datetime | None


class TaskTryPublic(BaseModel):
    id: uuid.UUID
    outcome: TryOutcome
    note: str | None
    tried_at: datetime
    sent_at: datetime | None


class TaskFields(BaseModel):
    id: uuid.UUID
    body: str
    how_often: str | None
    until: date | None
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None
    version: int


class TaskPublic(TaskFields):
    """A task as the participant sees it: who suggested it, their own answer (the latest) and
    every try, each saying whether it was sent; `sent_answer` is what the clinician sees now."""

    clinician_id: uuid.UUID | None
    clinician_name: str | None
    clinician_discipline: Discipline | None
    goal_id: uuid.UUID | None
    goal_body: str | None = Field(description="The current wording of my goal it is linked to")
    answer: TaskAnswerPublic | None = Field(description="My latest answer")
    answers: list[TaskAnswerPublic] = Field(description="Every answer I gave, oldest first")
    sent_answer: TaskAnswerPublic | None
    tries: list[TaskTryPublic] = Field(description="Newest first")
    unsent: bool = Field(description="Something of mine here is not sent yet")


class ClinicianTaskView(TaskFields):
    """A task I suggested, with what the participant sent me of it and nothing else: the latest
    answer they sent, the tries they sent. The goal only while it is shared with me."""

    participant_id: uuid.UUID
    goal_id: uuid.UUID | None
    goal_body: str | None
    answer: TaskAnswerPublic | None
    tries: list[TaskTryPublic] = Field(description="Newest first")
