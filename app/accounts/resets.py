"""A care-team assisted password reset that cannot be a takeover (issue 17, item 3).

For a participant with neither a passkey nor a recovery code. Two people, never one:
1. a clinician of the participant's team starts it;
2. a second person approves it: another clinician of that team, or an admin (never the starter);
3. only then the starter makes the one-time reset code (140 random bits, only its SHA-256 kept,
   valid 24 hours, single use) and hands it over in person;
4. the participant chooses a new password with it on the "Forgot your password?" page; every
   session ends.
Nobody but the participant ever sets a password. The participant sees every reset of their
account (who started it, who approved it, when) on their home page and in "Who viewed what I
shared", can stop one that is under way, and is told prominently after one was used. Every step
is in the audit chain. A reset reads and changes no entry.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app.accounts import repository
from app.accounts.invitation_codes import code_hash, new_code
from app.accounts.schemas import AccountResetView, ResetCodeIssued, ResetPerson, ResetState
from app.audit import service as audit
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import N_
from app.models import AccountReset, User
from app.models.enums import Role
from app.models.types import utcnow

# A started reset must be approved and its code made within a day; the code then lives a day.
REQUEST_TIME = timedelta(hours=24)
CODE_TIME = timedelta(hours=24)

PARTICIPANT_NOT_FOUND = N_("This participant does not exist, or is not in one of your teams.")
RESET_NOT_FOUND = N_("This account reset does not exist, or it is not yours to see.")
ALREADY_UNDER_WAY = N_("A reset of this account is already under way.")
NOT_ACTIVE = N_("This account is switched off. An admin can switch it on again.")
NOT_YOUR_OWN = N_("A second person must approve this reset: you started it yourself.")
NOT_WAITING = N_("This reset is not waiting for approval any more.")
NOT_APPROVED = N_("A second person must approve this reset before its code can be made.")
ONLY_STARTER = N_("Only the person who started this reset can make its code, once it is approved.")
NOT_OPEN = N_("This reset is over: it was used, stopped, or it ran out of time.")

OPEN_STATES = frozenset({ResetState.waiting, ResetState.approved, ResetState.issued})


def state_of(reset: AccountReset, now: datetime | None = None) -> ResetState:
    now = now or utcnow()
    if reset.cancelled_at is not None:
        return ResetState.cancelled
    if reset.used_at is not None:
        return ResetState.used
    if reset.code_issued_at is not None:
        expired = reset.code_expires_at is None or now >= reset.code_expires_at
        return ResetState.lapsed if expired else ResetState.issued
    if now >= reset.started_at + REQUEST_TIME:
        return ResetState.lapsed
    return ResetState.approved if reset.approved_at is not None else ResetState.waiting


def _person(session: Session, user_id: uuid.UUID | None) -> ResetPerson:
    user = repository.user_by_id(session, user_id) if user_id else None
    if user is None:
        return ResetPerson(name=None, discipline=None, role=None)
    return ResetPerson(name=user.display_name, discipline=user.discipline, role=user.role)


@dataclass(frozen=True)
class _Rights:
    approve: bool = False
    make_code: bool = False
    cancel: bool = False


def _view(session: Session, reset: AccountReset, rights: _Rights) -> AccountResetView:
    participant = repository.user_by_id(session, reset.participant_id)
    return AccountResetView(
        id=reset.id,
        participant_id=reset.participant_id,
        participant_name=participant.display_name if participant else "",
        state=state_of(reset),
        started_by=_person(session, reset.started_by_id),
        started_at=reset.started_at,
        approved_by=_person(session, reset.approved_by_id) if reset.approved_at else None,
        approved_at=reset.approved_at,
        code_issued_at=reset.code_issued_at,
        code_expires_at=reset.code_expires_at,
        used_at=reset.used_at,
        cancelled_by=_person(session, reset.cancelled_by_id) if reset.cancelled_at else None,
        cancelled_at=reset.cancelled_at,
        can_approve=rights.approve,
        can_make_code=rights.make_code,
        can_cancel=rights.cancel,
    )


def _in_team_of(session: Session, actor: User, participant_id: uuid.UUID) -> bool:
    """The actor is a clinician of the participant's current team."""
    team_id = repository.participant_team_id(session, participant_id)
    if team_id is None or actor.role != Role.clinician:
        return False
    member = repository.membership(session, team_id, actor.id)
    return member is not None and member.member_role == Role.clinician


def _rights(session: Session, actor: User, reset: AccountReset) -> _Rights | None:
    """What this person may do with the reset; None: they may not even see it."""
    state = state_of(reset)
    is_open = state in OPEN_STATES
    if actor.id == reset.participant_id:
        return _Rights(cancel=is_open)
    staff = actor.role == Role.admin or _in_team_of(session, actor, reset.participant_id)
    if not staff or not actor.is_active:
        return None
    return _Rights(
        approve=state == ResetState.waiting and actor.id != reset.started_by_id,
        make_code=state == ResetState.approved and actor.id == reset.started_by_id,
        cancel=is_open,
    )


def _visible(session: Session, actor: User, reset_id: uuid.UUID) -> tuple[AccountReset, _Rights]:
    reset = repository.reset_by_id(session, reset_id)
    rights = _rights(session, actor, reset) if reset is not None else None
    if reset is None or rights is None:
        raise NotFound(RESET_NOT_FOUND)
    return reset, rights


def start(session: Session, *, actor: User, participant_id: uuid.UUID) -> AccountResetView:
    """A clinician of the participant's team asks for a reset; nothing is issued yet."""
    participant = repository.user_by_id(session, participant_id)
    if (
        participant is None
        or participant.role != Role.participant
        or not _in_team_of(session, actor, participant_id)
    ):
        raise NotFound(PARTICIPANT_NOT_FOUND)
    if not participant.is_active:
        raise Conflict(NOT_ACTIVE, code="account_inactive")
    if any(
        state_of(reset) in OPEN_STATES for reset in repository.resets_of_participant(session, participant_id)
    ):
        raise Conflict(ALREADY_UNDER_WAY, code="reset_under_way")
    reset = AccountReset(participant_id=participant_id, started_by_id=actor.id)
    session.add(reset)
    session.flush()
    audit.record(
        session, action="account.reset_started", actor=actor, subject_id=participant_id, target=reset.id
    )
    return _view(session, reset, _rights(session, actor, reset) or _Rights())


def read(session: Session, *, actor: User, reset_id: uuid.UUID) -> AccountResetView:
    reset, rights = _visible(session, actor, reset_id)
    return _view(session, reset, rights)


def open_resets(session: Session, *, actor: User) -> list[AccountResetView]:
    """For a clinician: the open resets of their teams' participants; for an admin: all."""
    if actor.role == Role.admin:
        candidates = repository.resets_since(session, utcnow() - REQUEST_TIME - CODE_TIME, None)
    else:
        participants = repository.participants_of_teams(
            session, repository.clinician_team_ids(session, actor.id)
        )
        candidates = repository.resets_since(session, utcnow() - REQUEST_TIME - CODE_TIME, participants)
    views = []
    for reset in candidates:
        rights = _rights(session, actor, reset)
        if rights is not None and state_of(reset) in OPEN_STATES:
            views.append(_view(session, reset, rights))
    return views


def approve(session: Session, *, actor: User, reset_id: uuid.UUID) -> AccountResetView:
    """The second person says yes. Never the one who started it."""
    reset, rights = _visible(session, actor, reset_id)
    if actor.id == reset.participant_id:
        raise NotFound(RESET_NOT_FOUND)
    if actor.id == reset.started_by_id:
        raise Forbidden(NOT_YOUR_OWN, code="second_person_needed")
    if state_of(reset) == ResetState.approved:
        return _view(session, reset, rights)  # two colleagues said yes at once: the first counts
    if not rights.approve:
        raise Conflict(NOT_WAITING, code="reset_not_waiting")
    reset.approved_by_id = actor.id
    reset.approved_at = utcnow()
    session.add(reset)
    session.flush()
    audit.record(
        session,
        action="account.reset_approved",
        actor=actor,
        subject_id=reset.participant_id,
        target=reset.id,
    )
    return _view(session, reset, _rights(session, actor, reset) or _Rights())


def make_code(session: Session, *, actor: User, reset_id: uuid.UUID) -> ResetCodeIssued:
    """The starter, after approval, makes the one code, shown once."""
    reset, rights = _visible(session, actor, reset_id)
    if not rights.make_code:
        state = state_of(reset)
        if state not in OPEN_STATES:
            raise Conflict(NOT_OPEN, code="reset_over")
        if actor.id != reset.started_by_id:
            raise Forbidden(ONLY_STARTER, code="only_starter")
        if state == ResetState.waiting:
            raise Conflict(NOT_APPROVED, code="approval_needed")
        raise Conflict(NOT_OPEN, code="code_made")  # the code was made before: only once
    code = new_code()
    now = utcnow()
    reset.code_hash = code_hash(code)
    reset.code_issued_at = now
    reset.code_expires_at = now + CODE_TIME
    session.add(reset)
    session.flush()
    audit.record(
        session, action="account.reset_code", actor=actor, subject_id=reset.participant_id, target=reset.id
    )
    return ResetCodeIssued(code=code, expires_at=reset.code_expires_at)


def cancel(session: Session, *, actor: User, reset_id: uuid.UUID) -> AccountResetView:
    """Stopped by the participant or by anyone of the team who may see it; its code stops working."""
    reset, rights = _visible(session, actor, reset_id)
    if state_of(reset) == ResetState.cancelled:
        return _view(session, reset, rights)  # stopped already: nothing more to do
    if not rights.cancel:
        raise Conflict(NOT_OPEN, code="reset_over")
    reset.cancelled_at = utcnow()
    reset.cancelled_by_id = actor.id
    session.add(reset)
    session.flush()
    audit.record(
        session,
        action="account.reset_cancelled",
        actor=actor,
        subject_id=reset.participant_id,
        target=reset.id,
    )
    return _view(session, reset, _rights(session, actor, reset) or _Rights())


def of_my_account(session: Session, *, actor: User) -> list[AccountResetView]:
    """Every reset of my account, newest first (the participant's own view and export)."""
    return [
        _view(session, reset, _Rights(cancel=state_of(reset) in OPEN_STATES))
        for reset in repository.resets_of_participant(session, actor.id)
    ]


def to_tell(session: Session, *, actor: User) -> list[AccountResetView]:
    """What the participant must be told now: resets under way, and used ones not yet read."""
    views = []
    for reset in repository.resets_of_participant(session, actor.id):
        state = state_of(reset)
        if state in OPEN_STATES or (state == ResetState.used and reset.seen_at is None):
            views.append(_view(session, reset, _Rights(cancel=state in OPEN_STATES)))
    return views


def mark_read(session: Session, *, actor: User, reset_id: uuid.UUID) -> None:
    """The participant read the notice of a used reset; it leaves the home page."""
    reset = repository.reset_by_id(session, reset_id)
    if reset is None or reset.participant_id != actor.id:
        raise NotFound(RESET_NOT_FOUND)
    if reset.seen_at is None:
        reset.seen_at = utcnow()
        session.add(reset)
        session.flush()


def use_code(session: Session, user: User, typed: str) -> AccountReset | None:
    """The participant's reset code, used up now; None when it is not theirs, used, stopped or
    out of time (the same answer for each)."""
    return repository.use_reset_code(session, user.id, code_hash(typed), utcnow())
