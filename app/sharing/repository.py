"""All SQL of sharing. `visible_entries` is the ONE definition of what a clinician may see.

Every read of a participant's entries by a clinician is built on it; tests/sharing checks that
no clinician-facing code queries entries another way.
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, and_, exists, func, or_, update
from sqlalchemy import select as select_columns  # more columns than sqlmodel's select() types
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import (
    AgendaItem,
    Appointment,
    AuditEvent,
    AuditPerson,
    CalendarFeed,
    Entry,
    EntryRead,
    EntryResponse,
    Share,
    TeamMembership,
    TeamShareDecision,
    User,
)
from app.models.enums import Discipline, ResponseKind, Role, ShareAudience
from app.models.types import utcnow

# session.info key: answers already asked in this session (a request)
_ASKED = "stem_sharing_asked"


def _clinician_team_ids(clinician_id: uuid.UUID) -> SelectOfScalar[uuid.UUID]:
    return select(TeamMembership.team_id).where(
        col(TeamMembership.user_id) == clinician_id, col(TeamMembership.member_role) == Role.clinician
    )


def participant_in_my_teams(clinician_id: uuid.UUID, participant: Any) -> ColumnElement[bool]:
    """SQL condition: the participant (a user id column) is in a team this clinician belongs to.

    An IN over the teams' participants, not a correlated EXISTS: the database can then start
    from those few participants and walk their entries by index, instead of testing every entry."""
    membership = aliased(TeamMembership)
    mine = select(membership.user_id).where(
        col(membership.member_role) == Role.participant,
        col(membership.team_id).in_(_clinician_team_ids(clinician_id)),
    )
    return cast(ColumnElement[bool], participant.in_(mine))


def _live_share(clinician_id: uuid.UUID, *what: ColumnElement[bool]) -> ColumnElement[bool]:
    """The one rule, for an entry and for a story alike: an unrevoked share of it with this
    clinician, or with the whole team that reaches them."""
    return exists().where(
        *what,
        col(Share.revoked_at).is_(None),
        or_(col(Share.clinician_id) == clinician_id, _team_share_reaches(clinician_id)),
    )


def live_share_for(clinician_id: uuid.UUID, entry: Any, author: Any = None) -> ColumnElement[bool]:
    """SQL condition: an unrevoked share of the entry with this clinician or with the whole team.

    `author` (the entry's author column) changes no result, since a share's participant is its
    entry's author, but it lets PostgreSQL find one participant's shares by index instead of
    hashing every live share of the database."""
    conditions = [col(Share.entry_id) == entry]
    if author is not None:
        conditions.append(col(Share.participant_id) == author)
    return _live_share(clinician_id, *conditions)


def live_story_share_for(clinician_id: uuid.UUID, story: Any, participant: Any) -> ColumnElement[bool]:
    """SQL condition: the story (a column or id) is shared with this clinician, by the one rule."""
    return _live_share(clinician_id, col(Share.story_id) == story, col(Share.participant_id) == participant)


def shares_of_story(session: Session, story_id: uuid.UUID) -> Sequence[Share]:
    return session.exec(
        select(Share).where(col(Share.story_id) == story_id).order_by(col(Share.created_at), col(Share.id))
    ).all()


def _team_share_reaches(clinician_id: uuid.UUID) -> ColumnElement[bool]:
    """SQL condition on a share row: shared with the whole team, and this clinician is in the team
    it was shared with, and was already when it was shared, or joined later and the participant
    agreed that they may see earlier team shares."""
    membership = aliased(TeamMembership)
    agreed = exists().where(
        col(TeamShareDecision.participant_id) == Share.participant_id,
        col(TeamShareDecision.clinician_id) == clinician_id,
        col(TeamShareDecision.team_id) == Share.team_id,
        col(TeamShareDecision.allowed).is_(True),
    )
    in_that_team = exists().where(
        col(membership.team_id) == Share.team_id,
        col(membership.user_id) == clinician_id,
        col(membership.member_role) == Role.clinician,
        or_(col(membership.joined_at) <= Share.created_at, agreed),
    )
    return and_(col(Share.audience) == ShareAudience.team, in_that_team)


def _visible(clinician_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """What a clinician may see: shared with them or their team, not revoked, not deleted, and
    written by a participant who is still in one of their teams."""
    return [
        col(Entry.deleted_at).is_(None),
        participant_in_my_teams(clinician_id, Entry.author_id),
        live_share_for(clinician_id, Entry.id, Entry.author_id),
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
    session: Session,
    clinician_id: uuid.UUID,
    entry_ids: Iterable[uuid.UUID],
    *,
    author_id: uuid.UUID | None = None,
) -> set[uuid.UUID]:
    """The ids among these that the clinician may see (and, if given, that this participant wrote)."""
    ids = list(entry_ids)
    if not ids:
        return set()
    statement = visible_entry_ids(clinician_id).where(col(Entry.id).in_(ids))
    if author_id is not None:
        statement = statement.where(col(Entry.author_id) == author_id)
    return set(session.exec(statement).all())


def sees_something_for_appointment(
    session: Session, clinician_id: uuid.UUID, appointment: Appointment
) -> bool:
    """Whether the clinician may see at least one entry of the appointment's participant that is
    about that appointment or on its agenda: built on the rule, so a revoke counts at once."""
    on_agenda = select(AgendaItem.entry_id).where(col(AgendaItem.appointment_id) == appointment.id)
    statement = (
        visible_entry_ids(clinician_id)
        .where(
            col(Entry.author_id) == appointment.participant_id,
            or_(col(Entry.appointment_id) == appointment.id, col(Entry.id).in_(on_agenda)),
        )
        .limit(1)
    )
    return session.exec(statement).first() is not None


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


def shared_entries_of(session: Session, author_id: uuid.UUID, limit: int) -> Sequence[Entry]:
    """An author's entries with at least one live share, newest first (not those in the trash)."""
    shared = select(Share.entry_id).where(
        col(Share.participant_id) == author_id, col(Share.revoked_at).is_(None)
    )
    return session.exec(
        select(Entry)
        .where(col(Entry.author_id) == author_id, col(Entry.deleted_at).is_(None), col(Entry.id).in_(shared))
        .order_by(col(Entry.created_at).desc(), col(Entry.id).desc())
        .limit(limit)
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


def _spoken_since(clinician_id: uuid.UUID, since: Any) -> ColumnElement[bool]:
    """SQL condition: since then, the participant gave their view on an outcome, or someone other
    than this clinician replied (a "seen" says nothing new)."""
    responder = col(EntryResponse.clinician_id)
    return exists().where(
        col(EntryResponse.entry_id) == col(Entry.id),
        or_(
            col(EntryResponse.participant_viewed_at) > since,
            and_(
                col(EntryResponse.created_at) > since,
                col(EntryResponse.kind) != ResponseKind.seen,
                or_(responder.is_(None), responder != clinician_id),
            ),
        ),
    )


def unread_counts(session: Session, clinician_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Per participant: visible entries this clinician has not opened since they were last edited
    or since someone else spoke on them."""
    statement = (
        select(Entry.author_id, func.count())
        .where(*_visible(clinician_id))
        .outerjoin(
            EntryRead,
            and_(col(EntryRead.entry_id) == col(Entry.id), col(EntryRead.clinician_id) == clinician_id),
        )
        .where(
            or_(
                col(EntryRead.entry_id).is_(None),
                col(EntryRead.last_opened_at) < col(Entry.updated_at),
                _spoken_since(clinician_id, col(EntryRead.last_opened_at)),
            )
        )
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


def mark_read(
    session: Session, clinician_id: uuid.UUID, entry_ids: Sequence[uuid.UUID], *, at: datetime
) -> None:
    """Record that the clinician opened these entries now: one upsert, so two openings at the
    same moment (a double click, two tabs) cannot collide on the first read."""
    if not entry_ids:
        return
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(EntryRead).values(
        [
            {"clinician_id": clinician_id, "entry_id": entry_id, "first_opened_at": at, "last_opened_at": at}
            for entry_id in dict.fromkeys(entry_ids)
        ]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["clinician_id", "entry_id"],
            set_={"last_opened_at": statement.excluded.last_opened_at},
        )
    )


READ_VIA_PREPARATION = "clinician.read"
READ_VIA_RESPONSES = "clinician.read_responses"
# Audit actions that are a clinician reading one of a participant's entries (the target), and
# how the participant is told they read it.
CLINICIAN_READS = {READ_VIA_PREPARATION: "preparation", READ_VIA_RESPONSES: "responses"}


class ClinicianRead(NamedTuple):
    """One clinician read, from the audit log. No name: the clinician's account was erased."""

    entry_id: uuid.UUID
    clinician_name: str | None
    clinician_discipline: Discipline | None
    via: str
    accessed_at: datetime


class EntryReader(NamedTuple):
    clinician_name: str | None
    clinician_discipline: Discipline | None
    last_read_at: datetime


def _reads_of_participant(participant_id: uuid.UUID) -> list[ColumnElement[bool]]:
    subject_ref = select(AuditPerson.ref).where(col(AuditPerson.user_id) == participant_id)
    return [
        col(AuditEvent.subject_ref) == subject_ref.scalar_subquery(),
        col(AuditEvent.action).in_(list(CLINICIAN_READS)),
        col(AuditEvent.target).is_not(None),
        col(AuditEvent.outcome) == "ok",
    ]


def _entry_id(target: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(target) if target else None
    except ValueError:  # an older row that counted entries instead of naming one
        return None


def _reads_with_reader(participant_id: uuid.UUID, *columns: Any) -> Any:
    """The clinician reads of this participant's entries, with these columns and then the
    reader's current name and discipline (none once their account is gone)."""
    actor = aliased(AuditPerson)
    return (
        select_columns(*columns, col(User.display_name), col(User.discipline))
        .outerjoin(actor, col(actor.ref) == col(AuditEvent.actor_ref))
        .outerjoin(User, col(User.id) == col(actor.user_id))
        .where(*_reads_of_participant(participant_id))
    )


def access_log_of(session: Session, participant_id: uuid.UUID, limit: int = 500) -> list[ClinicianRead]:
    """Who read which of this participant's entries, newest first: one query on the audit log."""
    statement = (
        _reads_with_reader(
            participant_id, col(AuditEvent.target), col(AuditEvent.action), col(AuditEvent.occurred_at)
        )
        .order_by(col(AuditEvent.seq).desc())
        .limit(limit)
    )
    reads = []
    for target, action, at, name, discipline in session.execute(statement).all():
        entry_id = _entry_id(target)
        if entry_id is not None:
            reads.append(ClinicianRead(entry_id, name, discipline, CLINICIAN_READS[action], at))
    return reads


def readers_of_entries(
    session: Session, participant_id: uuid.UUID, entry_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[EntryReader]]:
    """Per entry: each clinician who read it once, with the last time, newest first (one query)."""
    if not entry_ids:
        return {}
    last_read = func.max(col(AuditEvent.occurred_at))
    statement = (
        _reads_with_reader(participant_id, col(AuditEvent.target), col(AuditEvent.actor_ref), last_read)
        .where(col(AuditEvent.target).in_([str(entry_id) for entry_id in entry_ids]))
        .group_by(
            col(AuditEvent.target), col(AuditEvent.actor_ref), col(User.display_name), col(User.discipline)
        )
    )
    result: dict[uuid.UUID, list[EntryReader]] = {}
    for target, _actor_ref, last, name, discipline in session.execute(statement).all():
        entry_id = _entry_id(target)
        if entry_id is not None:
            result.setdefault(entry_id, []).append(EntryReader(name, discipline, last))
    for readers in result.values():
        readers.sort(key=lambda reader: reader.last_read_at, reverse=True)
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


def responses_to_author(
    session: Session, author_id: uuid.UUID, limit: int
) -> Sequence[tuple[EntryResponse, Entry, User | None]]:
    """The team's responses on an author's entries (not those in the trash), newest first."""
    return session.exec(
        select(EntryResponse, Entry, User)
        .join(Entry, col(Entry.id) == col(EntryResponse.entry_id))
        .join(User, col(User.id) == col(EntryResponse.clinician_id), isouter=True)
        .where(
            col(Entry.author_id) == author_id,
            col(Entry.deleted_at).is_(None),
            col(EntryResponse.from_participant).is_(False),
        )
        .order_by(col(EntryResponse.created_at).desc(), col(EntryResponse.id).desc())
        .limit(limit)
    ).all()


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


def next_appointment_with(
    session: Session, clinician_id: uuid.UUID, participant_id: uuid.UUID, since: datetime
) -> Appointment | None:
    """The next appointment of this clinician with this participant."""
    found = appointments_for(session, participant_id=participant_id, clinician_id=clinician_id, since=since)
    return found[0] if found else None


def next_appointments(
    session: Session, clinician_id: uuid.UUID, since: datetime
) -> dict[uuid.UUID, Appointment]:
    """Per participant, the next appointment with this clinician: computed per participant, so
    that many appointments with one person cannot push another person's out of a window."""
    first = (
        select_columns(
            col(Appointment.participant_id).label("participant_id"),
            func.min(col(Appointment.starts_at)).label("starts_at"),
        )
        .where(col(Appointment.clinician_id) == clinician_id, col(Appointment.starts_at) >= since)
        .group_by(col(Appointment.participant_id))
        .subquery()
    )
    rows = session.exec(
        select(Appointment)
        .join(
            first,
            (col(Appointment.participant_id) == first.c.participant_id)
            & (col(Appointment.starts_at) == first.c.starts_at),
        )
        .where(col(Appointment.clinician_id) == clinician_id)
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    ).all()
    result: dict[uuid.UUID, Appointment] = {}
    for appointment in rows:
        result.setdefault(appointment.participant_id, appointment)
    return result


def count_future_appointments(session: Session, participant_id: uuid.UUID, *, since: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(Appointment)
        .where(col(Appointment.participant_id) == participant_id, col(Appointment.starts_at) >= since)
    ).one()


def delete_appointment(session: Session, appointment: Appointment) -> None:
    for item in agenda_of(session, appointment.id):
        session.delete(item)
    session.flush()
    session.delete(appointment)
    session.flush()


def appointments_with_discipline(
    session: Session,
    participant_id: uuid.UUID,
    *,
    since: datetime | None,
    appointment_id: uuid.UUID | None = None,
) -> list[tuple[Appointment, Discipline | None]]:
    """This participant's appointments from `since` on (or one of them), each with its
    clinician's discipline: everything a calendar event may say."""
    statement = (
        select_columns(Appointment, col(User.discipline))
        .join(User, col(User.id) == col(Appointment.clinician_id))
        .where(col(Appointment.participant_id) == participant_id)
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    )
    if since is not None:
        statement = statement.where(col(Appointment.starts_at) >= since)
    if appointment_id is not None:
        statement = statement.where(col(Appointment.id) == appointment_id)
    return [(row[0], row[1]) for row in session.execute(statement.limit(200)).all()]


# --- calendar links -----------------------------------------------------------------------


def calendar_feed_of(session: Session, user_id: uuid.UUID) -> CalendarFeed | None:
    return session.get(CalendarFeed, user_id)


def calendar_feed_by_hash(session: Session, token_hash: str) -> CalendarFeed | None:
    return session.exec(select(CalendarFeed).where(col(CalendarFeed.token_hash) == token_hash)).first()


def replace_calendar_feed(session: Session, user_id: uuid.UUID, token_hash: str) -> bool:
    """The person's one link, with this hash from now on; True when it replaced an older one."""
    existing = session.get(CalendarFeed, user_id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.add(CalendarFeed(user_id=user_id, token_hash=token_hash))
    session.flush()
    return existing is not None


def delete_calendar_feed(session: Session, user_id: uuid.UUID) -> bool:
    existing = session.get(CalendarFeed, user_id)
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    return True


def agenda_of(session: Session, appointment_id: uuid.UUID) -> Sequence[AgendaItem]:
    return session.exec(
        select(AgendaItem)
        .where(col(AgendaItem.appointment_id) == appointment_id)
        .order_by(col(AgendaItem.position))
    ).all()


def participant_of_clinician(
    session: Session, clinician_id: uuid.UUID, participant_id: uuid.UUID
) -> User | None:
    """This participant, if active and in one of the clinician's teams (one query, any team size).

    Asked once per session (a request): the preparation page's parts (entries, tasks, check-ins)
    each check it, and the answer cannot change inside one transaction's own reads."""
    key = ("participant_of_clinician", clinician_id, participant_id)
    known: dict[tuple[str, uuid.UUID, uuid.UUID], User | None] = session.info.setdefault(_ASKED, {})
    if key not in known:
        known[key] = session.exec(
            select(User).where(
                col(User.id) == participant_id,
                col(User.is_active).is_(True),
                participant_in_my_teams(clinician_id, User.id),
            )
        ).first()
    return known[key]


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


# --- who joined the team later ------------------------------------------------------------


class Joiner(NamedTuple):
    clinician: User
    joined_at: datetime
    earlier_team_shares: int


def undecided_joiners(session: Session, participant_id: uuid.UUID, team_id: uuid.UUID) -> list[Joiner]:
    """Active clinicians of the team who joined after the participant did, after at least one
    of the participant's live team shares in this team, and whom the participant has not answered
    yet; each with the number of those earlier shares. Oldest join first."""
    mine = aliased(TeamMembership)
    theirs = aliased(TeamMembership)
    author_id = participant_id  # the participant's own entries, scoped to them
    own_live_entries = select(Entry.id).where(
        col(Entry.author_id) == author_id, col(Entry.deleted_at).is_(None)
    )
    earlier = (
        select_columns(func.count())
        .where(
            col(Share.participant_id) == participant_id,
            col(Share.audience) == ShareAudience.team,
            col(Share.team_id) == team_id,
            col(Share.revoked_at).is_(None),
            col(Share.created_at) < col(theirs.joined_at),
            # an entry not in the trash, or the story (both hidden from a later joiner until asked)
            or_(col(Share.entry_id).in_(own_live_entries), col(Share.story_id).is_not(None)),
        )
        .scalar_subquery()
    )
    answered = exists().where(
        col(TeamShareDecision.participant_id) == participant_id,
        col(TeamShareDecision.clinician_id) == col(theirs.user_id),
        col(TeamShareDecision.team_id) == team_id,
    )
    statement = (
        select_columns(User, col(theirs.joined_at), earlier)
        .join(theirs, col(theirs.user_id) == User.id)
        .join(mine, and_(col(mine.team_id) == col(theirs.team_id), col(mine.user_id) == participant_id))
        .where(
            col(theirs.team_id) == team_id,
            col(theirs.member_role) == Role.clinician,
            col(User.is_active).is_(True),
            col(theirs.joined_at) > col(mine.joined_at),
            earlier > 0,
            ~answered,
        )
        .order_by(col(theirs.joined_at), col(User.id))
    )
    return [
        Joiner(user, joined_at, int(count)) for user, joined_at, count in session.execute(statement).all()
    ]


def decide_joiner(
    session: Session, *, participant_id: uuid.UUID, clinician_id: uuid.UUID, team_id: uuid.UUID, allowed: bool
) -> TeamShareDecision:
    decision = session.get(TeamShareDecision, (participant_id, clinician_id, team_id))
    if decision is None:
        decision = TeamShareDecision(
            participant_id=participant_id, clinician_id=clinician_id, team_id=team_id, allowed=allowed
        )
        session.add(decision)
    else:
        decision.allowed = allowed
        decision.decided_at = utcnow()
    session.flush()
    return decision


def decisions_of(session: Session, participant_id: uuid.UUID) -> Sequence[TeamShareDecision]:
    return session.exec(
        select(TeamShareDecision)
        .where(col(TeamShareDecision.participant_id) == participant_id)
        .order_by(col(TeamShareDecision.decided_at))
    ).all()
