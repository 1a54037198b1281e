import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import EncryptedText, UTCDateTime, reference, utcnow


class Story(SQLModel, table=True):
    """A participant's "My story": their care history told once, in their own words (issue 15).

    One per participant; what they wrote is in its versions, every saved one kept. Private until
    the participant shares it (a `Share` with `story_id`), under the same rule as an entry."""

    __tablename__ = "stories"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = reference("users.id", unique=True)
    version: int = Field(default=1, sa_column=Column(Integer(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class StoryVersion(SQLModel, table=True):
    """One saved version of a story, never changed afterwards. `content` is the sections and the
    list of earlier treatments as JSON, encrypted like every other free text."""

    __tablename__ = "story_versions"
    __table_args__ = (UniqueConstraint("story_id", "version", name="uq_story_versions_story_version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    story_id: uuid.UUID = reference("stories.id", index=True)
    version: int = Field(sa_column=Column(Integer(), nullable=False))
    content: str = Field(sa_column=Column(EncryptedText("story_versions.content"), nullable=False))
    saved_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class StoryRead(SQLModel, table=True):
    """Which version of a story a clinician last read: what changed since is marked for them."""

    __tablename__ = "story_reads"

    story_id: uuid.UUID = reference("stories.id", primary_key=True)
    clinician_id: uuid.UUID = reference("users.id", primary_key=True, index=True)
    version: int = Field(sa_column=Column(Integer(), nullable=False))
    read_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
