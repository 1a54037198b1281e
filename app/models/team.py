import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, Index, String, text
from sqlmodel import Field, SQLModel

from app.models.enums import Role
from app.models.types import UTCDateTime, enum_column_type, reference, utcnow


class CareTeam(SQLModel, table=True):
    __tablename__ = "care_teams"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # Shown to the team's participants on "Help now" and where they share; set by an admin.
    help_phone: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    help_hours: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    reading_habit: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))


class TeamMembership(SQLModel, table=True):
    """A clinician may be in several teams; a participant in exactly one (the partial index)."""

    __tablename__ = "team_memberships"
    __table_args__ = (
        Index(
            "uq_team_memberships_one_team_per_participant",
            "user_id",
            unique=True,
            sqlite_where=text("member_role = 'participant'"),
            postgresql_where=text("member_role = 'participant'"),
        ),
    )

    team_id: uuid.UUID = reference("care_teams.id", primary_key=True)
    user_id: uuid.UUID = reference("users.id", primary_key=True, index=True)
    # A copy of the user's role (which never changes), so the database can hold the rule above.
    member_role: Role = Field(sa_column=Column(enum_column_type(Role), nullable=False))
    joined_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class TeamShareDecision(SQLModel, table=True):
    """A participant's answer to "this clinician joined your team: may they see what you had
    shared with the whole team before?". Without a row (or with `allowed` false) a clinician
    who joined the team after a team share sees only team shares made after they joined."""

    __tablename__ = "team_share_decisions"

    participant_id: uuid.UUID = reference("users.id", primary_key=True)
    clinician_id: uuid.UUID = reference("users.id", primary_key=True, index=True)
    team_id: uuid.UUID = reference("care_teams.id", primary_key=True)
    allowed: bool = Field(sa_column=Column(Boolean(), nullable=False))
    decided_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
