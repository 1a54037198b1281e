import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from app.models.enums import Discipline, EntryKind, GoalStatus, Importance, Topic
from app.models.types import EncryptedText, UTCDateTime, enum_column_type, reference, utcnow


class Entry(SQLModel, table=True):
    """One journal entry. Private to its author unless they share it (sharing comes later)."""

    __tablename__ = "entries"
    __table_args__ = (
        # The journal list: own entries, newest first, with a stable tiebreak for the cursor.
        Index("ix_entries_author_created", "author_id", "created_at", "id"),
        CheckConstraint("intensity IS NULL OR (intensity >= 0 AND intensity <= 10)", name="intensity_range"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    # Client-generated where the phone made it, so a replayed save is recognised.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    author_id: uuid.UUID = reference("users.id")
    kind: EntryKind = Field(sa_column=Column(enum_column_type(EntryKind), nullable=False))
    body: str = Field(sa_column=Column(EncryptedText("entries.body"), nullable=False))
    topic: Topic | None = Field(default=None, sa_column=Column(enum_column_type(Topic), nullable=True))
    about_discipline: Discipline | None = Field(
        default=None, sa_column=Column(enum_column_type(Discipline, name="about_discipline"), nullable=True)
    )
    about_clinician_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    # The appointment it was written about (from a check-in); SET NULL when the appointment goes.
    appointment_id: uuid.UUID | None = reference("appointments.id", on_delete="SET NULL", nullable=True)
    importance: Importance = Field(
        default=Importance.normal, sa_column=Column(enum_column_type(Importance), nullable=False)
    )
    raise_next_session: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    intensity: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    goal_status: GoalStatus | None = Field(
        default=None, sa_column=Column(enum_column_type(GoalStatus), nullable=True)
    )
    # A goal's "why" when reached or let go (optional), and its place in "matters most" order.
    goal_note: str | None = Field(
        default=None, sa_column=Column(EncryptedText("entries.goal_note"), nullable=True)
    )
    goal_rank: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    version: int = Field(default=1, sa_column=Column(Integer(), nullable=False))
    # Keyed digest of the create request: a replay with the same id must carry the same content.
    create_digest: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
