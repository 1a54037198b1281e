import uuid
from datetime import datetime, time

from sqlalchemy import Boolean, Column, Index, Integer, String, Text, Time, UniqueConstraint, true
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, reference, utcnow


class PushSubscription(SQLModel, table=True):
    """One browser on one device that may receive Web Push reminders (RFC 8030): where to send
    them (the push service's endpoint) and the keys to encrypt them with (RFC 8291)."""

    __tablename__ = "push_subscriptions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = reference("users.id", index=True)
    # A push service's URL is unguessable and names this browser: unique across all people.
    endpoint: str = Field(sa_column=Column(String(1024), nullable=False, unique=True))
    p256dh: str = Field(sa_column=Column(String(128), nullable=False))
    auth: str = Field(sa_column=Column(String(64), nullable=False))
    label: str = Field(default="", sa_column=Column(String(80), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ReminderSettings(SQLModel, table=True):
    """What a person wants to be reminded of, when, and when never. A person without a row has
    the defaults (see app.reminders.service). Each kind of reminder has its switch, named after
    the kind; a person is offered only the kinds of their role."""

    __tablename__ = "reminder_settings"

    user_id: uuid.UUID = reference("users.id", primary_key=True)
    appointment_tomorrow: bool = Field(default=True, sa_column=Column(Boolean(), nullable=False))
    # The time of day for reminders about tomorrow: a participant's appointment, or what a
    # participant sent a clinician for it.
    appointment_tomorrow_at: time = Field(sa_column=Column(Time(), nullable=False))
    appointment_checkin: bool = Field(
        default=True, sa_column=Column(Boolean(), nullable=False, server_default=true())
    )
    shared_for_appointment: bool = Field(
        default=True, sa_column=Column(Boolean(), nullable=False, server_default=true())
    )
    quiet_from: time = Field(sa_column=Column(Time(), nullable=False))
    quiet_until: time = Field(sa_column=Column(Time(), nullable=False))


class PushOutboxItem(SQLModel, table=True):
    """A notification to send to one person (to each of their devices), exactly once. The
    unique key makes enqueuing idempotent; a sender claims an item with a lease."""

    __tablename__ = "push_outbox"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "appointment_id", name="uq_push_outbox_user_id_kind_appointment"),
        Index("ix_push_outbox_due", "status", "due_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = reference("users.id")
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    # Appointments are never NULL here: the key above needs a value to be unique on both databases.
    appointment_id: uuid.UUID = reference("appointments.id")
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Until when the reminder still makes sense (the appointment's start): later, it is dropped.
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer(), nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
