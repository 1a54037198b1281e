import uuid
from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.models.enums import Discipline, Role
from app.models.types import UTCDateTime, enum_column_type, reference, utcnow


class Invitation(SQLModel, table=True):
    __tablename__ = "invitations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # SHA-256 of the code; the code itself is shown once and never stored.
    code_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    team_id: uuid.UUID = reference("care_teams.id", index=True)
    role: Role = Field(sa_column=Column(enum_column_type(Role), nullable=False))
    discipline: Discipline | None = Field(
        default=None, sa_column=Column(enum_column_type(Discipline), nullable=True)
    )
    created_by_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    used_by_id: uuid.UUID | None = reference("users.id", on_delete="SET NULL", nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
