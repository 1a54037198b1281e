"""Read-only helpers for the participant's own HTML pages: what is shown next to each entry
(with whom it is shared, what the team said, who read it) and the team's clinicians to choose
from.

Every function here reads the signed-in participant's OWN entries and their shares, responses
and access events; nothing here shows anyone else's data. The few queries that the journal and
sharing repositories do not have yet are kept here, each scoped to one author.
"""

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from sqlmodel import Session, col, select

from app.accounts import repository as accounts_repository
from app.journal import service as journal_service
from app.journal.schemas import EntryPublic
from app.models import Entry, EntryResponse, Share, User
from app.models.enums import Discipline, ResponseKind, Role
from app.sharing import repository as sharing_repository
from app.sharing import service as sharing_service
from app.sharing.schemas import AppointmentPublic, ResponsePublic, SharePublic

DEFAULT_TIME_ZONE = "Europe/Amsterdam"
EXCERPT_LENGTH = 240


# --- time ---------------------------------------------------------------------------------


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


@lru_cache
def _full_date_without_year(locale: str) -> str:
    """The locale's full date pattern with the year left out: "EEEE d MMMM", "EEEE, MMMM d"."""
    pattern = Locale.parse(locale).date_formats["full"].pattern
    return re.sub(r"[,\s]*\by+\b", "", pattern).strip(" ,")


def day_heading(day: date, *, today: date, locale: str) -> str:
    """A day such as "Tuesday 3 June", in the reader's language (with the year if not this year)."""
    if day.year == today.year:
        return format_date(day, _full_date_without_year(locale), locale=locale)
    return format_date(day, format="full", locale=locale)


def clock_time(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    return format_time(moment.astimezone(zone), format="short", locale=locale)


@dataclass(frozen=True)
class LocalFormat:
    """Dates and times in the reader's time zone and language, for the templates."""

    zone: ZoneInfo
    locale: str
    today: date
    today_label: str
    yesterday_label: str

    @classmethod
    def for_reader(
        cls, time_zone: str | None, locale: str, now: datetime, today_label: str, yesterday_label: str
    ) -> "LocalFormat":
        zone = zone_of(time_zone)
        return cls(zone, locale, local_day(now, zone), today_label, yesterday_label)

    def day_of(self, moment: datetime) -> date:
        return local_day(moment, self.zone)

    def heading(self, day: date) -> str:
        if day == self.today:
            return self.today_label
        if day == self.today - timedelta(days=1):
            return self.yesterday_label
        return day_heading(day, today=self.today, locale=self.locale)

    def time(self, moment: datetime) -> str:
        return clock_time(moment, self.zone, self.locale)

    def date(self, moment: datetime) -> str:
        day = self.day_of(moment)
        if day.year == self.today.year:
            return format_skeleton("MMMMd", day, locale=self.locale)
        return format_skeleton("yMMMMd", day, locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """A date and a time, such as "3 June, 14:05"."""
        return f"{self.date(moment)}, {self.time(moment)}"

    def long(self, moment: datetime) -> str:
        """A day and a time, such as "Tuesday 3 June, 14:05" (for appointments)."""
        return f"{self.heading(self.day_of(moment))}, {self.time(moment)}"


# --- text ---------------------------------------------------------------------------------


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of a text, cut at a word, for lists; the full text is on the entry page."""
    text = " ".join(body.split())
    if len(text) <= length:
        return text
    cut = text[:length]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


# --- the team -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clinician:
    id: uuid.UUID
    display_name: str
    discipline: Discipline | None


def team_clinicians(session: Session, *, actor: User) -> list[Clinician]:
    """The active clinicians of the participant's care team, by name."""
    team_id = accounts_repository.participant_team_id(session, actor.id)
    if team_id is None:
        return []
    return [
        Clinician(id=user.id, display_name=user.display_name, discipline=user.discipline)
        for _member, user in accounts_repository.members_of(session, team_id, roles=[Role.clinician])
        if user.is_active
    ]


def team_disciplines(clinicians: Iterable[Clinician]) -> list[Discipline]:
    """The disciplines present in the team, in the vocabulary's order."""
    present = {clinician.discipline for clinician in clinicians if clinician.discipline}
    return [discipline for discipline in Discipline if discipline in present]


# --- what is shown next to each entry -----------------------------------------------------


@dataclass
class EntryNotes:
    """Next to an entry in a list: with whom it is shared now, and what the team said."""

    shared_with_team: bool = False
    shared_with: list[str] = field(default_factory=list)
    replies: int = 0
    seen: int = 0
    latest_response_at: datetime | None = None

    @property
    def shared(self) -> bool:
        return self.shared_with_team or bool(self.shared_with)


def entry_notes(
    session: Session, *, actor: User, entry_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, EntryNotes]:
    """For a page of the participant's own entries: two queries, whatever the page size."""
    ids = [
        entry.id
        for entry in own_entries_by_ids(session, actor=actor, entry_ids=entry_ids).values()
        if entry.deleted_at is None
    ]
    names = _names_of_team(session, actor)
    notes: dict[uuid.UUID, EntryNotes] = {entry_id: EntryNotes() for entry_id in entry_ids}
    for share in sharing_repository.live_shares_of_entries(session, ids):
        note = notes[share.entry_id]
        if share.clinician_id is None:
            note.shared_with_team = True
        else:
            note.shared_with.append(names.get(share.clinician_id, "?"))
    for entry_id, responses in sharing_repository.responses_of(session, ids).items():
        note = notes[entry_id]
        for response, _clinician in responses:
            if response.kind == ResponseKind.seen:
                note.seen += 1
            else:
                note.replies += 1
            note.latest_response_at = max(filter(None, (note.latest_response_at, response.created_at)))
    for note in notes.values():
        note.shared_with.sort(key=str.casefold)
    return notes


def _names_of_team(session: Session, actor: User) -> dict[uuid.UUID, str]:
    team_id = accounts_repository.participant_team_id(session, actor.id)
    if team_id is None:
        return {}
    return {
        user.id: user.display_name
        for _member, user in accounts_repository.members_of(session, team_id, roles=[Role.clinician])
    }


def own_entries_by_ids(
    session: Session, *, actor: User, entry_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Entry]:
    """The participant's own entries among these ids (in the trash too); others are left out."""
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        return {}
    rows = session.exec(select(Entry).where(col(Entry.author_id) == actor.id, col(Entry.id).in_(ids))).all()
    return {entry.id: entry for entry in rows}


def shared_entries(session: Session, *, actor: User, limit: int = 200) -> list[EntryPublic]:
    """My entries with at least one live share, newest first (not those in the trash)."""
    shared = select(Share.entry_id).where(
        col(Share.participant_id) == actor.id, col(Share.revoked_at).is_(None)
    )
    rows = session.exec(
        select(Entry)
        .where(
            col(Entry.author_id) == actor.id,
            col(Entry.deleted_at).is_(None),
            col(Entry.id).in_(shared),
        )
        .order_by(col(Entry.created_at).desc(), col(Entry.id).desc())
        .limit(limit)
    ).all()
    return [journal_service.entry_public(entry) for entry in rows]


# --- what the team said -------------------------------------------------------------------


@dataclass(frozen=True)
class TeamResponse:
    response: ResponsePublic
    entry: EntryPublic


def team_responses(session: Session, *, actor: User, limit: int = 100) -> list[TeamResponse]:
    """Responses on my entries (not those in the trash), newest first."""
    rows = session.exec(
        select(EntryResponse, Entry)
        .join(Entry, col(Entry.id) == col(EntryResponse.entry_id))
        .where(col(Entry.author_id) == actor.id, col(Entry.deleted_at).is_(None))
        .order_by(col(EntryResponse.created_at).desc(), col(EntryResponse.id).desc())
        .limit(limit)
    ).all()
    people = {
        user.id: user
        for user in (
            accounts_repository.user_by_id(session, clinician_id)
            for clinician_id in {response.clinician_id for response, _entry in rows if response.clinician_id}
        )
        if user is not None
    }
    return [
        TeamResponse(
            response=sharing_service._response_public(
                response, people.get(response.clinician_id) if response.clinician_id else None
            ),
            entry=journal_service.entry_public(entry),
        )
        for response, entry in rows
    ]


# --- who read what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    name: str | None  # None: the clinician's account no longer exists
    discipline: Discipline | None
    last_read_at: datetime


def readers_of(session: Session, *, actor: User, entry_id: uuid.UUID) -> list[Reader]:
    """Who read this entry, each once, with the last time; newest first."""
    return [
        Reader(reader.clinician_name, reader.clinician_discipline, reader.last_read_at)
        for reader in sharing_service.readers_of_entry(session, actor=actor, entry_id=entry_id)
    ]


@dataclass
class ReadingVisit:
    """One clinician opening my shared entries at one moment (to the minute)."""

    name: str | None  # None: the clinician's account no longer exists
    discipline: Discipline | None
    at: datetime
    via: str
    entries: list[EntryPublic] = field(default_factory=list)
    gone: int = 0


def reading_visits(session: Session, *, actor: User) -> list[ReadingVisit]:
    """The access log, with the events of one visit taken together; newest first."""
    log = sharing_service.access_log(session, actor=actor)
    entries = own_entries_by_ids(
        session, actor=actor, entry_ids=[item.entry_id for item in log if item.entry_id]
    )
    visits: dict[tuple[str | None, Discipline | None, datetime, str], ReadingVisit] = {}
    for item in log:
        minute = item.accessed_at.replace(second=0, microsecond=0)
        key = (item.clinician_name, item.clinician_discipline, minute, item.via)
        visit = visits.get(key)
        if visit is None:
            visit = visits[key] = ReadingVisit(
                item.clinician_name, item.clinician_discipline, item.accessed_at, item.via
            )
        entry = entries.get(item.entry_id) if item.entry_id else None
        if entry is None or entry.deleted_at is not None:
            visit.gone += 1
        elif all(seen.id != entry.id for seen in visit.entries):
            visit.entries.append(journal_service.entry_public(entry))
    return list(visits.values())


# --- the home page ------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeOverview:
    recent: list[EntryPublic]
    responses: list[TeamResponse]
    next_appointment: AppointmentPublic | None


def home_overview(session: Session, *, actor: User) -> HomeOverview:
    """What the participant's home page shows: a few recent entries, replies, the next appointment."""
    recent = journal_service.list_entries(session, actor=actor, limit=3).items
    responses = [
        item
        for item in team_responses(session, actor=actor, limit=10)
        if item.response.kind != ResponseKind.seen
    ][:3]
    appointments = sharing_service.list_appointments(session, actor=actor)
    return HomeOverview(
        recent=recent, responses=responses, next_appointment=appointments[0] if appointments else None
    )


def days_left(purge_at: datetime | None, now: datetime) -> int:
    """Whole days before an entry in the trash is gone for good (at least 0)."""
    if purge_at is None:
        return 0
    remaining = purge_at - now
    return max(0, remaining.days + (1 if remaining % timedelta(days=1) else 0))


def shares_by_state(shares: Sequence[SharePublic]) -> tuple[list[SharePublic], list[SharePublic]]:
    """(current, revoked) shares of an entry."""
    return [s for s in shares if s.revoked_at is None], [s for s in shares if s.revoked_at is not None]
