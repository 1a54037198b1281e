"""Read-only helpers for the clinician's HTML pages, built on the clinician and sharing services.

Nothing here decides what a clinician may see: entries come from `sharing.repository`'s one
visibility rule, participants and appointments from the services that apply it.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from app.clinician import service
from app.clinician.schemas import ParticipantSummary
from app.models import User
from app.models.enums import EntryKind
from app.sharing import repository
from app.sharing import service as sharing_service
from app.sharing.schemas import AppointmentPublic

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def dashboard_rows(session: Session, *, actor: User) -> list[ParticipantSummary]:
    """My participants: the soonest appointment first, then the most unread, then by name."""
    return sorted(
        service.list_participants(session, actor=actor),
        key=lambda row: (
            row.next_appointment is None,
            row.next_appointment or _FAR_FUTURE,
            -row.unread_count,
            row.display_name.casefold(),
        ),
    )


def appointments_with(session: Session, *, actor: User, participant_id: uuid.UUID) -> list[AppointmentPublic]:
    """My coming appointments with one participant (the one that just started included)."""
    return sharing_service.list_appointments(session, actor=actor, with_participant=participant_id)


@dataclass(frozen=True)
class VisibleEntry:
    participant_id: uuid.UUID
    kind: EntryKind


def visible_entry_brief(session: Session, *, actor: User, entry_id: uuid.UUID) -> VisibleEntry | None:
    """Whose entry it is and its kind, if this clinician may see it: where to go back to after a response."""
    entry = repository.visible_entry(session, actor.id, entry_id)
    return VisibleEntry(participant_id=entry.author_id, kind=entry.kind) if entry else None


def local_to_utc(day: str, clock: str, time_zone: str) -> datetime:
    """A date and a wall-clock time typed in the user's time zone, as an aware UTC datetime.

    Raises ValueError for a date or time that cannot be read.
    """
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = datetime.combine(date.fromisoformat(day.strip()), time.fromisoformat(clock.strip()), zone)
    return local.astimezone(UTC)
