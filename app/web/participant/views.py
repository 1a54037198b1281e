"""View models of the participant's own pages, composed from the services: the home overview,
the access log grouped by visit, and what a form offers to choose from.

Nothing here queries the database or decides who may see what: every read goes through the
journal, sharing and accounts services, scoped to the signed-in participant.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.accounts.schemas import ClinicianBrief
from app.journal import service as journal_service
from app.journal.schemas import EntryPublic
from app.models import User
from app.models.enums import Discipline, ResponseKind
from app.sharing import service as sharing_service
from app.sharing.schemas import AppointmentPublic, ResponseToMe, SharePublic, TeamJoiner


def team_disciplines(clinicians: Iterable[ClinicianBrief]) -> list[Discipline]:
    """The disciplines present in the team, in the vocabulary's order."""
    present = {clinician.discipline for clinician in clinicians if clinician.discipline}
    return [discipline for discipline in Discipline if discipline in present]


def shares_by_state(shares: Sequence[SharePublic]) -> tuple[list[SharePublic], list[SharePublic]]:
    """(current, revoked) shares of an entry."""
    return [s for s in shares if s.revoked_at is None], [s for s in shares if s.revoked_at is not None]


@dataclass(frozen=True)
class RaiseChoices:
    """Whom "raise this at my next session" offers: my next appointments, then the people of my
    team I have no appointment with yet ("the next time I see ...")."""

    appointments: list[AppointmentPublic]
    people: list[ClinicianBrief]


def raise_choices(session: Session, *, actor: User, clinicians: Sequence[ClinicianBrief]) -> RaiseChoices:
    appointments = sharing_service.list_appointments(session, actor=actor)
    seeing = {appointment.clinician_id for appointment in appointments}
    return RaiseChoices(
        appointments=[a for a in appointments if any(c.id == a.clinician_id for c in clinicians)],
        people=[clinician for clinician in clinicians if clinician.id not in seeing],
    )


# --- the home page ------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeOverview:
    recent: list[EntryPublic]
    responses: list[ResponseToMe]
    next_appointment: AppointmentPublic | None
    # Outcomes the team noted that wait for the participant's word.
    awaiting_view: list[ResponseToMe] = field(default_factory=list)
    # Clinicians who joined the team after earlier team shares: may they read those?
    joiners: list[TeamJoiner] = field(default_factory=list)


def home_overview(session: Session, *, actor: User) -> HomeOverview:
    """What the participant's home page shows: a few recent entries, replies, the next appointment."""
    recent = journal_service.list_entries(session, actor=actor, limit=3).items
    said = sharing_service.responses_to_me(session, actor=actor, limit=50)
    responses = [item for item in said if item.response.kind != ResponseKind.seen][:3]
    awaiting = [
        item
        for item in said
        if item.response.kind == ResponseKind.discussed
        and item.response.outcome is not None
        and item.response.participant_view is None
    ]
    appointments = sharing_service.list_appointments(session, actor=actor)
    return HomeOverview(
        recent=recent,
        responses=responses,
        next_appointment=appointments[0] if appointments else None,
        awaiting_view=awaiting,
        joiners=sharing_service.team_joiners(session, actor=actor),
    )


# --- who read what ------------------------------------------------------------------------


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
    entries = journal_service.entries_by_ids(session, actor=actor, entry_ids=[item.entry_id for item in log])
    visits: dict[tuple[str | None, Discipline | None, datetime, str], ReadingVisit] = {}
    for item in log:
        minute = item.accessed_at.replace(second=0, microsecond=0)
        key = (item.clinician_name, item.clinician_discipline, minute, item.via)
        visit = visits.get(key)
        if visit is None:
            visit = visits[key] = ReadingVisit(
                item.clinician_name, item.clinician_discipline, item.accessed_at, item.via
            )
        entry = entries.get(item.entry_id)
        if entry is None or entry.deleted_at is not None:
            visit.gone += 1
        elif all(seen.id != entry.id for seen in visit.entries):
            visit.entries.append(entry)
    return list(visits.values())
