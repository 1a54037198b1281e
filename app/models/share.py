import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from app.models.enums import ShareAudience
from app.models.types import UTCDateTime, enum_column_type, reference, utcnow


class Share(SQLModel, table=True):
    """A participant's explicit act of showing one entry, or their story, to their whole team or
    to one clinician. Exactly one of `entry_id` and `story_id` is set; both follow one rule."""

    __tablename__ = "shares"
    __table_args__ = (
        CheckConstraint(
            "(audience = 'team' AND clinician_id IS NULL)"
            " OR (audience = 'clinician' AND clinician_id IS NOT NULL)",
            name="audience_matches_clinician",
        ),
        CheckConstraint("(entry_id IS NULL) <> (story_id IS NULL)", name="entry_or_story"),
        Index("ix_shares_entry", "entry_id"),
        Index("ix_shares_clinician", "clinician_id"),
        Index("ix_shares_participant", "participant_id"),
        Index("ix_shares_story", "story_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entry_id: uuid.UUID | None = reference("entries.id", nullable=True)
    story_id: uuid.UUID | None = reference("stories.id", nullable=True)
    # The entry's (or story's) author, kept here so visibility needs no join through entries.
    participant_id: uuid.UUID = reference("users.id")
    audience: ShareAudience = Field(sa_column=Column(enum_column_type(ShareAudience), nullable=False))
    clinician_id: uuid.UUID | None = reference("users.id", nullable=True)
    # For a share with the whole team: which team that was when the participant shared. The team
    # as it was then, not whoever is in it now: a clinician who joins later sees it only once the
    # participant agrees (TeamShareDecision), and a participant's move to another team ends it.
    # None (a share from before teams were recorded, with no team left) is visible to nobody.
    team_id: uuid.UUID | None = reference("care_teams.id", nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
