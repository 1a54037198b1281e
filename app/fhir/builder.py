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

from app.models.enums import Discipline, EntryKind, GoalStatus, StorySection

# Stem's own code systems (URNs: valid URIs that no one else resolves).
ENTRY_KIND_SYSTEM = "urn:stem:fhir:entry-kind"
TOPIC_SYSTEM = "urn:stem:fhir:topic"
STORY_SYSTEM = "urn:stem:fhir:document"
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
    entry_id: uuid.UUID, body: str, status: GoalStatus | None, created: datetime, patient_id: uuid.UUID
) -> dict[str, Any]:
    """A goal in the participant's own words: expressed by the Patient."""
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
