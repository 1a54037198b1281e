"""Stem speaks FHIR (issue 20): the participant's record and a clinician's shared summary are
FHIR R4 bundles that the R4B models of `fhir.resources` accept, whose references resolve inside
the bundle, that are the same for the same data, and that never carry what is not shared."""

import json
from datetime import timedelta
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from app.db import open_session
from app.demo import create_demo_data
from app.fhir import service as fhir_service
from app.models import Appointment
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import login, make_team, make_user
from tests.sharing.conftest import CANARY, in_future

STORY_WORDS = "story-words-for-the-physio-only"
UNSENT_CHECK_IN = "canary-3b1d-unsent-check-in-words"
QUESTIONNAIRE = "urn:stem:fhir:questionnaire:check-in"


def validate(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """Parsed by the R4B models, each resource by its own class too; every reference resolves."""
    Bundle.model_validate(bundle)
    resources = [item["resource"] for item in bundle["entry"]]
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    urls = {item["fullUrl"] for item in bundle["entry"]}
    assert len(urls) == len(resources), "two resources share an id"
    assert all(item["fullUrl"] == f"urn:uuid:{item['resource']['id']}" for item in bundle["entry"])

    def references(value: Any) -> list[str]:
        if isinstance(value, dict):
            found = [value["reference"]] if isinstance(value.get("reference"), str) else []
            return found + [ref for item in value.values() for ref in references(item)]
        if isinstance(value, list):
            return [ref for item in value for ref in references(item)]
        return []

    dangling = [ref for ref in references(resources) if ref not in urls]
    assert dangling == [], dangling
    return resources


def kinds(resources: list[dict[str, Any]]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for resource in resources:
        counted[resource["resourceType"]] = counted.get(resource["resourceType"], 0) + 1
    return counted


@pytest.fixture
def world(db, client_factory):
    rehab = make_team(db, "Rehab")
    people = {
        "owner": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "physio": make_user(
            db, Role.clinician, team=rehab, display_name="Lisa", discipline=Discipline.physiotherapist
        ),
        "psych": make_user(
            db, Role.clinician, team=rehab, display_name="Omar", discipline=Discipline.psychologist
        ),
        "other": make_user(db, Role.clinician, discipline=Discipline.other, team=make_team(db, "Elsewhere")),
    }
    clients = {}
    for name, user in people.items():
        clients[name] = client_factory()
        login(clients[name], user)
    owner = clients["owner"]

    def write(kind: str, body: str, **fields: Any) -> str:
        made = owner.post("/api/v1/entries", json={"kind": kind, "body": body, **fields})
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    ids = {
        "private": write("thought", CANARY),
        "team": write("question", "May I keep cycling?"),
        "psych_only": write("disagreement", "The pain is not in my head.", topic="cause_of_pain"),
        "goal": write("goal", "Walk to the market.", goal_status="active"),
        "trashed": write("feeling", "trashed-words", intensity=4),
        "private_goal": write("goal", "private-goal-words"),
    }
    owner.post(f"/api/v1/entries/{ids['team']}/shares", json={"audience": "team"})
    owner.post(f"/api/v1/entries/{ids['goal']}/shares", json={"audience": "team"})
    owner.post(
        f"/api/v1/entries/{ids['psych_only']}/shares", json={"clinician_ids": [str(people["psych"].id)]}
    )
    owner.post(f"/api/v1/entries/{ids['trashed']}/shares", json={"audience": "team"})
    owner.delete(f"/api/v1/entries/{ids['trashed']}")
    owner.put(
        "/api/v1/me/story",
        json={
            "base_version": 0,
            "sections": {"before": STORY_WORDS},
            "treatments": [{"what": "Physiotherapy", "when": "2019", "effect": "no_help"}],
        },
    )
    owner.post("/api/v1/me/story/shares", json={"clinician_ids": [str(people["physio"].id)]})
    owner.post(
        "/api/v1/appointments", json={"clinician_id": str(people["psych"].id), "starts_at": in_future()}
    )
    clients["psych"].get(f"/api/v1/clinician/participants/{people['owner'].id}/entries")  # a read
    # The goal: rated, agreed in part by the physiotherapist, then reworded and rated again.
    goal = f"/api/v1/me/goals/{ids['goal']}"
    assert owner.post(f"{goal}/ratings", json={"value": 3}).status_code == 201
    agreed = clients["physio"].post(
        f"/api/v1/entries/{ids['goal']}/responses",
        json={"kind": "discussed", "outcome": "partly_agreed", "body": "Half the way first."},
    )
    assert agreed.status_code == 201, agreed.text
    version = owner.get(goal).json()["version"]
    reworded = owner.patch(
        f"/api/v1/entries/{ids['goal']}", json={"body": "Walk to the market, one rest.", "version": version}
    )
    assert reworded.status_code == 200, reworded.text
    assert owner.post(f"{goal}/ratings", json={"value": 5}).status_code == 201
    assert owner.post(f"/api/v1/me/goals/{ids['private_goal']}/ratings", json={"value": 7}).status_code == 201
    # A task from the physiotherapist, a step towards the goal: answered and sent, then a try kept private.
    task = clients["physio"].post(
        f"/api/v1/clinician/participants/{people['owner'].id}/tasks",
        json={"body": "Walk to the corner.", "how_often": "Daily", "goal_id": ids["goal"]},
    )
    assert task.status_code == 201, task.text
    ids["task"] = task.json()["id"]
    owner.put(f"/api/v1/me/tasks/{ids['task']}/answer", json={"answer": "doubts", "note": "sent-doubt"})
    assert owner.post(f"/api/v1/me/tasks/{ids['task']}/send").status_code == 200
    owner.post(
        f"/api/v1/me/tasks/{ids['task']}/tries", json={"outcome": "partly", "note": "private-try-words"}
    )
    return people, clients, ids


def goal_facts(resources: list[dict[str, Any]], goal_id: str) -> tuple[list[str], list[int]]:
    """A goal's notes and the values of the Observations whose focus it is."""
    goal = next(r for r in resources if r["id"] == goal_id)
    ratings = [
        r["valueInteger"]
        for r in resources
        if r["resourceType"] == "Observation" and r["focus"] == [{"reference": f"urn:uuid:{goal_id}"}]
    ]
    return [note["text"] for note in goal.get("note", [])], ratings


def test_the_participants_record_is_valid_fhir_with_everything_of_theirs(world):
    people, clients, ids = world
    response = clients["owner"].get("/api/v1/me/export/fhir")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert "attachment" in response.headers["content-disposition"]
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    resources = validate(bundle)
    counted = kinds(resources)
    assert counted["Patient"] == 1 and counted["Practitioner"] == 2 and counted["CareTeam"] == 1
    assert counted["Communication"] == 3 and counted["Goal"] == 2  # not the one in the trash
    assert counted["Observation"] == 3  # the goals' ratings
    plan = next(r for r in resources if r["resourceType"] == "CarePlan")
    assert plan["id"] == ids["task"] and plan["intent"] == "proposal" and plan["status"] == "active"
    assert plan["author"] == {"reference": f"urn:uuid:{people['physio'].id}"}
    assert plan["goal"] == [{"reference": f"urn:uuid:{ids['goal']}"}]
    progress = [note["text"] for note in plan["activity"][0]["progress"]]
    assert progress == [
        "Answer: I have doubts. sent-doubt",
        "Try: partly. private-try-words (not sent to the team)",
    ]
    notes, ratings = goal_facts(resources, ids["goal"])
    assert ratings == [3, 5]
    assert notes[:2] == [
        "Wording 1 (until " + notes[0].split("(until ")[1],
        "Wording 2 (current): Walk to the market, one rest.",
    ]
    assert "Walk to the market." in notes[0]
    assert "Agreement with wording 1: partly agreed. Half the way first." in notes
    assert counted["DocumentReference"] == 1 and counted["Appointment"] == 1
    assert counted["Consent"] == 4  # three entry shares (not the trashed one's) and the story's
    assert counted["AuditEvent"] >= 1
    text = json.dumps(bundle)
    assert CANARY in text and "trashed-words" not in text
    goal = next(r for r in resources if r["id"] == ids["goal"])
    assert goal["expressedBy"] == {"reference": f"urn:uuid:{people['owner'].id}"}
    private = next(r for r in resources if r["id"] == ids["private"])
    assert "recipient" not in private  # shared with nobody
    psych_only = next(r for r in resources if r["id"] == ids["psych_only"])
    assert psych_only["recipient"] == [{"reference": f"urn:uuid:{people['psych'].id}"}]
    roles = {
        r["practitioner"]["reference"]: r["code"][0]["coding"][0]["code"]
        for r in resources
        if r["resourceType"] == "PractitionerRole"
    }
    assert roles[f"urn:uuid:{people['physio'].id}"] == "36682004"
    # The same data, the same bundle, apart from when it was made.
    again = clients["owner"].get("/api/v1/me/export/fhir").json()
    bundle.pop("timestamp"), again.pop("timestamp")
    assert again == bundle


def test_a_clinicians_summary_holds_only_what_is_shared_with_them(world):
    people, clients, ids = world
    url = f"/api/v1/clinician/participants/{people['owner'].id}/fhir"
    psych = clients["psych"].get(url)
    assert psych.status_code == 200, psych.text
    resources = validate(psych.json())
    assert {r["id"] for r in resources if r["resourceType"] in {"Communication", "Goal"}} == {
        ids["team"],
        ids["psych_only"],
        ids["goal"],
    }
    text = psych.text
    assert CANARY not in text and "trashed-words" not in text and STORY_WORDS not in text
    assert "private-goal-words" not in text and ids["private_goal"] not in text
    # The physiotherapist's task is theirs: the psychologist's summary has no CarePlan.
    assert "CarePlan" not in kinds(resources) and "sent-doubt" not in text
    # The shared goal goes with its wordings, the agreement and its ratings; no other goal's.
    notes, ratings = goal_facts(resources, ids["goal"])
    assert ratings == [3, 5] and kinds(resources)["Observation"] == 2
    assert any("Walk to the market." in note for note in notes)
    assert kinds(resources).get("DocumentReference") is None and kinds(resources)["Appointment"] == 1
    physio = clients["physio"].get(url)
    physio_resources = validate(physio.json())
    assert {r["id"] for r in physio_resources if r["resourceType"] in {"Communication", "Goal"}} == {
        ids["team"],
        ids["goal"],
    }
    story = next(r for r in physio_resources if r["resourceType"] == "DocumentReference")
    import base64

    assert STORY_WORDS in base64.b64decode(story["content"][0]["attachment"]["data"]).decode()
    assert ids["psych_only"] not in physio.text and CANARY not in physio.text
    # Their own task, with only what was sent to them: the answer, not the private try.
    plan = next(r for r in physio_resources if r["resourceType"] == "CarePlan")
    assert [note["text"] for note in plan["activity"][0]["progress"]] == ["Answer: I have doubts. sent-doubt"]
    assert "private-try-words" not in physio.text
    # Who may not.
    assert clients["other"].get(url).status_code == 404
    assert clients["owner"].get(url).status_code == 403
    assert clients["physio"].get("/api/v1/me/export/fhir").status_code == 403
    assert (
        clients["physio"].get(f"/api/v1/clinician/participants/{people['physio'].id}/fhir").status_code == 404
    )
    # Reading it is a read: in the participant's access log.
    log = clients["owner"].get("/api/v1/me/access-log").json()
    assert any(item["clinician_name"] == "Lisa" for item in log)


def test_the_demo_data_makes_valid_bundles(db):
    with open_session() as session:
        assert create_demo_data(session)
        session.commit()
    from sqlmodel import select

    from app.models import User

    with open_session() as session:
        users = {user.username: user for user in session.exec(select(User)).all()}
        tom = next(user for user in users.values() if user.display_name.startswith("Tom"))
        record = fhir_service.participant_record(session, actor=tom)
        clinicians = [user for user in users.values() if user.role == Role.clinician]
        usernames = [clinician.username for clinician in clinicians]
        summaries = [
            fhir_service.shared_summary(session, actor=clinician, participant_id=tom.id)
            for clinician in clinicians
        ]
        session.rollback()
    resources = validate(record)
    counted = kinds(resources)
    assert counted["DocumentReference"] == 1 and counted["Goal"] == 2 and counted["Observation"] == 6
    assert counted["CarePlan"] == 2
    # Three check-ins: two sent to the physiotherapist (the latter with a drop), one kept private.
    assert counted["Questionnaire"] == 1 and counted["QuestionnaireResponse"] == 3
    facts = check_in_facts(resources)
    assert sorted("sent" in fact["about"] for fact in facts.values()) == [False, True, True]
    (private,) = [fact for fact in facts.values() if "sent" not in fact["about"]]
    plans, sent = [], {}
    for username, summary in zip(usernames, summaries, strict=True):
        summary_resources = validate(summary)
        summary_kinds = kinds(summary_resources)
        assert summary_kinds["Observation"] == 5  # the shared walk's ratings only
        plans.append(summary_kinds.get("CarePlan", 0))
        sent[username] = [fact["answers"] for fact in check_in_facts(summary_resources).values()]
        assert summary_kinds.get("Questionnaire", 0) == (1 if sent[username] else 0)
    assert sorted(plans) == [0, 0, 2]  # only the physiotherapist suggested tasks
    assert [answers["approach"] for answers in sent["sanne"]] == [7, 3]  # the drop
    assert sent["mark"] == [] and sent["amira"] == []
    text = json.dumps(summaries)
    assert "I did not dare to say" not in text  # Tom's private thought
    assert "Play football" not in text  # Tom's private goal
    assert private["answers"]["note"] not in text  # Tom's private check-in


@pytest.fixture
def check_ins(world, db):
    """Three check-ins of the owner's after past appointments: one sent to the physiotherapist, one
    about her that was sent and taken back (its note the canary), one sent to the psychologist."""
    people, clients, ids = world
    owner = clients["owner"]

    def check_in(who: str, days_ago: int, **answers: Any) -> str:
        appointment = Appointment(
            participant_id=people["owner"].id,
            clinician_id=people[who].id,
            starts_at=utcnow() - timedelta(days=days_ago),
        )
        db.add(appointment)
        db.commit()
        made = owner.post("/api/v1/me/check-ins", json={"appointment_id": str(appointment.id), **answers})
        assert made.status_code == 201, made.text
        ids[f"appointment_{who}_{days_ago}"] = str(appointment.id)
        return str(made.json()["id"])

    ids["sent_physio"] = check_in("physio", 10, heard=8, goals=7, approach=6, voice=7, note="sent-to-lisa")
    ids["unsent_physio"] = check_in("physio", 3, heard=2, voice=5, note=UNSENT_CHECK_IN)
    ids["sent_psych"] = check_in("psych", 5, goals=9, note="sent-to-omar")
    for sent in ("sent_physio", "unsent_physio", "sent_psych"):
        assert owner.post(f"/api/v1/me/check-ins/{ids[sent]}/send").status_code == 200
    assert owner.post(f"/api/v1/me/check-ins/{ids['unsent_physio']}/unsend").status_code == 200
    return people, clients, ids


def check_in_facts(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each QuestionnaireResponse by id: its answers by linkId, and the parts of Stem's extension
    about the appointment by name (a reference as its target)."""

    def value(part: dict[str, Any]) -> Any:
        key = next(key for key in part if key.startswith("value"))
        return part[key]["reference"] if key == "valueReference" else part[key]

    facts = {}
    for resource in resources:
        if resource["resourceType"] == "QuestionnaireResponse":
            (about,) = resource["extension"]
            assert about["url"] == "urn:stem:fhir:extension:check-in-appointment"
            facts[resource["id"]] = {
                "answers": {item["linkId"]: value(item["answer"][0]) for item in resource.get("item", [])},
                "about": {part["url"]: value(part) for part in about["extension"]},
            }
    return facts


def test_check_ins_go_as_answers_to_stems_own_questionnaire(check_ins):
    people, clients, ids = check_ins
    response = clients["owner"].get("/api/v1/me/export/fhir")
    resources = validate(response.json())
    counted = kinds(resources)
    assert counted["Questionnaire"] == 1 and counted["QuestionnaireResponse"] == 3
    (questionnaire,) = [r for r in resources if r["resourceType"] == "Questionnaire"]
    assert questionnaire["url"] == QUESTIONNAIRE and questionnaire["status"] == "active"
    assert "not a validated questionnaire" in questionnaire["title"]
    assert "Stem's own check-in, not a validated questionnaire" in questionnaire["description"]
    items = {item["linkId"]: item for item in questionnaire["item"]}
    assert [items[key]["type"] for key in ("heard", "goals", "approach", "voice", "note")] == [
        "integer"
    ] * 4 + ["text"]
    assert items["heard"]["extension"] == [
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
        {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 10},
    ]
    assert items["goals"]["text"] == "We spent the time on things that matter in my life."
    assert items["note"]["text"] == "Anything you would like to add?"
    owner = f"urn:uuid:{people['owner'].id}"
    responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    assert [r["id"] for r in responses] == [ids["sent_physio"], ids["sent_psych"], ids["unsent_physio"]]
    for item in responses:
        assert item["questionnaire"] == questionnaire["url"] and item["status"] == "completed"
        assert item["subject"] == item["author"] == item["source"] == {"reference": owner}
    facts = check_in_facts(resources)
    # The unsent one is in my own record, with its words, and says it was not sent.
    assert facts[ids["unsent_physio"]]["answers"] == {"heard": 2, "voice": 5, "note": UNSENT_CHECK_IN}
    about = facts[ids["unsent_physio"]]["about"]
    assert "sent" not in about and about["practitioner"] == f"urn:uuid:{people['physio'].id}"
    assert about["appointment"] == f"urn:uuid:{ids['appointment_physio_3']}"
    sent = facts[ids["sent_physio"]]
    assert sent["answers"] == {"heard": 8, "goals": 7, "approach": 6, "voice": 7, "note": "sent-to-lisa"}
    assert sent["about"]["sent"] and sent["about"]["start"] < sent["about"]["sent"]
    assert sent["about"]["appointment"] == f"urn:uuid:{ids['appointment_physio_10']}"
    authored = next(r for r in responses if r["id"] == ids["sent_physio"])["authored"]
    mine = clients["owner"].get(f"/api/v1/me/check-ins/{ids['sent_physio']}").json()
    assert authored[:19] == mine["created_at"][:19]


def test_a_clinicians_summary_holds_only_the_check_ins_sent_to_them(check_ins):
    people, clients, ids = check_ins
    url = f"/api/v1/clinician/participants/{people['owner'].id}/fhir"
    physio = clients["physio"].get(url)
    resources = validate(physio.json())
    assert kinds(resources)["Questionnaire"] == 1
    facts = check_in_facts(resources)
    assert list(facts) == [ids["sent_physio"]]
    assert facts[ids["sent_physio"]]["about"]["practitioner"] == f"urn:uuid:{people['physio'].id}"
    assert facts[ids["sent_physio"]]["about"]["appointment"] == f"urn:uuid:{ids['appointment_physio_10']}"
    assert UNSENT_CHECK_IN not in physio.text and ids["unsent_physio"] not in physio.text
    assert "sent-to-omar" not in physio.text and ids["sent_psych"] not in physio.text
    psych = clients["psych"].get(url)
    assert list(check_in_facts(validate(psych.json()))) == [ids["sent_psych"]]
    assert UNSENT_CHECK_IN not in psych.text and "sent-to-lisa" not in psych.text
    # Taken back: gone from her summary at once, and no Questionnaire without an answer to it.
    owner = clients["owner"]
    assert owner.post(f"/api/v1/me/check-ins/{ids['sent_physio']}/unsend").status_code == 200
    physio = clients["physio"].get(url)
    assert "Questionnaire" not in kinds(validate(physio.json())) and "sent-to-lisa" not in physio.text
    # Sent again: back, the same as the check-in view shows her.
    assert owner.post(f"/api/v1/me/check-ins/{ids['unsent_physio']}/send").status_code == 200
    physio = clients["physio"].get(url)
    assert list(check_in_facts(validate(physio.json()))) == [ids["unsent_physio"]]
    shown = clients["physio"].get(f"/api/v1/clinician/participants/{people['owner'].id}/check-ins").json()
    assert [item["id"] for item in shown] == [ids["unsent_physio"]]
