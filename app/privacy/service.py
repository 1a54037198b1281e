"""The participant's rights over their words: a full export, and erasure of everything.

A flow across domains (journal, sharing, accounts): it reads and erases through each domain's
own services, and never lets anyone but the participant themself export or erase.
"""

from sqlmodel import Session

from app.accounts import passkeys, recovery, resets
from app.accounts import service as accounts_service
from app.audit import service as audit
from app.checkins import service as checkins_service
from app.db import checkpoint_after_commit
from app.errors import InvalidInput
from app.goals import service as goals_service
from app.i18n import N_
from app.journal import service as journal_service
from app.models import User
from app.models.enums import Role
from app.models.types import utcnow
from app.privacy.schemas import EraseRequest, ExportProfile, ExportTeamMember, ParticipantExport
from app.reminders import service as reminders_service
from app.sharing import calendar as sharing_calendar
from app.sharing import service as sharing_service
from app.story import service as story_service
from app.tasks import service as tasks_service


def export_participant(session: Session, *, actor: User) -> ParticipantExport:
    assert actor.role == Role.participant
    audit.record(session, action="privacy.export", actor=actor, subject_id=actor.id)
    entries = journal_service.all_entries(session, actor=actor)
    entry_ids = [entry.id for entry in entries]
    clinicians = accounts_service.team_clinicians(session, actor=actor, active_only=False)
    return ParticipantExport(
        exported_at=utcnow(),
        profile=ExportProfile.model_validate(
            {
                **actor.model_dump(),
                "care_team": accounts_service.care_team_name(session, actor=actor),
            }
        ),
        care_team_clinicians=[
            ExportTeamMember.model_validate(clinician, from_attributes=True) for clinician in clinicians
        ],
        entries=entries,
        shares=[
            share
            for entry_id in entry_ids
            for share in sharing_service.list_shares(session, actor=actor, entry_id=entry_id)
        ],
        responses=sharing_service.responses_on_my_entries(session, actor=actor, entry_ids=entry_ids),
        appointments=sharing_service.list_appointments(session, actor=actor, include_past=True),
        access_log=sharing_service.access_log(session, actor=actor),
        team_joiner_answers=sharing_service.team_joiner_answers(session, actor=actor),
        sign_ins=accounts_service.sign_in_history(session, actor=actor),
        recovery_codes=recovery.status_of(session, actor=actor),
        story=story_service.my_story(session, actor=actor),
        story_versions=[
            story_service.version(session, actor=actor, number=summary.version)
            for summary in story_service.versions(session, actor=actor)
        ],
        story_readers=story_service.readers(session, actor=actor),
        account_resets=resets.of_my_account(session, actor=actor),
        passkeys=passkeys.summaries_of(session, actor=actor),
        goals=goals_service.all_goals(session, actor=actor),
        tasks=tasks_service.all_tasks(session, actor=actor),
        check_ins=checkins_service.all_check_ins(session, actor=actor),
        push_devices=reminders_service.my_devices(session, actor=actor),
        reminder_settings=reminders_service.my_settings(session, actor=actor),
        reminders=reminders_service.my_reminders(session, actor=actor),
        calendar_link=sharing_calendar.calendar_link_status(session, actor=actor),
    )


def erase_participant(session: Session, *, actor: User, data: EraseRequest) -> None:
    """Everything the participant wrote and every trace of their account goes, at once.

    Entries go with their shares, responses, agendas and reads (ON DELETE CASCADE); then the
    account, its sessions, appointments and calendar link, its push devices, reminder settings
    and reminders; invitations they used keep no link to them.
    """
    if not data.confirm:
        raise InvalidInput(N_("Tick the box to confirm that you want to erase everything."), field="confirm")
    accounts_service.confirm_password(
        session,
        actor=actor,
        password=data.password,
        field="password",
        message=N_("Your password is not correct."),
    )
    # Recorded first: the row stays, pseudonymous, once the person behind it is gone.
    audit.record(session, action="privacy.erase", actor=actor, subject_id=actor.id)
    checkpoint_after_commit(session)
    journal_service.erase_all_entries(session, actor=actor)
    accounts_service.erase_account(session, actor=actor)
