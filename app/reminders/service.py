"""Web Push reminders (issue 18): a person turns them on per device, chooses when, and is never
pushed during their quiet hours or more than a few times a day.

A push holds generic words only ("Your appointment is tomorrow..."), in the person's language,
and the page to open (a path with ids at most): never journal text, names, notes or topics. The
rest is fetched after sign-in. Nothing is enqueued for a person before they turn reminders on on
a device.

The kinds, each with its own switch (named after the kind) in the person's settings:
- APPOINTMENT_TOMORROW (participant): the day before an appointment, at their chosen time.
- APPOINTMENT_CHECKIN (participant): an hour after an appointment started (there is no end
  time), for as long as a check-in about it can still be given, until 3 days after its start.
- SHARED_FOR_APPOINTMENT (clinician): the day before an appointment, at their chosen time, when
  the participant has something for it (an entry about it or on its agenda) that the clinician
  may see by sharing's one rule; checked again just before sending, so a revoke counts at once.
Every kind waits for the end of the quiet hours, and counts towards the few a day.

Sending happens in steps, each its own transaction (see app.maintenance.run_push_sender):
`enqueue_due` adds outbox items (one per person, kind and appointment: the unique key makes it
idempotent), `claim_due` leases due items (PostgreSQL: FOR UPDATE SKIP LOCKED; both databases:
a conditional UPDATE), `deliver` posts them (no database), `record` writes the outcome.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.checkins import service as checkins
from app.errors import InvalidInput, NotFound
from app.i18n import N_, translate
from app.models import Appointment, PushOutboxItem, PushSubscription, ReminderSettings, User
from app.models.enums import Role
from app.reminders import repository
from app.reminders.repository import DROPPED, FAILED, PENDING, SENT
from app.reminders.schemas import (
    DevicePublic,
    PushSubscriptionCreate,
    ReminderPublic,
    ReminderSettingsPublic,
    ReminderSettingsUpdate,
)
from app.sharing import service as sharing

APPOINTMENT_TOMORROW = "appointment_tomorrow"
APPOINTMENT_CHECKIN = "appointment_checkin"
SHARED_FOR_APPOINTMENT = "shared_for_appointment"
# Which kinds a person of each role is offered (and may be sent); the setting of each is its name.
KINDS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.participant: (APPOINTMENT_TOMORROW, APPOINTMENT_CHECKIN),
    Role.clinician: (SHARED_FOR_APPOINTMENT,),
}
KINDS = (APPOINTMENT_TOMORROW, APPOINTMENT_CHECKIN, SHARED_FOR_APPOINTMENT)
CHECK_IN_AFTER = timedelta(hours=1)  # appointments have no end time: an hour after the start
CHECK_IN_UNTIL = timedelta(days=3)  # after the start; the home page offers one for a week
DEFAULT_REMIND_AT = time(18, 0)
DEFAULT_QUIET_FROM = time(21, 0)
DEFAULT_QUIET_UNTIL = time(8, 0)
MAX_PER_DAY = 3
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=2)
MAX_DEVICES = 10

DEVICE_NOT_FOUND = N_("This device does not exist, or it is not yours.")
ENDPOINT_INVALID = N_("This browser gave no valid address for reminders (it must start with https://).")
KEYS_INVALID = N_("This browser gave no valid keys for reminders. Try again, or try another browser.")
TOO_MANY_DEVICES = N_("You have reminders on 10 devices already. Turn one off first.")
QUIET_HOURS_INVALID = N_("Quiet hours must start and end at different times.")

# The only words a push carries: generic, the same for everyone, nothing a lock screen may not show.
WORDS = {
    APPOINTMENT_TOMORROW: N_("Your appointment is tomorrow. Anything you want to put on the agenda?"),
    APPOINTMENT_CHECKIN: N_("How did your appointment go? A short check-in, if you want."),
    SHARED_FOR_APPOINTMENT: N_("A participant sent you something for tomorrow's appointment."),
}


def page_for(kind: str, appointment: Appointment) -> str:
    """The page a reminder opens: a path of this site, with ids at most."""
    if kind == APPOINTMENT_CHECKIN:
        return f"/check-ins/new?appointment={appointment.id}"
    if kind == SHARED_FOR_APPOINTMENT:
        return f"/clinician/participants/{appointment.participant_id}"
    return "/appointments"


# --- devices --------------------------------------------------------------------------------


def _base64url_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def _valid_endpoint(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username and len(endpoint) <= 1024


def _device(subscription: PushSubscription) -> DevicePublic:
    return DevicePublic(
        id=subscription.id,
        label=subscription.label,
        push_service=urlsplit(subscription.endpoint).hostname or "",
        created_at=subscription.created_at,
    )


def subscribe(session: Session, *, actor: User, data: PushSubscriptionCreate) -> DevicePublic:
    """Turns reminders on for this browser. The same browser again (its endpoint) is updated; a
    browser someone else turned on before, on a shared computer, is theirs no more."""
    endpoint = data.endpoint.strip()
    if not _valid_endpoint(endpoint):
        raise InvalidInput(ENDPOINT_INVALID, field="endpoint")
    p256dh = _base64url_bytes(data.keys.p256dh.strip())
    auth = _base64url_bytes(data.keys.auth.strip())
    # An uncompressed P-256 point (RFC 8291: 65 bytes, starting with 4) and a 16-byte secret.
    if p256dh is None or len(p256dh) != 65 or p256dh[0] != 4 or auth is None or len(auth) != 16:
        raise InvalidInput(KEYS_INVALID, field="keys")
    label = " ".join(data.label.split())[:80]
    existing = repository.subscription_by_endpoint(session, endpoint)
    if existing is not None and existing.user_id != actor.id:
        repository.delete_subscription(session, existing.id)
        session.flush()
        existing = None
    if existing is None:
        if len(repository.subscriptions_of(session, actor.id)) >= MAX_DEVICES:
            raise InvalidInput(TOO_MANY_DEVICES, field="endpoint")
        existing = PushSubscription(user_id=actor.id, endpoint=endpoint, p256dh="", auth="")
        session.add(existing)
    existing.p256dh = data.keys.p256dh.strip()
    existing.auth = data.keys.auth.strip()
    existing.label = label
    session.flush()
    return _device(existing)


def my_devices(session: Session, *, actor: User) -> list[DevicePublic]:
    return [_device(each) for each in repository.subscriptions_of(session, actor.id)]


def remove_device(session: Session, *, actor: User, device_id: uuid.UUID) -> None:
    subscription = repository.subscription_by_id(session, device_id)
    if subscription is None or subscription.user_id != actor.id:
        raise NotFound(DEVICE_NOT_FOUND)
    repository.delete_subscription(session, device_id)
    session.flush()


# --- settings -------------------------------------------------------------------------------


def _settings_or_defaults(user_id: uuid.UUID, stored: ReminderSettings | None) -> ReminderSettings:
    return stored or ReminderSettings(
        user_id=user_id,
        appointment_tomorrow=True,
        appointment_checkin=True,
        shared_for_appointment=True,
        appointment_tomorrow_at=DEFAULT_REMIND_AT,
        quiet_from=DEFAULT_QUIET_FROM,
        quiet_until=DEFAULT_QUIET_UNTIL,
    )


def kinds_for(user: User) -> tuple[str, ...]:
    """The kinds of reminder this person is offered, each a switch in their settings."""
    return KINDS_BY_ROLE.get(user.role, ())


def _switched_on(settings: ReminderSettings, kind: str) -> bool:
    return bool(getattr(settings, kind))


def my_settings(session: Session, *, actor: User) -> ReminderSettingsPublic:
    stored = _settings_or_defaults(actor.id, repository.settings_of(session, actor.id))
    return ReminderSettingsPublic.model_validate(stored, from_attributes=True)


def update_settings(session: Session, *, actor: User, data: ReminderSettingsUpdate) -> ReminderSettingsPublic:
    stored = repository.settings_of(session, actor.id)
    settings = _settings_or_defaults(actor.id, stored)
    for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(settings, name, value.replace(second=0, microsecond=0) if isinstance(value, time) else value)
    if settings.quiet_from == settings.quiet_until:
        raise InvalidInput(QUIET_HOURS_INVALID, field="quiet_until")
    if stored is None:
        session.add(settings)
    session.flush()
    return ReminderSettingsPublic.model_validate(settings, from_attributes=True)


# --- when -----------------------------------------------------------------------------------


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


def _in_quiet_hours(local: time, settings: ReminderSettings) -> bool:
    start, end = settings.quiet_from, settings.quiet_until
    if start < end:
        return start <= local < end
    return local >= start or local < end  # across midnight, like the default 21:00-08:00


def outside_quiet_hours(moment: datetime, user: User, settings: ReminderSettings) -> datetime:
    """`moment`, or the end of the quiet hours it falls in (in the person's time zone)."""
    zone = _zone(user)
    local = moment.astimezone(zone)
    if not _in_quiet_hours(local.time(), settings):
        return moment
    end = datetime.combine(local.date(), settings.quiet_until, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), settings.quiet_until, tzinfo=zone)
    return end.astimezone(UTC)


def reminder_moment(starts_at: datetime, user: User, settings: ReminderSettings) -> datetime:
    """The day before the appointment (in the person's zone) at their chosen time."""
    zone = _zone(user)
    day_before = starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day_before, settings.appointment_tomorrow_at, tzinfo=zone).astimezone(UTC)


def tomorrow_ends(starts_at: datetime, user: User) -> datetime:
    """The start of the appointment's day in the person's zone: after it, "tomorrow" is wrong."""
    zone = _zone(user)
    return datetime.combine(starts_at.astimezone(zone).date(), time(0, 0), tzinfo=zone).astimezone(UTC)


def expiry(kind: str, appointment: Appointment, user: User) -> datetime:
    """Until when a reminder of this kind still makes sense. The same value computed again at
    send time tells whether the appointment moved in between."""
    if kind == APPOINTMENT_CHECKIN:
        return appointment.starts_at + CHECK_IN_UNTIL
    if kind == SHARED_FOR_APPOINTMENT:
        return tomorrow_ends(appointment.starts_at, user)
    return appointment.starts_at


def _enqueue(
    session: Session,
    *,
    kind: str,
    appointment: Appointment,
    user: User,
    settings: ReminderSettings,
    moment: datetime,
    now: datetime,
) -> int:
    """One outbox item, due at `moment` or now if that passed (the appointment was made late,
    or reminders were turned on late), after the quiet hours; none if that is too late."""
    due = outside_quiet_hours(max(moment, now), user, settings)
    expires = expiry(kind, appointment, user)
    if due >= expires:
        return 0
    item = PushOutboxItem(
        user_id=user.id, kind=kind, appointment_id=appointment.id, due_at=due, expires_at=expires
    )
    return int(repository.enqueue(session, item))


def enqueue_due(session: Session, *, now: datetime) -> int:
    """Outbox items of every kind, once each. Idempotent: run it as often as you like, from any
    number of processes."""
    added = 0
    soon = {"start": now, "end": now + timedelta(days=2)}
    # The day before, for the participant.
    for appointment, user, stored in repository.appointments_to_remind(
        session, APPOINTMENT_TOMORROW, of_clinician=False, **soon
    ):
        settings = _settings_or_defaults(user.id, stored)
        moment = reminder_moment(appointment.starts_at, user, settings)
        added += _enqueue(
            session,
            kind=APPOINTMENT_TOMORROW,
            appointment=appointment,
            user=user,
            settings=settings,
            moment=moment,
            now=now,
        )
    # After it, for the participant: appointments that started in the last CHECK_IN_UNTIL.
    for appointment, user, stored in repository.appointments_to_remind(
        session, APPOINTMENT_CHECKIN, of_clinician=False, start=now - CHECK_IN_UNTIL, end=now
    ):
        if checkins.check_in_open(session, appointment=appointment):
            added += _enqueue(
                session,
                kind=APPOINTMENT_CHECKIN,
                appointment=appointment,
                user=user,
                settings=_settings_or_defaults(user.id, stored),
                moment=appointment.starts_at + CHECK_IN_AFTER,
                now=now,
            )
    # The day before, for the clinician, once the participant has something for it.
    for appointment, user, stored in repository.appointments_to_remind(
        session, SHARED_FOR_APPOINTMENT, of_clinician=True, **soon
    ):
        if sharing.shared_for_appointment(session, clinician=user, appointment=appointment):
            settings = _settings_or_defaults(user.id, stored)
            moment = reminder_moment(appointment.starts_at, user, settings)
            added += _enqueue(
                session,
                kind=SHARED_FOR_APPOINTMENT,
                appointment=appointment,
                user=user,
                settings=settings,
                moment=moment,
                now=now,
            )
    session.flush()
    return added


def still_wanted(session: Session, item: PushOutboxItem, user: User, appointment: Appointment) -> bool:
    """Asked again just before sending: what made the reminder right may have changed."""
    # Stem cannot move an appointment (only cancel it: the item goes with it); should one
    # move, its old reminder is wrong: dropped rather than sent.
    if expiry(item.kind, appointment, user) != item.expires_at or item.kind not in kinds_for(user):
        return False
    if item.kind == APPOINTMENT_CHECKIN:
        return checkins.check_in_open(session, appointment=appointment)
    if item.kind == SHARED_FOR_APPOINTMENT:  # a revoke or a deletion in between counts at once
        return sharing.shared_for_appointment(session, clinician=user, appointment=appointment)
    return True


# --- sending --------------------------------------------------------------------------------


@dataclass
class Delivery:
    """A claimed item and where it goes: all a sender needs, with no session."""

    item_id: uuid.UUID
    payload: bytes
    subscriptions: list[dict[str, object]]
    statuses: dict[uuid.UUID, int | None] = field(default_factory=dict)


def payload_for(kind: str, locale: str, url: str) -> bytes:
    return json.dumps(
        {"title": "Stem", "body": translate(locale, WORDS[kind]), "url": url, "kind": kind},
        ensure_ascii=False,
    ).encode()


def claim_due(session: Session, *, now: datetime, limit: int = 50) -> list[Delivery]:
    """Leases due items to this sender; items in quiet hours, over the daily limit, switched off
    or too late are postponed or dropped instead."""
    claimed: list[Delivery] = []
    claimed_for: dict[uuid.UUID, int] = {}
    for item_id in repository.due_candidates(session, now=now, limit=limit):
        if not repository.claim(session, item_id, now=now, lease_until=now + LEASE):
            continue  # another sender holds it
        item = repository.outbox_item(session, item_id)
        if item is None:
            continue
        session.refresh(item)
        user, appointment = repository.person_and_appointment(session, item)
        if user is None or appointment is None:
            continue  # going: the rows cascade
        settings = _settings_or_defaults(user.id, repository.settings_of(session, user.id))
        subscriptions = repository.subscriptions_of(session, user.id)
        if (
            not subscriptions
            or not user.is_active
            or not _switched_on(settings, item.kind)
            or not still_wanted(session, item, user, appointment)
        ):
            item.status, item.lease_until = DROPPED, None
            continue
        later = outside_quiet_hours(now, user, settings)
        recent = repository.sent_since(session, user.id, now - timedelta(days=1))
        recent = [*recent, *[now] * claimed_for.get(user.id, 0)]
        if len(recent) >= MAX_PER_DAY:
            later = max(later, recent[-MAX_PER_DAY] + timedelta(days=1))
        if later > now:
            if later >= item.expires_at:
                item.status = DROPPED
            item.due_at, item.lease_until = later, None
            continue
        claimed_for[user.id] = claimed_for.get(user.id, 0) + 1
        claimed.append(
            Delivery(
                item_id=item.id,
                payload=payload_for(item.kind, user.locale, page_for(item.kind, appointment)),
                subscriptions=[
                    {"id": s.id, "endpoint": s.endpoint, "keys": {"p256dh": s.p256dh, "auth": s.auth}}
                    for s in subscriptions
                ],
            )
        )
    session.flush()
    return claimed


# (subscription info, payload, VAPID headers) -> HTTP status, or None when nothing answered
Poster = Callable[[dict[str, object], bytes, dict[str, str]], int | None]


def deliver(
    deliveries: Sequence[Delivery], *, post: Poster, headers_for: Callable[[str], dict[str, str]]
) -> None:
    """Posts each claimed item to each of its devices. No database here: network time never
    holds a transaction."""
    for delivery in deliveries:
        for subscription in delivery.subscriptions:
            parts = urlsplit(str(subscription["endpoint"]))
            origin = f"{parts.scheme}://{parts.netloc}"
            try:
                status = post(subscription, delivery.payload, headers_for(origin))
            except Exception:  # a push service that does not answer: retried later
                status = None
            delivery.statuses[subscription["id"]] = status  # type: ignore[index]


def record(session: Session, deliveries: Sequence[Delivery], *, now: datetime) -> dict[str, int]:
    counts = {"sent": 0, "retried": 0, "failed": 0, "devices_removed": 0}
    for delivery in deliveries:
        item = repository.outbox_item(session, delivery.item_id)
        if item is None:
            continue
        for subscription_id, status in delivery.statuses.items():
            if status in (404, 410):  # the browser unsubscribed, or the push service forgot it
                repository.delete_subscription(session, subscription_id)
                counts["devices_removed"] += 1
        item.lease_until = None
        item.attempts += 1
        if any(status is not None and 200 <= status < 300 for status in delivery.statuses.values()):
            item.status, item.sent_at, item.last_error = SENT, now, None
            counts["sent"] += 1
            continue
        gone = all(status in (404, 410) for status in delivery.statuses.values())
        item.last_error = ", ".join(str(status) for status in delivery.statuses.values())[:200]
        if gone:
            item.status = DROPPED
        elif item.attempts >= MAX_ATTEMPTS:
            item.status = FAILED
            counts["failed"] += 1
        else:
            item.due_at = now + FIRST_RETRY * 2 ** (item.attempts - 1)
            item.status = PENDING
            counts["retried"] += 1
    session.flush()
    return counts


# --- a person's data ------------------------------------------------------------------------


def my_reminders(session: Session, *, actor: User) -> list[ReminderPublic]:
    """For the export: what was and will be pushed to me."""
    return [
        ReminderPublic.model_validate(item, from_attributes=True)
        for item in repository.outbox_of(session, actor.id)
    ]
