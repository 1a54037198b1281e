"""The rules of sharing: explicit shares and instant revokes, appointments and agendas,
responses that close the loop, and the participant's view of who read what.

Clinician reads go through `repository.visible_entries`; nothing here queries entries for a
clinician any other way.
"""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session

from app.accounts import repository as accounts_repository
from app.audit import service as audit
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import N_
from app.journal import repository as journal_repository
from app.journal.schemas import EntryPublic
from app.journal.service import ENTRY_NOT_FOUND, entry_public
from app.models import AgendaItem, Appointment, Entry, EntryResponse, Share, User
from app.models.enums import EntryKind, ResponseKind, Role, ShareAudience
from app.models.types import utcnow
from app.sharing import repository
from app.sharing.schemas import (
    AccessLogItem,
    AgendaItemPublic,
    AgendaSet,
    AppointmentCreate,
    AppointmentPublic,
    EntrySharing,
    MessageCreate,
    ParticipantViewCreate,
    RaiseCreate,
    RaisePublic,
    ResponseCreate,
    ResponsePublic,
    ResponseToMe,
    ShareCreate,
    SharePublic,
    StorySharePublic,
    TeamJoiner,
    TeamJoinerDecided,
    TeamJoinerDecision,
)

OUTCOME_KINDS = {EntryKind.disagreement, EntryKind.goal}


# --- shares (participant) -----------------------------------------------------------------


def _own_live_entry(session: Session, actor: User, entry_id: uuid.UUID) -> Entry:
    entry = journal_repository.own_entry(session, actor.id, entry_id)
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    if entry.deleted_at is not None:
        raise Conflict(N_("This entry is in the trash. Restore it before sharing."), code="in_trash")
    return entry


def _team_clinicians(
    session: Session, actor: User, team_id: uuid.UUID | None = None
) -> dict[uuid.UUID, User]:
    """The active clinicians of the participant's team (`team_id` when the caller has it)."""
    team_id = team_id or accounts_repository.participant_team_id(session, actor.id)
    if team_id is None:
        raise Conflict(
            N_("You are not in a care team yet, so there is no one to share with."), code="no_team"
        )
    return {
        user.id: user
        for _member, user in accounts_repository.members_of(session, team_id, roles=[Role.clinician])
        if user.is_active
    }


def _named(clinician: User | None) -> dict[str, object]:
    """The clinician's name and discipline next to their share or response (None once erased)."""
    return {
        "clinician_name": clinician.display_name if clinician else None,
        "clinician_discipline": clinician.discipline if clinician else None,
    }


def _share_public(share: Share, clinicians: dict[uuid.UUID, User]) -> SharePublic:
    clinician = clinicians.get(share.clinician_id) if share.clinician_id else None
    return SharePublic.model_validate({**share.model_dump(), **_named(clinician)})


def _audience(
    session: Session, actor: User, data: ShareCreate
) -> tuple[dict[uuid.UUID, User], uuid.UUID | None, list[uuid.UUID | None]]:
    """The team's clinicians, the participant's team, and who to share with (None: the team)."""
    team_id = accounts_repository.participant_team_id(session, actor.id)
    clinicians = _team_clinicians(session, actor, team_id)
    if data.audience == "team":
        return clinicians, team_id, [None]
    chosen = list(dict.fromkeys(data.clinician_ids or []))
    if not chosen:
        raise InvalidInput(N_("Choose at least one person to share with."), field="clinician_ids")
    if any(clinician_id not in clinicians for clinician_id in chosen):
        raise InvalidInput(
            N_("You can share only with clinicians of your own care team."), field="clinician_ids"
        )
    return clinicians, team_id, list(chosen)


def share_entries(
    session: Session, *, actor: User, entry_ids: Sequence[uuid.UUID], data: ShareCreate
) -> list[SharePublic]:
    """Share one or more own entries; sharing again with the same audience changes nothing."""
    entries = [_own_live_entry(session, actor, entry_id) for entry_id in dict.fromkeys(entry_ids)]
    clinicians, team_id, targets = _audience(session, actor, data)
    live = repository.live_shares_of_entries(session, [entry.id for entry in entries])
    # A team share counts only for the team the participant is in now.
    existing = {
        (share.entry_id, share.clinician_id): share
        for share in live
        if share.clinician_id is not None or share.team_id == team_id
    }
    result = []
    for entry in entries:
        for clinician_id in targets:
            share = existing.get((entry.id, clinician_id))
            if share is None:
                share = Share(
                    entry_id=entry.id,
                    participant_id=actor.id,
                    audience=ShareAudience.team if clinician_id is None else ShareAudience.clinician,
                    clinician_id=clinician_id,
                    team_id=team_id if clinician_id is None else None,
                )
                session.add(share)
                session.flush()
                audit.record(
                    session, action="share.create", actor=actor, subject_id=actor.id, target=entry.id
                )
            result.append(share)
    session.flush()
    return [_share_public(share, clinicians) for share in result]


def list_shares(session: Session, *, actor: User, entry_id: uuid.UUID) -> list[SharePublic]:
    entry = journal_repository.own_entry(session, actor.id, entry_id)
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    shares = repository.shares_of_entry(session, entry_id)
    people = accounts_repository.users_by_ids(session, [share.clinician_id for share in shares])
    return [_share_public(share, people) for share in shares]


def sharing_summaries(
    session: Session, *, actor: User, entry_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, EntrySharing]:
    """For a page of my own entries: with whom each is shared now and what the team said.
    A few queries, whatever the page size; anyone else's entry ids get an empty summary."""
    own = [
        entry.id
        for entry in journal_repository.own_entries_by_ids(session, actor.id, entry_ids)
        if entry.deleted_at is None
    ]
    summaries = {entry_id: EntrySharing() for entry_id in entry_ids}
    shares = repository.live_shares_of_entries(session, own)
    people = accounts_repository.users_by_ids(session, [share.clinician_id for share in shares])
    for share in shares:
        if share.entry_id is None:  # (only entries' shares are asked for)
            continue
        summary = summaries[share.entry_id]
        if share.clinician_id is None:
            summary.shared_with_team = True
        else:
            person = people.get(share.clinician_id)
            summary.shared_with.append(person.display_name if person else "?")
    for entry_id, responses in repository.responses_of(session, own).items():
        summary = summaries[entry_id]
        for response, _clinician in responses:
            if response.from_participant:
                continue
            if response.kind == ResponseKind.seen:
                summary.seen += 1
            else:
                summary.replies += 1
            summary.latest_response_at = max(filter(None, (summary.latest_response_at, response.created_at)))
    for summary in summaries.values():
        summary.shared_with.sort(key=str.casefold)
    return summaries


def shared_entries(session: Session, *, actor: User, limit: int = 200) -> list[EntryPublic]:
    """My entries with at least one live share, newest first (not those in the trash)."""
    return [entry_public(entry) for entry in repository.shared_entries_of(session, actor.id, limit)]


def readable_by(
    session: Session, *, actor: User, clinician_id: uuid.UUID, entry_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these entries of mine this clinician can read now."""
    return repository.filter_visible(session, clinician_id, entry_ids, author_id=actor.id)


def revoke_share(session: Session, *, actor: User, entry_id: uuid.UUID, share_id: uuid.UUID) -> SharePublic:
    share = repository.share_by_id(session, share_id)
    if share is None or share.entry_id != entry_id or share.participant_id != actor.id:
        raise NotFound(N_("This share does not exist, or it is not yours."))
    if share.revoked_at is None:
        repository.revoke_share(session, share.id)
        session.refresh(share)
        audit.record(session, action="share.revoke", actor=actor, subject_id=actor.id, target=share.entry_id)
    return _share_public(share, accounts_repository.users_by_ids(session, [share.clinician_id]))


# --- the participant's story: shared as a whole, under the same rule ------------------------

STORY_SHARE_NOT_FOUND = N_("This share does not exist, or it is not yours.")


def _story_share_public(share: Share, people: dict[uuid.UUID, User]) -> StorySharePublic:
    clinician = people.get(share.clinician_id) if share.clinician_id else None
    return StorySharePublic.model_validate({**share.model_dump(), **_named(clinician)})


def share_story(
    session: Session, *, actor: User, story_id: uuid.UUID, data: ShareCreate
) -> list[StorySharePublic]:
    """Share the participant's story (the caller checked it is theirs); again changes nothing."""
    clinicians, team_id, targets = _audience(session, actor, data)
    live = [share for share in repository.shares_of_story(session, story_id) if share.revoked_at is None]
    existing = {
        share.clinician_id: share
        for share in live
        if share.clinician_id is not None or share.team_id == team_id
    }
    result = []
    for clinician_id in targets:
        share = existing.get(clinician_id)
        if share is None:
            share = Share(
                story_id=story_id,
                participant_id=actor.id,
                audience=ShareAudience.team if clinician_id is None else ShareAudience.clinician,
                clinician_id=clinician_id,
                team_id=team_id if clinician_id is None else None,
            )
            session.add(share)
            session.flush()
            audit.record(session, action="story.share", actor=actor, subject_id=actor.id, target=story_id)
        result.append(share)
    return [_story_share_public(share, clinicians) for share in result]


def story_shares(session: Session, *, story_id: uuid.UUID) -> list[StorySharePublic]:
    shares = repository.shares_of_story(session, story_id)
    people = accounts_repository.users_by_ids(session, [share.clinician_id for share in shares])
    return [_story_share_public(share, people) for share in shares]


def revoke_story_share(
    session: Session, *, actor: User, story_id: uuid.UUID, share_id: uuid.UUID
) -> StorySharePublic:
    share = repository.share_by_id(session, share_id)
    if share is None or share.story_id != story_id or share.participant_id != actor.id:
        raise NotFound(STORY_SHARE_NOT_FOUND)
    if share.revoked_at is None:
        repository.revoke_share(session, share.id)
        session.refresh(share)
        audit.record(session, action="story.unshare", actor=actor, subject_id=actor.id, target=story_id)
    return _story_share_public(share, accounts_repository.users_by_ids(session, [share.clinician_id]))


# --- who joined the team later -------------------------------------------------------------

JOINER_NOT_FOUND = N_("This person did not join your care team after you.")


def team_joiners(session: Session, *, actor: User) -> list[TeamJoiner]:
    """Clinicians who joined my team after me and whom I have not answered yet: what I shared
    with the whole team before they joined stays hidden from them until I say yes."""
    team_id = accounts_repository.participant_team_id(session, actor.id)
    if team_id is None:
        return []
    return [
        TeamJoiner(
            clinician_id=joiner.clinician.id,
            clinician_name=joiner.clinician.display_name,
            clinician_discipline=joiner.clinician.discipline,
            joined_at=joiner.joined_at,
            earlier_team_shares=joiner.earlier_team_shares,
        )
        for joiner in repository.undecided_joiners(session, actor.id, team_id)
    ]


def decide_team_joiner(
    session: Session, *, actor: User, clinician_id: uuid.UUID, data: TeamJoinerDecision
) -> TeamJoinerDecided:
    """May this clinician, who joined my team after me, see what I shared with the whole team
    before they joined? Can be answered again (a no after a yes hides those shares at once)."""
    team_id = accounts_repository.participant_team_id(session, actor.id)
    mine = accounts_repository.membership(session, team_id, actor.id) if team_id else None
    theirs = accounts_repository.membership(session, team_id, clinician_id) if team_id else None
    if (
        team_id is None
        or mine is None
        or theirs is None
        or theirs.member_role != Role.clinician
        or theirs.joined_at <= mine.joined_at
    ):
        raise NotFound(JOINER_NOT_FOUND, field="clinician_id")
    decision = repository.decide_joiner(
        session, participant_id=actor.id, clinician_id=clinician_id, team_id=team_id, allowed=data.allowed
    )
    audit.record(
        session,
        action="share.joiner_allowed" if data.allowed else "share.joiner_kept_out",
        actor=actor,
        subject_id=actor.id,
        target=clinician_id,
    )
    return TeamJoinerDecided(
        clinician_id=clinician_id, allowed=decision.allowed, decided_at=decision.decided_at
    )


def team_joiner_answers(session: Session, *, actor: User) -> list[TeamJoinerDecided]:
    """Every answer I gave about a clinician who joined my team later (for my export)."""
    return [
        TeamJoinerDecided(clinician_id=d.clinician_id, allowed=d.allowed, decided_at=d.decided_at)
        for d in repository.decisions_of(session, actor.id)
    ]


def access_log(session: Session, *, actor: User) -> list[AccessLogItem]:
    """Who read what I shared, newest first, straight from the audit log."""
    return [
        AccessLogItem.model_validate(read._asdict()) for read in repository.access_log_of(session, actor.id)
    ]


def readers_of_entry(session: Session, *, actor: User, entry_id: uuid.UUID) -> list[repository.EntryReader]:
    """Who of the team read this entry of mine, each once with the last time; newest first."""
    return repository.readers_of_entries(session, actor.id, [entry_id]).get(entry_id, [])


# --- responses ----------------------------------------------------------------------------


def response_public(response: EntryResponse, clinician: User | None) -> ResponsePublic:
    return ResponsePublic.model_validate({**response.model_dump(), **_named(clinician)})


def responses_to_me(session: Session, *, actor: User, limit: int = 100) -> list[ResponseToMe]:
    """What my team said on my entries (not those in the trash), newest first."""
    return [
        ResponseToMe(response=response_public(response, clinician), entry=entry_public(entry))
        for response, entry, clinician in repository.responses_to_author(session, actor.id, limit)
    ]


def responses_on_my_entries(
    session: Session, *, actor: User, entry_ids: Sequence[uuid.UUID]
) -> list[ResponsePublic]:
    """Every response on these entries of mine (in the trash too), oldest first per entry."""
    own = [entry.id for entry in journal_repository.own_entries_by_ids(session, actor.id, entry_ids)]
    return [
        response_public(response, clinician)
        for items in repository.responses_of(session, own).values()
        for response, clinician in items
    ]


def _readable_entry(session: Session, actor: User, entry_id: uuid.UUID) -> Entry:
    """The owner's entry, or one shared with this clinician; anything else is 'not found'."""
    if actor.role == Role.participant:
        entry = journal_repository.own_entry(session, actor.id, entry_id)
        if entry is not None and entry.deleted_at is None:
            return entry
    elif actor.role == Role.clinician:
        entry = repository.visible_entry(session, actor.id, entry_id)
        if entry is not None:
            return entry
    raise NotFound(ENTRY_NOT_FOUND)


def add_response(
    session: Session, *, actor: User, entry_id: uuid.UUID, data: ResponseCreate
) -> ResponsePublic:
    entry = repository.visible_entry(session, actor.id, entry_id)
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    body = (data.body or "").replace("\r\n", "\n").strip() or None
    if data.kind == ResponseKind.reply and body is None:
        raise InvalidInput(N_("Write a reply first."), field="body")
    if data.kind == ResponseKind.seen and (body or data.outcome):
        raise InvalidInput(N_("Marking as seen takes no text or outcome."), field="body")
    if data.outcome is not None and (data.kind != ResponseKind.discussed or entry.kind not in OUTCOME_KINDS):
        raise InvalidInput(
            N_("An outcome is recorded only when a disagreement or goal was discussed."), field="outcome"
        )
    if data.kind == ResponseKind.discussed and entry.kind in OUTCOME_KINDS and data.outcome is None:
        raise InvalidInput(N_("Choose how the discussion ended."), field="outcome")
    response = EntryResponse(
        entry_id=entry.id, clinician_id=actor.id, kind=data.kind, body=body, outcome=data.outcome
    )
    if entry.kind == EntryKind.goal and data.outcome is not None:
        # A goal's agreement is about its wording as the clinician reads it now.
        response.goal_wording = journal_repository.goal_wording_count(session, entry.id) + 1
    session.add(response)
    session.flush()
    audit.record(session, action="response.create", actor=actor, subject_id=entry.author_id, target=entry.id)
    return response_public(response, actor)


def add_participant_message(
    session: Session, *, actor: User, entry_id: uuid.UUID, data: MessageCreate
) -> ResponsePublic:
    """The participant answers in the thread of their shared entry. Those it is shared with read
    it with the entry (the one visibility rule): a revoke hides it together with the entry."""
    entry = _own_live_entry(session, actor, entry_id)
    body = data.body.replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput(N_("Write your answer first."), field="body")
    if not repository.live_shares_of_entries(session, [entry.id]):
        raise Conflict(
            N_("Nobody can read this entry now. Share it first, then you can answer."), code="not_shared"
        )
    response = EntryResponse(entry_id=entry.id, kind=ResponseKind.reply, body=body, from_participant=True)
    session.add(response)
    session.flush()
    audit.record(session, action="response.create", actor=actor, subject_id=actor.id, target=entry.id)
    return response_public(response, None)


def list_responses(session: Session, *, actor: User, entry_id: uuid.UUID) -> list[ResponsePublic]:
    entry = _readable_entry(session, actor, entry_id)
    if actor.role == Role.clinician:
        # The participant's own words (their view on an outcome) are part of this answer.
        audit.record(
            session,
            action=repository.READ_VIA_RESPONSES,
            actor=actor,
            subject_id=entry.author_id,
            target=entry.id,
        )
    return [response_public(r, u) for r, u in repository.responses_of(session, [entry.id]).get(entry.id, [])]


def record_participant_view(
    session: Session, *, actor: User, entry_id: uuid.UUID, response_id: uuid.UUID, data: ParticipantViewCreate
) -> ResponsePublic:
    entry = journal_repository.own_entry(session, actor.id, entry_id)
    response = repository.response_by_id(session, response_id)
    if entry is None or response is None or response.entry_id != entry.id:
        raise NotFound(N_("This response does not exist, or it is not about your entry."))
    if response.kind != ResponseKind.discussed:
        raise InvalidInput(N_("You can give your view on a discussion outcome only."), field="view")
    response.participant_view = data.view
    response.participant_note = (data.note or "").strip() or None
    response.participant_viewed_at = utcnow()
    session.add(response)
    session.flush()
    clinician = (
        accounts_repository.user_by_id(session, response.clinician_id) if response.clinician_id else None
    )
    return response_public(response, clinician)


# --- appointments and agendas -------------------------------------------------------------


def _shares_a_team(session: Session, participant_id: uuid.UUID, clinician_id: uuid.UUID) -> bool:
    team_id = accounts_repository.participant_team_id(session, participant_id)
    if team_id is None:
        return False
    member = accounts_repository.membership(session, team_id, clinician_id)
    return member is not None and member.member_role == Role.clinician


def appointment_public(session: Session, appointment: Appointment, *, viewer: User) -> AppointmentPublic:
    participant = accounts_repository.user_by_id(session, appointment.participant_id)
    clinician = accounts_repository.user_by_id(session, appointment.clinician_id)
    items = repository.agenda_of(session, appointment.id)
    if viewer.role == Role.clinician:
        # A revoked or deleted entry leaves the clinician's agenda at once, and only the
        # appointment's own participant's entries are ever on it.
        visible = repository.filter_visible(
            session, viewer.id, [item.entry_id for item in items], author_id=appointment.participant_id
        )
        items = [item for item in items if item.entry_id in visible]
    else:
        own = {
            e.id
            for e in (journal_repository.own_entry(session, viewer.id, item.entry_id) for item in items)
            if e is not None and e.deleted_at is None
        }
        items = [item for item in items if item.entry_id in own]
    return AppointmentPublic(
        id=appointment.id,
        participant_id=appointment.participant_id,
        participant_name=participant.display_name if participant else "",
        clinician_id=appointment.clinician_id,
        clinician_name=clinician.display_name if clinician else "",
        clinician_discipline=clinician.discipline if clinician else None,
        starts_at=appointment.starts_at,
        agenda=[
            AgendaItemPublic(entry_id=item.entry_id, position=position, important=item.important)
            for position, item in enumerate(items, start=1)
        ],
    )


# Appointments a person can plan: from a day ago (a visit being written down afterwards) to two
# years ahead, and no more than this many in the future per participant. Unbounded dates broke
# pages (a year-9999 moment overflows when shown east of UTC) and unbounded counts let anyone
# crowd the clinician's lists.
APPOINTMENTS_AHEAD = timedelta(days=2 * 365)
MAX_FUTURE_APPOINTMENTS = 20


def create_appointment(session: Session, *, actor: User, data: AppointmentCreate) -> AppointmentPublic:
    if actor.role == Role.participant:
        if data.participant_id not in (None, actor.id):
            raise InvalidInput(N_("You can plan appointments for yourself only."), field="participant_id")
        if data.clinician_id is None:
            raise InvalidInput(N_("Choose the clinician you will see."), field="clinician_id")
        participant_id, clinician_id = actor.id, data.clinician_id
    elif actor.role == Role.clinician:
        if data.clinician_id not in (None, actor.id):
            raise InvalidInput(N_("You can plan your own appointments only."), field="clinician_id")
        if data.participant_id is None:
            raise InvalidInput(N_("Choose the participant."), field="participant_id")
        participant_id, clinician_id = data.participant_id, actor.id
    else:
        raise Forbidden(N_("Your account cannot do this."))
    if not _shares_a_team(session, participant_id, clinician_id):
        field = "clinician_id" if actor.role == Role.participant else "participant_id"
        raise InvalidInput(N_("This person is not in the same care team."), field=field)
    now = utcnow()
    if data.starts_at < now - timedelta(days=1):
        raise InvalidInput(N_("This appointment lies in the past."), field="starts_at")
    if data.starts_at > now + APPOINTMENTS_AHEAD:
        raise InvalidInput(N_("Plan appointments at most two years ahead."), field="starts_at")
    if repository.count_future_appointments(session, participant_id, since=now) >= MAX_FUTURE_APPOINTMENTS:
        raise Conflict(
            N_("There are already {count} appointments planned. Cancel one first."),
            code="too_many_appointments",
            count=MAX_FUTURE_APPOINTMENTS,
        )
    appointment = Appointment(
        participant_id=participant_id,
        clinician_id=clinician_id,
        starts_at=data.starts_at,
        created_by_id=actor.id,
    )
    session.add(appointment)
    session.flush()
    audit.record(
        session, action="appointment.create", actor=actor, subject_id=participant_id, target=appointment.id
    )
    return appointment_public(session, appointment, viewer=actor)


def list_appointments(
    session: Session, *, actor: User, include_past: bool = False, with_participant: uuid.UUID | None = None
) -> list[AppointmentPublic]:
    """My appointments; a clinician may ask for those with one participant only."""
    since = None if include_past else utcnow() - timedelta(hours=12)
    if actor.role == Role.participant:
        rows = repository.appointments_for(session, participant_id=actor.id, since=since)
    elif actor.role == Role.clinician:
        rows = repository.appointments_for(
            session, clinician_id=actor.id, participant_id=with_participant, since=since
        )
        rows = [a for a in rows if _shares_a_team(session, a.participant_id, actor.id)]
    else:
        raise Forbidden(N_("Your account cannot do this."))
    return [appointment_public(session, appointment, viewer=actor) for appointment in rows]


def shared_for_appointment(session: Session, *, clinician: User, appointment: Appointment) -> bool:
    """Whether the participant of this appointment of the clinician's has something for it (an
    entry about it, or on its agenda) that the clinician may see now, by the one rule."""
    if appointment.clinician_id != clinician.id or clinician.role != Role.clinician:
        return False
    return repository.sees_something_for_appointment(session, clinician.id, appointment)


def _reachable_appointment(session: Session, actor: User, appointment_id: uuid.UUID) -> Appointment:
    appointment = repository.appointment_by_id(session, appointment_id)
    if appointment is None or actor.id not in (appointment.participant_id, appointment.clinician_id):
        raise NotFound(N_("This appointment does not exist, or it is not yours."))
    return appointment


def get_appointment(session: Session, *, actor: User, appointment_id: uuid.UUID) -> AppointmentPublic:
    return appointment_public(session, _reachable_appointment(session, actor, appointment_id), viewer=actor)


def cancel_appointment(session: Session, *, actor: User, appointment_id: uuid.UUID) -> None:
    """Either side of an appointment may cancel it; its agenda goes with it."""
    appointment = _reachable_appointment(session, actor, appointment_id)
    repository.delete_appointment(session, appointment)
    audit.record(
        session,
        action="appointment.cancel",
        actor=actor,
        subject_id=appointment.participant_id,
        target=appointment.id,
    )


def set_agenda(
    session: Session, *, actor: User, appointment_id: uuid.UUID, data: AgendaSet
) -> AppointmentPublic:
    appointment = _reachable_appointment(session, actor, appointment_id)
    if appointment.participant_id != actor.id:
        raise Forbidden(N_("Only the participant sets the agenda."))
    entry_ids = list(dict.fromkeys(data.entry_ids))
    if len(entry_ids) != len(data.entry_ids):
        raise InvalidInput(N_("An entry can be on the agenda only once."), field="entry_ids")
    if not set(data.important_ids) <= set(entry_ids):
        raise InvalidInput(N_("Mark as important only entries on the agenda."), field="important_ids")
    visible = repository.filter_visible(session, appointment.clinician_id, entry_ids)
    # Only one's own entries: another participant's, even one shared with this clinician, is refused.
    own = {entry_id for entry_id in visible if journal_repository.own_entry(session, actor.id, entry_id)}
    if set(entry_ids) - own:
        raise InvalidInput(
            N_("Put on the agenda only entries you have shared with this clinician."), field="entry_ids"
        )
    for item in repository.agenda_of(session, appointment.id):
        session.delete(item)
    session.flush()
    important = set(data.important_ids)
    for position, entry_id in enumerate(entry_ids, start=1):
        session.add(
            AgendaItem(
                appointment_id=appointment.id,
                entry_id=entry_id,
                position=position,
                important=entry_id in important,
            )
        )
    session.flush()
    return appointment_public(session, appointment, viewer=actor)


# --- one intention, one step --------------------------------------------------------------

UPCOMING = timedelta(hours=12)  # an appointment of this morning still counts as the next one


def raise_at_next_session(
    session: Session, *, actor: User, entry_id: uuid.UUID, data: RaiseCreate
) -> RaisePublic:
    """ "I want to raise this at my next session", in one step: the entry is shared with the chosen
    person only, marked for the next session, and put on the agenda of our next appointment."""
    entry = _own_live_entry(session, actor, entry_id)
    if (data.appointment_id is None) == (data.clinician_id is None):
        raise InvalidInput(N_("Choose whom you want to raise this with."), field="with")
    clinicians = _team_clinicians(session, actor)
    appointment: Appointment | None
    if data.appointment_id is not None:
        appointment = repository.appointment_by_id(session, data.appointment_id)
        if (
            appointment is None
            or appointment.participant_id != actor.id
            or appointment.starts_at < utcnow() - UPCOMING
            or appointment.clinician_id not in clinicians
        ):
            raise InvalidInput(N_("Choose one of your next appointments."), field="with")
        clinician_id = appointment.clinician_id
    else:
        clinician_id = data.clinician_id  # type: ignore[assignment]
        if clinician_id not in clinicians:
            raise InvalidInput(N_("You can share only with clinicians of your own care team."), field="with")
        appointment = repository.next_appointment_with(
            session, clinician_id, actor.id, since=utcnow() - UPCOMING
        )
    share_entries(session, actor=actor, entry_ids=[entry.id], data=ShareCreate(clinician_ids=[clinician_id]))
    if not entry.raise_next_session:
        entry.raise_next_session = True
        entry.version += 1  # an edit page opened before this must not silently undo it
        session.add(entry)
    if appointment is not None:
        items = repository.agenda_of(session, appointment.id)
        if all(item.entry_id != entry.id for item in items):
            last = max((item.position for item in items), default=0)
            session.add(AgendaItem(appointment_id=appointment.id, entry_id=entry.id, position=last + 1))
    session.flush()
    return RaisePublic(
        entry_id=entry.id,
        clinician_id=clinician_id,
        clinician_name=clinicians[clinician_id].display_name,
        appointment=appointment_public(session, appointment, viewer=actor) if appointment else None,
    )


def append_to_agenda(
    session: Session, *, actor: User, appointment_id: uuid.UUID, entry_ids: Sequence[uuid.UUID]
) -> AppointmentPublic:
    """Put these entries of mine at the end of my appointment's agenda (those already on it stay
    where they are). Each must be shared with that appointment's clinician."""
    appointment = _reachable_appointment(session, actor, appointment_id)
    if appointment.participant_id != actor.id:
        raise Forbidden(N_("Only the participant sets the agenda."))
    wanted = list(dict.fromkeys(entry_ids))
    visible = repository.filter_visible(session, appointment.clinician_id, wanted, author_id=actor.id)
    if set(wanted) - visible:
        clinician = accounts_repository.user_by_id(session, appointment.clinician_id)
        raise InvalidInput(
            N_("Share them with {name} to put them on the agenda of your appointment with them."),
            field="agenda",
            name=clinician.display_name if clinician else "",
        )
    items = repository.agenda_of(session, appointment.id)
    on_it = {item.entry_id for item in items}
    last = max((item.position for item in items), default=0)
    for entry_id in wanted:
        if entry_id not in on_it:
            last += 1
            session.add(AgendaItem(appointment_id=appointment.id, entry_id=entry_id, position=last))
    session.flush()
    return appointment_public(session, appointment, viewer=actor)
