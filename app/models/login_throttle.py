from datetime import datetime

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime


class LoginThrottle(SQLModel, table=True):
    """Failed-login counters in a fixed window, shared by every app process through the database."""

    __tablename__ = "login_throttles"

    # "account:<HMAC-SHA256 of username>" or "address:<HMAC-SHA256 of client address>" (secret key).
    key: str = Field(sa_column=Column(String(80), primary_key=True))
    window_started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    failures: int = Field(sa_column=Column(Integer(), nullable=False, default=0))
