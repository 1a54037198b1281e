"""Stem speaks FHIR (issue 20): the participant's record and a clinician's shared summary are
FHIR R4 bundles that the R4B models of `fhir.resources` accept, whose references resolve inside
the bundle, that are the same for the same data, and that never carry what is not shared."""

import json
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from app.db import open_session
from app.demo import create_demo_data
from app.fhir import service as fhir_service
from app.models.enums import Discipline, Role
from tests.factories import login, make_team, make_user
from tests.sharing.conftest import CANARY, in_future

STORY_WORDS = "story-words-for-the-physio-only"


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
        summaries = [
            fhir_service.shared_summary(session, actor=clinician, participant_id=tom.id)
            for clinician in clinicians
        ]
        session.rollback()
    counted = kinds(validate(record))
    assert counted["DocumentReference"] == 1 and counted["Goal"] == 2 and counted["Observation"] == 6
    assert counted["CarePlan"] == 2
    plans = []
    for summary in summaries:
        summary_kinds = kinds(validate(summary))
        assert summary_kinds["Observation"] == 5  # the shared walk's ratings only
        plans.append(summary_kinds.get("CarePlan", 0))
    assert sorted(plans) == [0, 0, 2]  # only the physiotherapist suggested tasks
    assert "I did not dare to say" not in json.dumps(summaries)  # Tom's private thought
    assert "Play football" not in json.dumps(summaries)  # Tom's private goal
