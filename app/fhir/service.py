"""Two FHIR R4 bundles (issue 20): the participant's own record, everything; and a clinician's
"shared summary" of one participant, only what that clinician may read now (through the one
visibility rule, and recorded as a read like the preparation page)."""

import uuid
from typing import Any

from sqlmodel import Session

from app.accounts import service as accounts_service
from app.checkins import service as checkins_service
from app.clinician import service as clinician_service
from app.fhir import builder as fhir
from app.models import User
from app.models.enums import EntryKind
from app.models.types import utcnow
from app.privacy import service as privacy_service
from app.sharing import service as sharing_service
from app.story import service as story_service
from app.tasks import service as tasks_service


def _entry_resources(
    entry: Any,
    patient_id: uuid.UUID,
    recipients: list[dict[str, str]],
    details: Any = None,
    practitioners: frozenset[uuid.UUID] = frozenset(),
) -> list[dict[str, Any]]:
    """An entry as a Communication; a goal as a Goal (with its wordings and the team's agreement,
    where `details` holds them) followed by its ratings as Observations."""
    if entry.kind == EntryKind.goal:
        resources = [
            fhir.goal(
                entry.id, entry.body, entry.goal_status, entry.created_at, patient_id, details, practitioners
            )
        ]
        for rating in details.ratings if details is not None else []:
            resources.append(fhir.goal_rating(rating.id, entry.id, rating.value, rating.rated_at, patient_id))
        return resources
    return [
        fhir.communication(
            entry.id, entry.kind, entry.topic, entry.body, entry.created_at, patient_id, recipients
        )
    ]


def participant_record(session: Session, *, actor: User) -> dict[str, Any]:
    """Everything of mine: entries (not those in the trash; goals with every wording, the team's
    agreement and every rating), my story, my team, appointments, tasks, every check-in (sent or
    not) as a QuestionnaireResponse, every share as a Consent, and who read what as AuditEvents."""
    export = privacy_service.export_participant(session, actor=actor)
    now = export.exported_at
    me = actor.id
    clinicians = sorted(accounts_service.team_clinicians(session, actor=actor), key=lambda c: str(c.id))
    known = {clinician.id for clinician in clinicians}
    team_ref = fhir.ref(fhir.derived_id("care-team", me))
    resources: list[dict[str, Any]] = [fhir.patient(me, actor.display_name, actor.locale)]
    for clinician in clinicians:
        resources += [
            fhir.practitioner(clinician.id, clinician.display_name),
            fhir.practitioner_role(clinician.id, clinician.discipline),
        ]
    resources.append(fhir.care_team(me, export.profile.care_team, me, [c.id for c in clinicians]))

    def grantee(audience: str, clinician_id: uuid.UUID | None) -> dict[str, str] | None:
        if audience == "team":
            return team_ref
        return fhir.ref(clinician_id) if clinician_id in known else None

    live = [share for share in export.shares if share.revoked_at is None]
    goals = {goal.id: goal for goal in export.goals}
    for entry in sorted(
        (e for e in export.entries if e.deleted_at is None), key=lambda e: (e.created_at, str(e.id))
    ):
        recipients = [
            who
            for share in live
            if share.entry_id == entry.id and (who := grantee(share.audience, share.clinician_id)) is not None
        ]
        resources += _entry_resources(entry, me, _unique(recipients), goals.get(entry.id), frozenset(known))
    entry_ids = {str(entry.id) for entry in export.entries if entry.deleted_at is None}
    story_id = fhir.derived_id("story", me)
    if export.story.version:
        text = fhir.story_text(export.story.sections, export.story.treatments)
        resources.append(
            fhir.document_reference(me, text, export.story.updated_at or now, me, export.story.version)
        )
    appointment_ids = set()
    for item in sorted(export.appointments, key=lambda a: (a.starts_at, str(a.id))):
        if item.clinician_id in known:
            resources.append(fhir.appointment(item.id, item.starts_at, me, item.clinician_id, now))
            appointment_ids.add(item.id)
    goal_ids = {str(goal.id) for goal in export.goals if str(goal.id) in entry_ids}
    for task in sorted(export.tasks, key=lambda t: (t.created_at, str(t.id))):
        resources.append(
            fhir.care_plan(
                task,
                me,
                author_id=task.clinician_id if task.clinician_id in known else None,
                goal_in_bundle=str(task.goal_id) in goal_ids,
                answers=task.answers,
                tries=task.tries,
            )
        )
    if export.check_ins:
        resources.append(fhir.check_in_questionnaire())
    for check_in in sorted(export.check_ins, key=lambda c: (c.appointment_at, str(c.id))):
        in_bundle = check_in.clinician_id in known
        resources.append(
            fhir.check_in_response(
                check_in,
                me,
                practitioner_id=check_in.clinician_id if in_bundle else None,
                practitioner_name=None if in_bundle else check_in.clinician_name or "A former team member",
                appointment_in_bundle=check_in.appointment_id in appointment_ids,
            )
        )
    for share in sorted(export.shares, key=lambda s: (s.created_at, str(s.id))):
        who = grantee(share.audience, share.clinician_id)
        if who is not None and str(share.entry_id) in entry_ids:
            resources.append(
                fhir.consent(share.id, me, who, str(share.entry_id), share.created_at, share.revoked_at)
            )
    if export.story.version:
        for story_share in sorted(export.story.shares, key=lambda s: (s.created_at, str(s.id))):
            who = grantee(story_share.audience, story_share.clinician_id)
            if who is not None:
                resources.append(
                    fhir.consent(
                        story_share.id, me, who, story_id, story_share.created_at, story_share.revoked_at
                    )
                )
    resources.append(fhir.stem_device())
    for index, read in enumerate(sorted(export.access_log, key=lambda r: (r.accessed_at, str(r.entry_id)))):
        what = str(read.entry_id) if str(read.entry_id) in entry_ids else None
        resources.append(fhir.audit_event(f"entry/{me}/{index}", read.clinician_name, read.accessed_at, what))
    for index, reader in enumerate(sorted(export.story_readers, key=lambda r: r.read_at)):
        what = story_id if export.story.version else None
        resources.append(fhir.audit_event(f"story/{me}/{index}", reader.clinician_name, reader.read_at, what))
    return fhir.bundle(resources, now)


def shared_summary(session: Session, *, actor: User, participant_id: uuid.UUID) -> dict[str, Any]:
    """What this participant shares with me now, and nothing else: the entries through the one
    visibility rule, their story if shared with me, the tasks I suggested, our appointments, and
    the check-ins they sent me (through the check-ins' own rule). Reading it is recorded."""
    prep = clinician_service.preparation(session, actor=actor, participant_id=participant_id)
    story = story_service.for_clinician(session, actor=actor, participant_id=participant_id)
    now = utcnow()
    resources: list[dict[str, Any]] = [
        fhir.patient(participant_id, prep.participant.display_name),
        fhir.practitioner(actor.id, actor.display_name),
        fhir.practitioner_role(actor.id, actor.discipline),
    ]
    views = {
        view.id: view
        for section in (
            prep.agenda,
            prep.disagreements,
            prep.questions,
            prep.goals,
            prep.thoughts_and_feelings,
        )
        for view in section
    }
    for view in sorted(views.values(), key=lambda v: (v.created_at, str(v.id))):
        resources += _entry_resources(
            view, participant_id, [fhir.ref(actor.id)], view.goal, frozenset({actor.id})
        )
    if story is not None:
        text = fhir.story_text(story.sections, story.treatments)
        resources.append(
            fhir.document_reference(participant_id, text, story.updated_at, participant_id, story.version)
        )
    in_bundle = {str(view_id) for view_id in views}
    for task in sorted(
        tasks_service.tasks_for(session, actor=actor, participant_id=participant_id),
        key=lambda t: (t.created_at, str(t.id)),
    ):
        resources.append(
            fhir.care_plan(
                task,
                participant_id,
                author_id=actor.id,
                goal_in_bundle=str(task.goal_id) in in_bundle,
                answers=[task.answer] if task.answer else [],
                tries=task.tries,
            )
        )
    appointments = sharing_service.list_appointments(
        session, actor=actor, include_past=True, with_participant=participant_id
    )
    for item in sorted(appointments, key=lambda a: (a.starts_at, str(a.id))):
        resources.append(fhir.appointment(item.id, item.starts_at, participant_id, actor.id, now))
    check_ins = checkins_service.sent_to_me(session, actor=actor, participant_id=participant_id)
    if check_ins:
        resources.append(fhir.check_in_questionnaire())
    appointment_ids = {item.id for item in appointments}
    for check_in in sorted(check_ins, key=lambda c: (c.appointment_at, str(c.id))):
        resources.append(
            fhir.check_in_response(
                check_in,
                participant_id,
                practitioner_id=actor.id,
                practitioner_name=None,
                appointment_in_bundle=check_in.appointment_id in appointment_ids,
            )
        )
    return fhir.bundle(resources, now)


def _unique(references: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for reference in references:
        seen.setdefault(reference["reference"], reference)
    return [seen[key] for key in sorted(seen)]
