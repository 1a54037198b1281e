"""The participant's rights over their words: a full export, and erasure of everything.

A flow across domains (journal, sharing, accounts): it reads through each domain's own
repository and never lets anyone but the participant themself export or erase.
"""

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.accounts import repository as accounts_repository
from app.accounts.service import confirm_password
from app.audit import service as audit
from app.errors import InvalidInput
from app.i18n import N_
from app.journal.service import entry_public
from app.models import Entry, Invitation, LoginSession, User
from app.models.enums import Role
from app.models.types import utcnow
from app.privacy.schemas import EraseRequest, ExportProfile, ExportTeamMember, ParticipantExport
from app.sharing import repository as sharing_repository
from app.sharing import service as sharing_service


def export_participant(session: Session, *, actor: User) -> ParticipantExport:
    assert actor.role == Role.participant
    audit.record(session, action="privacy.export", actor=actor, subject_id=actor.id)
    entries = session.exec(
        select(Entry).where(col(Entry.author_id) == actor.id).order_by(col(Entry.created_at), col(Entry.id))
    ).all()
    entry_ids = [entry.id for entry in entries]
    team_id = accounts_repository.participant_team_id(session, actor.id)
    team = accounts_repository.team_by_id(session, team_id) if team_id else None
    clinicians = (
        [user for _m, user in accounts_repository.members_of(session, team_id, roles=[Role.clinician])]
        if team_id
        else []
    )
    shares = [
        share
        for entry_id in entry_ids
        for share in sharing_service.list_shares(session, actor=actor, entry_id=entry_id)
    ]
    responses = [
        sharing_service._response_public(response, clinician)
        for items in sharing_repository.responses_of(session, entry_ids).values()
        for response, clinician in items
    ]
    return ParticipantExport(
        exported_at=utcnow(),
        profile=ExportProfile(
            id=actor.id,
            username=actor.username,
            display_name=actor.display_name,
            locale=actor.locale,
            time_zone=actor.time_zone,
            created_at=actor.created_at,
            care_team=team.name if team else None,
        ),
        care_team_clinicians=[
            ExportTeamMember(display_name=u.display_name, discipline=u.discipline) for u in clinicians
        ],
        entries=[entry_public(entry) for entry in entries],
        shares=shares,
        responses=responses,
        appointments=sharing_service.list_appointments(session, actor=actor, include_past=True),
        access_log=sharing_service.access_log(session, actor=actor),
    )


def erase_participant(session: Session, *, actor: User, data: EraseRequest) -> None:
    """Everything the participant wrote and every trace of their account goes, at once.

    Entries, shares, responses on their entries, agendas, appointments, reads and sessions
    follow through ON DELETE CASCADE; invitations they used keep no link to them.
    """
    if not data.confirm:
        raise InvalidInput(N_("Tick the box to confirm that you want to erase everything."), field="confirm")
    confirm_password(
        session,
        actor=actor,
        password=data.password,
        field="password",
        message=N_("Your password is not correct."),
    )
    # Recorded first: the row stays, pseudonymous, once the person behind it is gone.
    audit.record(session, action="privacy.erase", actor=actor, subject_id=actor.id)
    session.execute(delete(LoginSession).where(col(LoginSession.user_id) == actor.id))
    session.execute(delete(Entry).where(col(Entry.author_id) == actor.id))
    invitations = session.exec(select(Invitation).where(col(Invitation.used_by_id) == actor.id)).all()
    for invitation in invitations:
        invitation.used_by_id = None
        session.add(invitation)
    user = session.get(User, actor.id)
    if user is not None:
        session.delete(user)
    session.flush()
