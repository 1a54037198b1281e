"""The clinician's dashboard and session preparation: read-only views built on
`sharing.repository.visible_entries`, recording every read for the participant to see."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from app.accounts import repository as accounts_repository
from app.audit import service as audit
from app.clinician.schemas import (
    ClinicianEntryView,
    EntryBrief,
    ParticipantBrief,
    ParticipantSummary,
    Preparation,
    SharedWith,
)
from app.errors import NotFound
from app.goals import service as goals_service
from app.goals.schemas import GoalView
from app.i18n import N_
from app.models import Entry, User
from app.models.enums import EntryKind, Outcome, ParticipantView, ResponseKind, Role
from app.models.types import utcnow
from app.sharing import repository
from app.sharing.repository import READ_VIA_PREPARATION
from app.sharing.service import OUTCOME_KINDS, appointment_public, response_public

# The participant's latest view decides: while it is "partly" or "I see it differently", the
# matter stays open whatever outcome the clinician noted (ruptures professionals thought resolved).
DISPUTING_VIEWS = {ParticipantView.partly, ParticipantView.differs}

PARTICIPANT_NOT_FOUND = N_("This participant does not exist, or is not in one of your teams.")


def list_participants(session: Session, *, actor: User) -> list[ParticipantSummary]:
    unread = repository.unread_counts(session, actor.id)
    upcoming = repository.next_appointments(session, actor.id, since=utcnow())
    return [
        ParticipantSummary(
            id=participant.id,
            display_name=participant.display_name,
            team_id=team_id,
            next_appointment=upcoming[participant.id].starts_at if participant.id in upcoming else None,
            unread_count=unread.get(participant.id, 0),
        )
        for participant, team_id in repository.participants_of_clinician(session, actor.id)
    ]


def _participant_of_mine(session: Session, actor: User, participant_id: uuid.UUID) -> User:
    participant = repository.participant_of_clinician(session, actor.id, participant_id)
    if participant is None:
        raise NotFound(PARTICIPANT_NOT_FOUND)
    return participant


def _views(session: Session, actor: User, entries: Sequence[Entry]) -> dict[uuid.UUID, ClinicianEntryView]:
    ids = [entry.id for entry in entries]
    reads = repository.reads_of(session, actor.id, ids)
    shares = repository.live_shares_of_entries(session, ids)
    responses = repository.responses_of(session, ids)
    people = accounts_repository.users_by_ids(session, [share.clinician_id for share in shares])
    first_shared: dict[uuid.UUID, datetime] = {}
    shared_with: dict[uuid.UUID, list[SharedWith]] = {}
    for share in sorted(shares, key=lambda s: s.created_at):
        if share.entry_id is None:  # (only entries' shares are asked for)
            continue
        first_shared.setdefault(share.entry_id, share.created_at)
        person = people.get(share.clinician_id) if share.clinician_id else None
        shared_with.setdefault(share.entry_id, []).append(
            SharedWith(
                audience=share.audience.value,
                clinician_name=person.display_name if person else None,
                clinician_discipline=person.discipline if person else None,
            )
        )
    goals = goals_service.goal_views(session, entries)
    views = {}
    for entry in entries:
        entry_responses = responses.get(entry.id, [])
        discussed = [r for r, _u in entry_responses if r.kind == ResponseKind.discussed and r.outcome]
        latest = discussed[-1] if discussed else None
        agreement = latest.outcome if latest else None
        participant_view = latest.participant_view if latest else None
        read = reads.get(entry.id)
        # New for me: the entry changed, or someone else (the participant's view or reply, a
        # colleague's reply) spoke since I last opened it.
        changed_at = max(
            [entry.updated_at]
            + [r.participant_viewed_at for r, _u in entry_responses if r.participant_viewed_at]
            + [
                r.created_at
                for r, _u in entry_responses
                if r.kind != ResponseKind.seen and r.clinician_id != actor.id
            ]
        )
        views[entry.id] = ClinicianEntryView.model_validate(
            {
                **entry.model_dump(),
                "edited_after_sharing": entry.updated_at > first_shared[entry.id],
                "is_new": read is None or read.last_opened_at < changed_at,
                "is_open": entry.kind in OUTCOME_KINDS
                and (agreement != Outcome.agreed or participant_view in DISPUTING_VIEWS),
                "shared_with": shared_with.get(entry.id, []),
                "responses": [response_public(r, u) for r, u in entry_responses],
                "agreement": agreement,
                "participant_view": participant_view,
                "participant_note": latest.participant_note if latest and participant_view else None,
                "goal": GoalView.model_validate(goals[entry.id].model_dump()) if entry.id in goals else None,
            }
        )
    return views


def entry_brief(session: Session, *, actor: User, entry_id: uuid.UUID) -> EntryBrief | None:
    """Whose entry it is and its kind, if this clinician may see it."""
    entry = repository.visible_entry(session, actor.id, entry_id)
    return EntryBrief(participant_id=entry.author_id, kind=entry.kind) if entry else None


def _record_reads(session: Session, actor: User, participant: User, entries: Sequence[Entry]) -> None:
    """ "New since I last looked" for the clinician, and one audit event per entry opened: the
    audit log is what the participant's "who viewed what I shared" page reads."""
    repository.mark_read(session, actor.id, [entry.id for entry in entries], at=utcnow())
    # With nothing shown, the opening itself is still recorded (without a target).
    audit.record_many(
        session,
        action=READ_VIA_PREPARATION,
        actor=actor,
        subject_id=participant.id,
        targets=[entry.id for entry in entries] or [None],
    )


def preparation(
    session: Session,
    *,
    actor: User,
    participant_id: uuid.UUID,
    kind: EntryKind | None = None,
    new_only: bool = False,
) -> Preparation:
    assert actor.role == Role.clinician
    participant = _participant_of_mine(session, actor, participant_id)
    entries = list(repository.visible_entries_of(session, actor.id, participant.id))
    if kind is not None:
        entries = [entry for entry in entries if entry.kind == kind]
    views = _views(session, actor, entries)
    if new_only:
        entries = [entry for entry in entries if views[entry.id].is_new]
    upcoming = repository.next_appointment_with(session, actor.id, participant.id, since=utcnow())
    appointment = appointment_public(session, upcoming, viewer=actor) if upcoming else None
    on_agenda = [item.entry_id for item in appointment.agenda] if appointment else []
    shown = {entry.id for entry in entries}
    agenda = [views[entry_id] for entry_id in on_agenda if entry_id in shown]
    rest = [entry for entry in entries if entry.id not in set(on_agenda)]

    def of_kind(*kinds: EntryKind) -> list[ClinicianEntryView]:
        return [views[entry.id] for entry in rest if entry.kind in kinds]

    disagreements = [view for view in of_kind(EntryKind.disagreement) if view.is_open]
    _record_reads(session, actor, participant, entries)
    return Preparation(
        participant=ParticipantBrief(id=participant.id, display_name=participant.display_name),
        next_appointment=appointment,
        agenda=agenda,
        disagreements=disagreements,
        questions=of_kind(EntryKind.question),
        goals=of_kind(EntryKind.goal),
        thoughts_and_feelings=of_kind(EntryKind.thought, EntryKind.feeling),
    )
