"""Appointments in the participant's own calendar app (issue 18, item 4).

Two ways: a file (.ics) to open once, for one appointment or all upcoming ones; and a private
calendar link that a calendar app fetches again by itself, without signing in. The link holds a
secret (256 random bits); only its SHA-256 is stored, so it is shown once, when made. Making a
new one stops the old one at once; so does turning it off.

A calendar event says only "Appointment (Stem)", when, and the clinician's discipline: never a
name, an agenda, or anything written in Stem. Calendars are synced to other companies' clouds,
shown on lock screens and shared with family; the time alone is what the participant needs there.

Cancelling an appointment removes it from Stem (with its agenda), so it leaves the link's feed
on the app's next fetch: a subscribed calendar drops an event that a feed no longer holds. A
STATUS:CANCELLED event would need Stem to keep the cancelled appointment, which it does not.
"""

import hashlib
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session

from app.accounts import repository as accounts_repository
from app.accounts.throttle import ThrottleKey, address_key, throttle_store
from app.audit import service as audit
from app.config import get_settings
from app.errors import Forbidden, NotFound, TooManyRequests
from app.i18n import N_
from app.models import Appointment, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from app.sharing import repository
from app.sharing.schemas import CalendarLinkStatus

APPOINTMENT_NOT_FOUND = N_("This appointment does not exist, or it is not yours.")
# No length is kept for an appointment: an hour is what most sessions of a rehabilitation
# programme take, and it shows as a block the participant can see at a glance.
APPOINTMENT_LENGTH = timedelta(hours=1)
# What "upcoming" means in a file: an appointment of this morning still counts (as on the page).
UPCOMING_SINCE = timedelta(hours=12)
# The link's feed keeps recent appointments too, so last week's visit does not vanish from the
# calendar the moment it is over; older ones leave it.
FEED_PAST = timedelta(days=30)
PRODUCT_ID = "-//Stem//Appointments//EN"
EVENT_TITLE = N_("Appointment (Stem)")
CALENDAR_NAME = "Stem"


@dataclass(frozen=True)
class CalendarEvent:
    """All a calendar event may say about an appointment."""

    appointment_id: uuid.UUID
    starts_at: datetime
    discipline: Discipline | None


@dataclass(frozen=True)
class NewCalendarLink:
    token: str  # shown once; only its hash is kept
    created_at: datetime
    replaced: bool  # an older link stopped working


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _participant(actor: User) -> None:
    if actor.role != Role.participant:
        raise Forbidden(N_("Your account cannot do this."))


def _events(rows: Sequence[tuple[Appointment, Discipline | None]]) -> list[CalendarEvent]:
    return [
        CalendarEvent(appointment_id=appointment.id, starts_at=appointment.starts_at, discipline=discipline)
        for appointment, discipline in rows
    ]


# --- files ----------------------------------------------------------------------------------


def upcoming_events(session: Session, *, actor: User) -> list[CalendarEvent]:
    """My upcoming appointments, as on the appointments page."""
    _participant(actor)
    rows = repository.appointments_with_discipline(session, actor.id, since=utcnow() - UPCOMING_SINCE)
    return _events(rows)


def appointment_event(session: Session, *, actor: User, appointment_id: uuid.UUID) -> CalendarEvent:
    """One appointment of mine (past ones too: a file for last week's visit is harmless)."""
    _participant(actor)
    rows = repository.appointments_with_discipline(
        session, actor.id, since=None, appointment_id=appointment_id
    )
    if not rows:
        raise NotFound(APPOINTMENT_NOT_FOUND)
    return _events(rows)[0]


# --- the private link -----------------------------------------------------------------------


def calendar_link_status(session: Session, *, actor: User) -> CalendarLinkStatus:
    feed = repository.calendar_feed_of(session, actor.id)
    return CalendarLinkStatus(on=feed is not None, created_at=feed.created_at if feed else None)


def make_calendar_link(session: Session, *, actor: User) -> NewCalendarLink:
    """A new private link; the old one, if any, stops working at once."""
    _participant(actor)
    token = secrets.token_urlsafe(32)
    replaced = repository.replace_calendar_feed(session, actor.id, token_hash(token))
    audit.record(session, action="calendar.link_made", actor=actor, subject_id=actor.id)
    return NewCalendarLink(token=token, created_at=utcnow(), replaced=replaced)


def stop_calendar_link(session: Session, *, actor: User) -> bool:
    """The link stops working at once; False when there was none."""
    _participant(actor)
    stopped = repository.delete_calendar_feed(session, actor.id)
    if stopped:
        audit.record(session, action="calendar.link_stopped", actor=actor, subject_id=actor.id)
    return stopped


FEED_NOT_FOUND = N_("Not found.")


def _feed_throttle(client_address: str) -> ThrottleKey:
    settings = get_settings()
    return address_key("cal-addr", client_address, settings.login_max_failures_per_address, settings)


def feed_events(session: Session, *, token: str, client_address: str) -> tuple[User, list[CalendarEvent]]:
    """Whose link this is and their recent and upcoming appointments. An unknown, replaced or
    stopped link is "not found", and each such try is counted per address: a run of guesses is
    refused for a while (though 256 random bits are not guessed)."""
    key = _feed_throttle(client_address)
    store = throttle_store()
    wait = store.retry_after([key])
    if wait:
        raise TooManyRequests.attempts(wait)
    feed = repository.calendar_feed_by_hash(session, token_hash(token)) if len(token) <= 100 else None
    owner = accounts_repository.user_by_id(session, feed.user_id) if feed is not None else None
    if owner is None or not owner.is_active or owner.role != Role.participant:
        store.record_failure([key])
        raise NotFound(FEED_NOT_FOUND)
    rows = repository.appointments_with_discipline(session, owner.id, since=utcnow() - FEED_PAST)
    return owner, _events(rows)


# --- the iCalendar text ---------------------------------------------------------------------


def calendar_file(
    events: Sequence[CalendarEvent],
    *,
    title: str,
    discipline_label: Callable[[Discipline], str],
    now: datetime,
) -> bytes:
    """An iCalendar (RFC 5545) file of these appointments, in UTC. Each event's UID is stable
    (`appointment-<id>@stem`), so opening a file again, or the next fetch of the link, updates
    the event instead of adding a second one."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    for each in events:
        event = Event()
        event.add("uid", f"appointment-{each.appointment_id}@stem")
        event.add("dtstamp", now)
        event.add("dtstart", each.starts_at)
        event.add("dtend", each.starts_at + APPOINTMENT_LENGTH)
        event.add("summary", title)
        if each.discipline is not None:
            event.add("description", discipline_label(each.discipline))
        event.add("transp", "OPAQUE")
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    text: bytes = calendar.to_ical()
    return text
