"""What the browser sends when reminders are turned on, and what a person sees of their devices
and reminder settings. Keys are never shown back."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, StrictBool

from app.validation import StrictModel, WallClockTime


class PushKeys(BaseModel):
    p256dh: str = Field(default="", max_length=200)
    auth: str = Field(default="", max_length=100)


class PushSubscriptionCreate(BaseModel):
    """The browser's PushSubscription.toJSON(), and a name for the device. Checked in the service,
    so each problem gets a message in the person's language."""

    endpoint: str = Field(default="", max_length=2000)
    expirationTime: float | None = None  # noqa: N815 (the browser's own name)
    keys: PushKeys = Field(default_factory=PushKeys)
    label: str = Field(default="", max_length=200)


class DevicePublic(BaseModel):
    id: uuid.UUID
    label: str
    # Only the push service's host (e.g. fcm.googleapis.com): the endpoint itself is a secret address.
    push_service: str
    created_at: datetime


class ReminderSettingsPublic(BaseModel):
    """Each kind's switch is named after the kind; the account page offers a person only the
    kinds of their role."""

    appointment_tomorrow: bool
    appointment_checkin: bool
    shared_for_appointment: bool
    appointment_tomorrow_at: WallClockTime
    quiet_from: WallClockTime
    quiet_until: WallClockTime


class ReminderSettingsUpdate(StrictModel):
    # JSON's true or false only: the schema says boolean, so "yes" or 1 is refused, not guessed.
    appointment_tomorrow: StrictBool | None = None
    appointment_checkin: StrictBool | None = None
    shared_for_appointment: StrictBool | None = None
    appointment_tomorrow_at: WallClockTime | None = None
    quiet_from: WallClockTime | None = None
    quiet_until: WallClockTime | None = None


class PushPublicKey(BaseModel):
    application_server_key: str


class ReminderPublic(BaseModel):
    """A reminder that was or will be pushed to me: its kind and when, never a push address."""

    kind: str
    appointment_id: uuid.UUID
    due_at: datetime
    status: str
    sent_at: datetime | None
