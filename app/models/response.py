import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, Index, Integer, false
from sqlmodel import Field, SQLModel

from app.models.enums import Outcome, ParticipantView, ResponseKind
from app.models.types import EncryptedText, UTCDateTime, enum_column_type, reference, utcnow


class EntryResponse(SQLModel, table=True):
    """A clinician closing the loop on a shared entry: seen, a reply, or discussed with an outcome;
    or the participant answering in the same short thread (a reply with `from_participant`)."""

    __tablename__ = "entry_responses"
    __table_args__ = (Index("ix_entry_responses_entry", "entry_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entry_id: uuid.UUID = reference("entries.id")
    clinician_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    kind: ResponseKind = Field(sa_column=Column(enum_column_type(ResponseKind), nullable=False))
    body: str | None = Field(
        default=None, sa_column=Column(EncryptedText("entry_responses.body"), nullable=True)
    )
    outcome: Outcome | None = Field(default=None, sa_column=Column(enum_column_type(Outcome), nullable=True))
    # On a goal: which of its wordings this outcome (the clinician's agreement) is about.
    goal_wording: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # The entry's author wrote this one (then clinician_id is None): their answer to the team.
    from_participant: bool = Field(
        default=False, sa_column=Column(Boolean(), nullable=False, server_default=false())
    )
    # The participant's word on a recorded outcome: theirs is the last.
    participant_view: ParticipantView | None = Field(
        default=None, sa_column=Column(enum_column_type(ParticipantView), nullable=True)
    )
    participant_note: str | None = Field(
        default=None, sa_column=Column(EncryptedText("entry_responses.participant_note"), nullable=True)
    )
    participant_viewed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
