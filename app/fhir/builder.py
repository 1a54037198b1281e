"""FHIR R4 resources for what Stem holds, as plain JSON dicts (issue 20; mapping in docs/fhir.md).

Pure functions: no database, no clock. Every resource has a stable id (Stem's own UUID, or one
derived from it), references point inside the bundle as `urn:uuid:<id>`, and lists come in a
fixed order, so the same data gives the same bundle apart from its `timestamp`.
"""

import base64
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from app.checkins.schemas import ITEMS as CHECK_IN_ITEMS
from app.checkins.schemas import MAX_NOTE as CHECK_IN_MAX_NOTE
from app.checkins.statements import CHECK_IN_NOTE, CHECK_IN_STATEMENTS
from app.models.enums import (
    Discipline,
    EntryKind,
    GoalStatus,
    Outcome,
    ParticipantView,
    StorySection,
    TaskAnswer,
    TryOutcome,
)

# Stem's own code systems (URNs: valid URIs that no one else resolves).
ENTRY_KIND_SYSTEM = "urn:stem:fhir:entry-kind"
TOPIC_SYSTEM = "urn:stem:fhir:topic"
STORY_SYSTEM = "urn:stem:fhir:document"
RATING_SYSTEM = "urn:stem:fhir:observation"
RATING_TEXT = "How well can I do this now? (0 to 10; Stem's own question, not a validated questionnaire)"
OUTCOME_TEXT = {
    Outcome.agreed: "agreed",
    Outcome.partly_agreed: "partly agreed",
    Outcome.still_differ: "we still see it differently",
}
TASK_ANSWER_TEXT = {
    TaskAnswer.fits: "this fits me",
    TaskAnswer.doubts: "I have doubts",
    TaskAnswer.does_not_fit: "this does not fit me",
}
TRY_TEXT = {
    TryOutcome.did_it: "did it",
    TryOutcome.partly: "partly",
    TryOutcome.not_this_time: "not this time",
    TryOutcome.too_painful: "it hurt too much",
}
VIEW_TEXT = {
    ParticipantView.matches: "matches my view",
    ParticipantView.partly: "partly matches my view",
    ParticipantView.differs: "I see it differently",
}
# After an appointment, how did it go: one Questionnaire of Stem's own, answered by each check-in.
CHECK_IN_QUESTIONNAIRE = "urn:stem:fhir:questionnaire:check-in"
CHECK_IN_TITLE = "After an appointment: how did it go? (Stem's own check-in, not a validated questionnaire)"
CHECK_IN_DESCRIPTION = (
    "Stem's own check-in, not a validated questionnaire: four statements written for pain "
    "rehabilitation, about one appointment with one clinician, each answered from 0 (not at all) "
    "to 10 (completely), any of them may be skipped; and anything the participant would like to add. "
    "Private to the participant unless they send it to the clinician of that appointment."
)
# The appointment a check-in is about (a complex extension of Stem's own; see docs/fhir.md).
CHECK_IN_APPOINTMENT = "urn:stem:fhir:extension:check-in-appointment"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
SNOMED = "http://snomed.info/sct"
# SNOMED CT occupations (where one exists); "other" goes as text only.
DISCIPLINE_CODES = {
    Discipline.physiotherapist: ("36682004", "Physiotherapist"),
    Discipline.psychologist: ("59944000", "Psychologist"),
    Discipline.physician: ("309343006", "Physician"),
    Discipline.occupational_therapist: ("80546007", "Occupational therapist"),
    Discipline.social_worker: ("106328005", "Social worker"),
    Discipline.nurse: ("106292003", "Professional nurse"),
}
STORY_TITLES = {
    StorySection.before: "Before this programme",
    StorySection.told: "What I was told about my pain",
    StorySection.cause: "What I think causes my pain",
    StorySection.fear: "What I fear",
    StorySection.hope: "What I hope from this programme",
    StorySection.know: "What my team should know about me",
}
_NAMESPACE = uuid.UUID("6f1c2a52-7b0e-4c1a-9f7e-2d4b8e5a1c90")


def derived_id(kind: str, *parts: object) -> str:
    """A stable id for a resource Stem has no row of its own for (a role, a team, a consent)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join([kind, *map(str, parts)])))


def ref(resource_id: object) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def instant(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def bundle(resources: Iterable[dict[str, Any]], timestamp: datetime) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": instant(timestamp),
        "entry": [{"fullUrl": f"urn:uuid:{item['id']}", "resource": item} for item in resources],
    }


def patient(person_id: uuid.UUID, name: str, locale: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": str(person_id), "name": [{"text": name}]}
    if locale:
        resource["communication"] = [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": locale}]}}
        ]
    return resource


def practitioner(person_id: uuid.UUID, name: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": str(person_id), "name": [{"text": name}]}


def practitioner_role(person_id: uuid.UUID, discipline: Discipline | None) -> dict[str, Any]:
    role: dict[str, Any] = {
        "resourceType": "PractitionerRole",
        "id": derived_id("role", person_id),
        "active": True,
        "practitioner": ref(person_id),
    }
    if discipline is not None:
        code = DISCIPLINE_CODES.get(discipline)
        concept: dict[str, Any] = {"text": discipline.value.replace("_", " ")}
        if code:
            concept["coding"] = [{"system": SNOMED, "code": code[0], "display": code[1]}]
        role["code"] = [concept]
    return role


def care_team(
    team_key: object, name: str | None, patient_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[str, Any]:
    return {
        "resourceType": "CareTeam",
        "id": derived_id("care-team", team_key),
        "status": "active",
        "name": name or "Care team",
        "subject": ref(patient_id),
        "participant": [{"member": ref(patient_id)}]
        + [{"member": ref(derived_id("role", member))} for member in member_ids],
    }


def _entry_category(kind: EntryKind, topic: Any) -> list[dict[str, Any]]:
    category = [{"coding": [{"system": ENTRY_KIND_SYSTEM, "code": kind.value}]}]
    if topic:
        category.append(
            {
                "coding": [
                    {"system": TOPIC_SYSTEM, "code": str(topic.value if hasattr(topic, "value") else topic)}
                ]
            }
        )
    return category


def communication(
    entry_id: uuid.UUID,
    kind: EntryKind,
    topic: Any,
    body: str,
    sent: datetime,
    patient_id: uuid.UUID,
    recipients: Sequence[dict[str, str]],
) -> dict[str, Any]:
    """An entry the participant wrote: sender the Patient, recipients whom it is shared with."""
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "id": str(entry_id),
        "status": "completed",
        "category": _entry_category(kind, topic),
        "subject": ref(patient_id),
        "sender": ref(patient_id),
        "sent": instant(sent),
        "payload": [{"contentString": body}],
    }
    if recipients:
        resource["recipient"] = list(recipients)
    return resource


def goal(
    entry_id: uuid.UUID,
    body: str,
    status: GoalStatus | None,
    created: datetime,
    patient_id: uuid.UUID,
    details: Any = None,
    practitioners: frozenset[uuid.UUID] = frozenset(),
) -> dict[str, Any]:
    """A goal in the participant's own words: expressed by the Patient. With `details` (a goal
    view: wordings, the why, the team's agreement per wording), those go as `note`s, oldest first,
    each saying what it is, so that no earlier wording is lost on the way."""
    lifecycle = (
        {GoalStatus.achieved: "completed", GoalStatus.let_go: "cancelled"}.get(status, "active")
        if status
        else "active"
    )
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": str(entry_id),
        "lifecycleStatus": lifecycle,
        "description": {"text": body},
        "subject": ref(patient_id),
        "expressedBy": ref(patient_id),
        "startDate": created.date().isoformat(),
    }
    if lifecycle == "completed":
        resource["achievementStatus"] = {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/goal-achievement", "code": "achieved"}
            ]
        }
    if details is not None:
        notes = goal_notes(details, patient_id, practitioners)
        if notes:
            resource["note"] = notes
    return resource


def goal_notes(
    details: Any, patient_id: uuid.UUID, practitioners: frozenset[uuid.UUID] = frozenset()
) -> list[dict[str, Any]]:
    """Every wording (with its number and when it was replaced), the participant's why, and each
    clinician's agreement with the wording it was about, followed by the participant's view. An
    agreement's author is a reference when that Practitioner is in the bundle, else a name."""
    notes: list[dict[str, Any]] = []
    for wording in details.wordings:
        if wording.replaced_at is None:
            text = f"Wording {wording.number} (current): {wording.body}"
        else:
            text = f"Wording {wording.number} (until {instant(wording.replaced_at)}): {wording.body}"
        notes.append({"authorReference": ref(patient_id), "time": instant(wording.worded_at), "text": text})
    if details.goal_note:
        notes.append({"authorReference": ref(patient_id), "text": f"Why: {details.goal_note}"})
    for response in details.agreements:
        outcome = OUTCOME_TEXT.get(response.outcome, str(response.outcome))
        text = f"Agreement with wording {response.goal_wording or 1}: {outcome}"
        if response.body:
            text += f". {response.body}"
        note: dict[str, Any] = {"time": instant(response.created_at), "text": text}
        if response.clinician_id in practitioners:
            note["authorReference"] = ref(response.clinician_id)
        else:
            note["authorString"] = response.clinician_name or "A former team member"
        notes.append(note)
        if response.participant_view is not None:
            view = f"The participant's view of this agreement: {VIEW_TEXT.get(response.participant_view, '')}"
            if response.participant_note:
                view += f". {response.participant_note}"
            answer: dict[str, Any] = {"authorReference": ref(patient_id), "text": view}
            if response.participant_viewed_at is not None:
                answer["time"] = instant(response.participant_viewed_at)
            notes.append(answer)
    return notes


def goal_rating(
    rating_id: uuid.UUID, goal_id: uuid.UUID, value: int, rated_at: datetime, patient_id: uuid.UUID
) -> dict[str, Any]:
    """One "how well can I do this now?" (0 to 10), given by the participant about their goal:
    an Observation whose focus is the Goal. Stem's own question, not a validated questionnaire."""
    return {
        "resourceType": "Observation",
        "id": str(rating_id),
        "status": "final",
        "code": {
            "coding": [{"system": RATING_SYSTEM, "code": "goal-ability", "display": RATING_TEXT}],
            "text": RATING_TEXT,
        },
        "subject": ref(patient_id),
        "focus": [ref(goal_id)],
        "performer": [ref(patient_id)],
        "effectiveDateTime": instant(rated_at),
        "valueInteger": value,
    }


def care_plan(
    task: Any,
    patient_id: uuid.UUID,
    *,
    author_id: uuid.UUID | None,
    goal_in_bundle: bool,
    answers: Sequence[Any],
    tries: Sequence[Any],
) -> dict[str, Any]:
    """A task a clinician suggested: a CarePlan (intent "proposal") with one activity, and the
    participant's answers and tries as the activity's `progress`, each saying whether it was sent
    to the clinician. Only what the caller passes goes in (a clinician's summary: only what was
    sent to them); `author_id` only when that Practitioner is in the bundle."""
    withdrawn = task.withdrawn_at is not None
    schedule = " · ".join(
        part for part in (task.how_often, f"until {task.until.isoformat()}" if task.until else None) if part
    )
    detail: dict[str, Any] = {"status": "cancelled" if withdrawn else "in-progress", "description": task.body}
    if schedule:
        detail["scheduledString"] = schedule
    detail["performer"] = [ref(patient_id)]
    progress: list[dict[str, Any]] = []
    for answer in answers:
        text = f"Answer: {TASK_ANSWER_TEXT.get(answer.answer, str(answer.answer))}"
        if answer.note:
            text += f". {answer.note}"
        text += "" if answer.sent_at else " (not sent to the team)"
        progress.append(
            {"authorReference": ref(patient_id), "time": instant(answer.answered_at), "text": text}
        )
    for attempt in sorted(tries, key=lambda item: (item.tried_at, str(item.id))):
        text = f"Try: {TRY_TEXT.get(attempt.outcome, str(attempt.outcome))}"
        if attempt.note:
            text += f". {attempt.note}"
        text += "" if attempt.sent_at else " (not sent to the team)"
        progress.append({"authorReference": ref(patient_id), "time": instant(attempt.tried_at), "text": text})
    activity: dict[str, Any] = {"detail": detail}
    if progress:
        activity["progress"] = progress
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(task.id),
        "status": "revoked" if withdrawn else "active",
        "intent": "proposal",
        "title": "A task suggested by the care team",
        "description": task.body,
        "subject": ref(patient_id),
        "created": instant(task.created_at),
        "activity": [activity],
    }
    if task.until:
        resource["period"] = {"end": task.until.isoformat()}
    if author_id is not None:
        resource["author"] = ref(author_id)
    if goal_in_bundle and task.goal_id is not None:
        resource["goal"] = [ref(task.goal_id)]
    return resource


def _check_in_text(item: str) -> str:
    # The page names the clinician of the appointment; the one Questionnaire cannot.
    return CHECK_IN_STATEMENTS[item] % {"name": "The clinician"}


def check_in_questionnaire() -> dict[str, Any]:
    """Stem's own check-in: four `integer` items, 0 to 10 (the minValue and maxValue extensions),
    and a `text` item for anything to add. In English, like the rest of the export."""
    items: list[dict[str, Any]] = [
        {
            "extension": [{"url": MIN_VALUE, "valueInteger": 0}, {"url": MAX_VALUE, "valueInteger": 10}],
            "linkId": item,
            "text": _check_in_text(item),
            "type": "integer",
        }
        for item in CHECK_IN_ITEMS
    ]
    items.append({"linkId": "note", "text": CHECK_IN_NOTE, "type": "text", "maxLength": CHECK_IN_MAX_NOTE})
    return {
        "resourceType": "Questionnaire",
        "id": derived_id("questionnaire", "check-in"),
        "language": "en",
        "url": CHECK_IN_QUESTIONNAIRE,
        "name": "StemCheckIn",
        "title": CHECK_IN_TITLE,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "Stem",
        "description": CHECK_IN_DESCRIPTION,
        "item": items,
    }


def check_in_response(
    check_in: Any,
    patient_id: uuid.UUID,
    *,
    practitioner_id: uuid.UUID | None,
    practitioner_name: str | None,
    appointment_in_bundle: bool,
) -> dict[str, Any]:
    """One check-in, filled in by the participant: a QuestionnaireResponse of the check-in
    Questionnaire, by and about the Patient. The appointment it is about goes in Stem's own
    extension: when it started, the Appointment and the Practitioner (each when in the bundle; else
    the clinician's name), and when it was sent to them (absent while private). Skipped statements
    are left out."""
    about: list[dict[str, Any]] = [{"url": "start", "valueDateTime": instant(check_in.appointment_at)}]
    if appointment_in_bundle and check_in.appointment_id is not None:
        about.append({"url": "appointment", "valueReference": ref(check_in.appointment_id)})
    if practitioner_id is not None:
        about.append({"url": "practitioner", "valueReference": ref(practitioner_id)})
    elif practitioner_name:
        about.append({"url": "practitionerName", "valueString": practitioner_name})
    if check_in.sent_at is not None:
        about.append({"url": "sent", "valueDateTime": instant(check_in.sent_at)})
    items: list[dict[str, Any]] = [
        {
            "linkId": item,
            "text": _check_in_text(item),
            "answer": [{"valueInteger": getattr(check_in, item)}],
        }
        for item in CHECK_IN_ITEMS
        if getattr(check_in, item) is not None
    ]
    if check_in.note:
        items.append({"linkId": "note", "text": CHECK_IN_NOTE, "answer": [{"valueString": check_in.note}]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(check_in.id),
        "extension": [{"url": CHECK_IN_APPOINTMENT, "extension": about}],
        "questionnaire": CHECK_IN_QUESTIONNAIRE,
        "status": "completed",
        "subject": ref(patient_id),
        "authored": instant(check_in.created_at),
        "author": ref(patient_id),
        "source": ref(patient_id),
    }
    if items:
        resource["item"] = items
    return resource


def story_text(sections: dict[StorySection, str], treatments: Sequence[Any]) -> str:
    parts = [
        f"{STORY_TITLES[section]}\n{sections[section]}" for section in StorySection if sections.get(section)
    ]
    if treatments:
        lines = [
            f"- {item.what}"
            + (f" ({item.when})" if item.when else "")
            + (f": {item.effect.value}" if item.effect else "")
            for item in treatments
        ]
        parts.append("Earlier treatments and professionals\n" + "\n".join(lines))
    return "\n\n".join(parts)


def document_reference(
    story_id: object, text: str, updated: datetime, patient_id: uuid.UUID, version: int
) -> dict[str, Any]:
    """ "My story", the current version, as a plain-text document by the Patient."""
    return {
        "resourceType": "DocumentReference",
        "id": derived_id("story", story_id),
        "status": "current",
        "type": {"coding": [{"system": STORY_SYSTEM, "code": "my-story", "display": "My story"}]},
        "subject": ref(patient_id),
        "author": [ref(patient_id)],
        "date": instant(updated),
        "description": f"My story, version {version}",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "language": "en",
                    "title": "My story",
                    "data": base64.b64encode(text.encode()).decode(),
                }
            }
        ],
    }


def appointment(
    appointment_id: uuid.UUID, start: datetime, patient_id: uuid.UUID, clinician_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": str(appointment_id),
        "status": "booked" if start > now else "fulfilled",
        "start": instant(start),
        "participant": [
            {"actor": ref(patient_id), "status": "accepted"},
            {"actor": ref(clinician_id), "status": "accepted"},
        ],
    }


def consent(
    share_id: uuid.UUID,
    patient_id: uuid.UUID,
    grantee: dict[str, str],
    data_id: str,
    created: datetime,
    revoked: datetime | None,
) -> dict[str, Any]:
    """A share: the participant permits this clinician (or the care team) to read one thing."""
    return {
        "resourceType": "Consent",
        "id": str(share_id),
        "status": "inactive" if revoked else "active",
        "scope": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}
            ]
        },
        "category": [
            {"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Consent Document"}]}
        ],
        "patient": ref(patient_id),
        "dateTime": instant(created),
        "policyRule": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]
        },
        "provision": {
            "type": "permit",
            "period": {"start": instant(created), **({"end": instant(revoked)} if revoked else {})},
            "actor": [
                {
                    "role": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "IRCP",
                            }
                        ]
                    },
                    "reference": grantee,
                }
            ],
            "data": [{"meaning": "instance", "reference": ref(data_id)}],
        },
    }


def stem_device() -> dict[str, Any]:
    """Stem itself: the observer of the audit events."""
    return {
        "resourceType": "Device",
        "id": derived_id("device", "stem"),
        "deviceName": [{"name": "Stem", "type": "user-friendly-name"}],
    }


def audit_event(key: object, who: str | None, when: datetime, what: str | None) -> dict[str, Any]:
    """One read by a clinician: who (by name; their account may be gone), when, and of what."""
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": derived_id("read", key),
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read"}],
        "action": "R",
        "recorded": instant(when),
        "agent": [{"who": {"display": who or "A former team member"}, "requestor": True}],
        "source": {"observer": ref(derived_id("device", "stem"))},
    }
    if what:
        event["entity"] = [{"what": ref(what)}]
    return event
