"""All SQL of sharing. `visible_entries` is the ONE definition of what a clinician may see.

Every read of a participant's entries by a clinician is built on it; tests/sharing checks that
no clinician-facing code queries entries another way.
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import (
    AccessEvent,
    AgendaItem,
    Appointment,
    Entry,
    EntryRead,
    EntryResponse,
    Share,
    TeamMembership,
    User,
)
from app.models.enums import Role, ShareAudience
from app.models.types import utcnow


def _clinician_team_ids(clinician_id: uuid.UUID) -> SelectOfScalar[uuid.UUID]:
    return select(TeamMembership.team_id).where(
        col(TeamMembership.user_id) == clinician_id, col(TeamMembership.member_role) == Role.clinician
    )


def participant_in_my_teams(clinician_id: uuid.UUID, participant: Any) -> ColumnElement[bool]:
    """SQL condition: the participant (a column or an id) is in a team this clinician belongs to."""
    membership = aliased(TeamMembership)
    return exists().where(
        col(membership.user_id) == participant,
        col(membership.member_role) == Role.participant,
        col(membership.team_id).in_(_clinician_team_ids(clinician_id)),
    )


def live_share_for(clinician_id: uuid.UUID, entry: Any) -> ColumnElement[bool]:
    """SQL condition: an unrevoked share of the entry with this clinician or with the whole team."""
    return exists().where(
        col(Share.entry_id) == entry,
        col(Share.revoked_at).is_(None),
        or_(col(Share.audience) == ShareAudience.team, col(Share.clinician_id) == clinician_id),
    )


def _visible(clinician_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """What a clinician may see: shared with them or their team, not revoked, not deleted, and
    written by a participant who is still in one of their teams."""
    return [
        col(Entry.deleted_at).is_(None),
        participant_in_my_teams(clinician_id, Entry.author_id),
        live_share_for(clinician_id, Entry.id),
    ]


def visible_entries(clinician_id: uuid.UUID) -> SelectOfScalar[Entry]:
    return select(Entry).where(*_visible(clinician_id))


def visible_entry_ids(clinician_id: uuid.UUID) -> SelectOfScalar[uuid.UUID]:
    return select(Entry.id).where(*_visible(clinician_id))


def visible_entry(session: Session, clinician_id: uuid.UUID, entry_id: uuid.UUID) -> Entry | None:
    return session.exec(visible_entries(clinician_id).where(col(Entry.id) == entry_id)).first()


def visible_entries_of(
    session: Session, clinician_id: uuid.UUID, participant_id: uuid.UUID
) -> Sequence[Entry]:
    statement = (
        visible_entries(clinician_id)
        .where(col(Entry.author_id) == participant_id)
        .order_by(col(Entry.created_at).desc(), col(Entry.id).desc())
        .limit(1000)
    )
    return session.exec(statement).all()


def filter_visible(
    session: Session, clinician_id: uuid.UUID, entry_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    ids = list(entry_ids)
    if not ids:
        return set()
    return set(session.exec(visible_entry_ids(clinician_id).where(col(Entry.id).in_(ids))).all())


# --- shares -------------------------------------------------------------------------------


def shares_of_entry(session: Session, entry_id: uuid.UUID) -> Sequence[Share]:
    return session.exec(
        select(Share).where(col(Share.entry_id) == entry_id).order_by(col(Share.created_at), col(Share.id))
    ).all()


def live_shares_of_entries(session: Session, entry_ids: Sequence[uuid.UUID]) -> Sequence[Share]:
    if not entry_ids:
        return []
    return session.exec(
        select(Share).where(col(Share.entry_id).in_(list(entry_ids)), col(Share.revoked_at).is_(None))
    ).all()


def share_by_id(session: Session, share_id: uuid.UUID) -> Share | None:
    return session.get(Share, share_id)


def revoke_share(session: Session, share_id: uuid.UUID) -> None:
    session.execute(
        update(Share)
        .where(col(Share.id) == share_id, col(Share.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


# --- reads, access ------------------------------------------------------------------------


def unread_counts(session: Session, clinician_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Per participant: visible entries this clinician has not opened since they were last edited."""
    statement = (
        select(Entry.author_id, func.count())
        .where(*_visible(clinician_id))
        .outerjoin(
            EntryRead,
            and_(col(EntryRead.entry_id) == col(Entry.id), col(EntryRead.clinician_id) == clinician_id),
        )
        .where(or_(col(EntryRead.entry_id).is_(None), col(EntryRead.last_opened_at) < col(Entry.updated_at)))
        .group_by(col(Entry.author_id))
    )
    return {author_id: int(count) for author_id, count in session.execute(statement).all()}


def reads_of(
    session: Session, clinician_id: uuid.UUID, entry_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, EntryRead]:
    if not entry_ids:
        return {}
    rows = session.exec(
        select(EntryRead).where(
            col(EntryRead.clinician_id) == clinician_id, col(EntryRead.entry_id).in_(list(entry_ids))
        )
    ).all()
    return {row.entry_id: row for row in rows}


def access_log_of(session: Session, participant_id: uuid.UUID, limit: int = 500) -> Sequence[AccessEvent]:
    return session.exec(
        select(AccessEvent)
        .where(col(AccessEvent.participant_id) == participant_id)
        .order_by(col(AccessEvent.accessed_at).desc())
        .limit(limit)
    ).all()


def first_views_of_entries(
    session: Session, entry_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str, str | None, datetime]]]:
    """Per entry: who (name, discipline) first opened it and when."""
    if not entry_ids:
        return {}
    statement = (
        select(
            AccessEvent.entry_id,
            AccessEvent.clinician_name,
            AccessEvent.clinician_discipline,
            func.min(AccessEvent.accessed_at),
        )
        .where(col(AccessEvent.entry_id).in_(list(entry_ids)))
        .group_by(
            col(AccessEvent.entry_id),
            col(AccessEvent.clinician_id),
            col(AccessEvent.clinician_name),
            col(AccessEvent.clinician_discipline),
        )
    )
    result: dict[uuid.UUID, list[tuple[str, str | None, datetime]]] = {}
    for entry_id, name, discipline, first in session.execute(statement).all():
        if entry_id is not None:
            result.setdefault(entry_id, []).append((name, discipline.value if discipline else None, first))
    return result


# --- responses ----------------------------------------------------------------------------


def responses_of(
    session: Session, entry_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[EntryResponse, User | None]]]:
    if not entry_ids:
        return {}
    rows = session.exec(
        select(EntryResponse, User)
        .join(User, col(User.id) == col(EntryResponse.clinician_id), isouter=True)
        .where(col(EntryResponse.entry_id).in_(list(entry_ids)))
        .order_by(col(EntryResponse.created_at), col(EntryResponse.id))
    ).all()
    result: dict[uuid.UUID, list[tuple[EntryResponse, User | None]]] = {}
    for response, user in rows:
        result.setdefault(response.entry_id, []).append((response, user))
    return result


def response_by_id(session: Session, response_id: uuid.UUID) -> EntryResponse | None:
    return session.get(EntryResponse, response_id)


# --- appointments -------------------------------------------------------------------------


def appointment_by_id(session: Session, appointment_id: uuid.UUID) -> Appointment | None:
    return session.get(Appointment, appointment_id)


def appointments_for(
    session: Session, *, participant_id: uuid.UUID | None = None, clinician_id: uuid.UUID | None = None,
    since: datetime | None = None,
) -> Sequence[Appointment]:  # fmt: skip
    statement = select(Appointment).order_by(col(Appointment.starts_at))
    if participant_id is not None:
        statement = statement.where(col(Appointment.participant_id) == participant_id)
    if clinician_id is not None:
        statement = statement.where(col(Appointment.clinician_id) == clinician_id)
    if since is not None:
        statement = statement.where(col(Appointment.starts_at) >= since)
    return session.exec(statement.limit(200)).all()


def next_appointments(
    session: Session, clinician_id: uuid.UUID, since: datetime
) -> dict[uuid.UUID, Appointment]:
    """Per participant, the next appointment with this clinician."""
    result: dict[uuid.UUID, Appointment] = {}
    for appointment in appointments_for(session, clinician_id=clinician_id, since=since):
        result.setdefault(appointment.participant_id, appointment)
    return result


def agenda_of(session: Session, appointment_id: uuid.UUID) -> Sequence[AgendaItem]:
    return session.exec(
        select(AgendaItem)
        .where(col(AgendaItem.appointment_id) == appointment_id)
        .order_by(col(AgendaItem.position))
    ).all()


def participants_of_clinician(session: Session, clinician_id: uuid.UUID) -> Sequence[tuple[User, uuid.UUID]]:
    membership = aliased(TeamMembership)
    return session.exec(
        select(User, membership.team_id)
        .join(membership, col(membership.user_id) == col(User.id))
        .where(
            col(membership.member_role) == Role.participant,
            col(membership.team_id).in_(_clinician_team_ids(clinician_id)),
            col(User.is_active).is_(True),
        )
        .order_by(col(User.display_name))
    ).all()
