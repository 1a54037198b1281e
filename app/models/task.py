import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, Index, Integer
from sqlmodel import Field, SQLModel

from app.models.enums import TaskAnswer, TryOutcome
from app.models.types import EncryptedText, UTCDateTime, enum_column_type, reference, utcnow


class Task(SQLModel, table=True):
    """A step of the plan, in plain words, that a clinician suggests to a participant of their
    team (issue 14, item 2): an exercise, something to try, a step towards a goal. The participant
    always sees the tasks written for them; a clinician sees the tasks they wrote while the
    participant is in one of their teams. A task is never deleted by its clinician (the
    participant's answers and tries hang on it): it is withdrawn."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_participant_created", "participant_id", "created_at"),)

    # May be made by the client, so that a task sent twice is kept once.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = reference("users.id")
    # SET NULL: when the clinician's account goes, the participant keeps the task ("a former
    # team member" wrote it).
    clinician_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True, index=True)
    # One of the participant's goals, shared with the clinician when the task was written; shown
    # to the clinician only while it is still shared with them.
    goal_id: uuid.UUID | None = reference("entries.id", on_delete="SET NULL", nullable=True)
    body: str = Field(sa_column=Column(EncryptedText("tasks.body"), nullable=False))
    how_often: str | None = Field(
        default=None, sa_column=Column(EncryptedText("tasks.how_often"), nullable=True)
    )
    until: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    version: int = Field(default=1, sa_column=Column(Integer(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class TaskAnswerRecord(SQLModel, table=True):
    """The participant's answer to a task: "this fits me / I have doubts / this does not fit me",
    with an optional why. Every answer is kept (the latest counts); private until the participant
    sends it to the task's clinician, and taken back at once when they unsend it."""

    __tablename__ = "task_answers"
    __table_args__ = (Index("ix_task_answers_task_answered", "task_id", "answered_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    task_id: uuid.UUID = reference("tasks.id")
    answer: TaskAnswer = Field(sa_column=Column(enum_column_type(TaskAnswer), nullable=False))
    note: str | None = Field(
        default=None, sa_column=Column(EncryptedText("task_answers.note"), nullable=True)
    )
    answered_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class TaskTry(SQLModel, table=True):
    """One try of a task: did it / partly / not this time / it hurt too much, with an optional
    note. Private until the participant sends it, like an answer."""

    __tablename__ = "task_tries"
    __table_args__ = (Index("ix_task_tries_task_tried", "task_id", "tried_at"),)

    # May be made by the phone, so that a try sent twice is kept once.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    task_id: uuid.UUID = reference("tasks.id")
    outcome: TryOutcome = Field(sa_column=Column(enum_column_type(TryOutcome), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(EncryptedText("task_tries.note"), nullable=True))
    tried_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
