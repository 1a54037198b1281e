import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import EncryptedText, UTCDateTime, reference, utcnow


class GoalWording(SQLModel, table=True):
    """An earlier wording of a goal (an entry of kind goal), kept when the participant rewords it
    (issue 14): a goal's history is never overwritten. The current wording is the entry's body;
    wording `number` 1 is the first one, the current one is the count of these plus one."""

    __tablename__ = "goal_wordings"
    __table_args__ = (
        UniqueConstraint("entry_id", "number", name="uq_goal_wordings_entry_number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entry_id: uuid.UUID = reference("entries.id", index=True)
    number: int = Field(sa_column=Column(Integer(), nullable=False))
    body: str = Field(sa_column=Column(EncryptedText("goal_wordings.body"), nullable=False))
    worded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    replaced_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class GoalRating(SQLModel, table=True):
    """The participant's answer to "how well can I do this now?", 0 to 10, whenever they want.
    Private with its goal: a clinician sees it only while the goal is shared with them."""

    __tablename__ = "goal_ratings"
    __table_args__ = (
        CheckConstraint("value >= 0 AND value <= 10", name="value_range"),
        Index("ix_goal_ratings_entry_rated", "entry_id", "rated_at"),
    )

    # May be made by the phone, so that a rating sent twice is kept once.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entry_id: uuid.UUID = reference("entries.id")
    value: int = Field(sa_column=Column(Integer(), nullable=False))
    rated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
