import uuid
from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.models.enums import Discipline, Role
from app.models.types import UTCDateTime, enum_column_type, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Stored lower-cased: usernames are unique regardless of case.
    username: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    display_name: str = Field(sa_column=Column(String(80), nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    role: Role = Field(sa_column=Column(enum_column_type(Role), nullable=False))
    discipline: Discipline | None = Field(
        default=None, sa_column=Column(enum_column_type(Discipline), nullable=True)
    )
    locale: str = Field(default="en", sa_column=Column(String(8), nullable=False))
    time_zone: str = Field(default="Europe/Amsterdam", sa_column=Column(String(64), nullable=False))
    is_active: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    password_changed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
