"""Who sees what: tables of actor × entry state × read route, and a canary that never leaks."""

import re
import uuid
from datetime import timedelta

import pytest

from app.db import open_session
from app.main import ROUTERS
from app.models import Appointment
from app.models.types import utcnow
from tests.sharing.conftest import CANARY, in_future

STATES = ["private", "team", "psych_only", "revoked", "deleted"]
EXPECTED_VISIBLE = {
    "physio": {"team"},
    "psych": {"team", "psych_only"},
    "physician": {"team"},
    "outsider": set(),
}


def preparation_ids(response) -> set[str]:
    body = response.json()
    sections = ("agenda", "disagreements", "questions", "goals", "thoughts_and_feelings")
    return {item["id"] for section in sections for item in body[section]}


@pytest.mark.parametrize("actor", ["physio", "psych", "physician"])
def test_team_clinicians_see_exactly_what_was_shared_with_them(world, actor):
    owner_id = world.users["owner"].id
    response = world.clients[actor].get(f"/api/v1/clinician/participants/{owner_id}/entries")
    assert response.status_code == 200
    expected = {world.entry_id(name) for name in EXPECTED_VISIBLE[actor]}
    assert preparation_ids(response) == expected
    assert CANARY not in response.text


@pytest.mark.parametrize(
    ("actor", "status"), [("outsider", 404), ("fellow", 403), ("admin", 403), ("owner", 403)]
)
def test_others_cannot_open_the_preparation(world, actor, status):
    owner_id = world.users["owner"].id
    response = world.clients[actor].get(f"/api/v1/clinician/participants/{owner_id}/entries")
    assert response.status_code == status
    assert CANARY not in response.text
    assert "Shared with everyone" not in response.text


@pytest.mark.parametrize("actor", ["owner", "fellow", "physio", "psych", "physician", "outsider", "admin"])
@pytest.mark.parametrize("state", STATES)
def test_responses_route_follows_visibility(world, actor, state):
    response = world.clients[actor].get(f"/api/v1/entries/{world.entry_id(state)}/responses")
    allowed = state != "deleted" if actor == "owner" else state in EXPECTED_VISIBLE.get(actor, set())
    assert response.status_code == (200 if allowed else 404), (actor, state, response.text)


@pytest.mark.parametrize("actor", ["physio", "psych", "physician", "outsider"])
def test_unread_counts_count_only_visible_entries(world, actor):
    response = world.clients[actor].get("/api/v1/clinician/participants")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    owner_id = str(world.users["owner"].id)
    if actor == "outsider":
        assert owner_id not in rows
        return
    assert rows[owner_id]["unread_count"] == len(EXPECTED_VISIBLE[actor])
    fellow_id = str(world.users["fellow"].id)
    assert rows[fellow_id]["unread_count"] == 0


@pytest.mark.parametrize("actor", ["physio", "psych", "physician", "outsider", "fellow"])
def test_responses_on_invisible_entries_are_refused_and_change_nothing(world, actor):
    for state in STATES:
        if state in EXPECTED_VISIBLE.get(actor, set()):
            continue
        response = world.clients[actor].post(
            f"/api/v1/entries/{world.entry_id(state)}/responses", json={"kind": "seen"}
        )
        assert response.status_code == 404, (actor, state)
    owner = world.clients["owner"]
    for state in STATES[:4]:
        assert owner.get(f"/api/v1/entries/{world.entry_id(state)}/responses").json() == []


def test_revoke_hides_at_once_everywhere(world):
    psych, owner = world.clients["psych"], world.clients["owner"]
    owner_id = world.users["owner"].id
    appointment = psych.post(
        "/api/v1/appointments", json={"participant_id": str(owner_id), "starts_at": in_future()}
    ).json()
    agenda = owner.put(
        f"/api/v1/appointments/{appointment['id']}/agenda",
        json={"entry_ids": [world.entry_id("psych_only"), world.entry_id("team")]},
    )
    assert agenda.status_code == 200
    share_id = owner.get(f"/api/v1/entries/{world.entry_id('psych_only')}/shares").json()[0]["id"]
    assert (
        owner.delete(f"/api/v1/entries/{world.entry_id('psych_only')}/shares/{share_id}").status_code == 200
    )
    prep = psych.get(f"/api/v1/clinician/participants/{owner_id}/entries")
    assert world.entry_id("psych_only") not in preparation_ids(prep)
    assert [item["entry_id"] for item in prep.json()["next_appointment"]["agenda"]] == [
        world.entry_id("team")
    ]
    assert "Only for the psychologist" not in prep.text
    listed = psych.get("/api/v1/appointments").json()
    assert [item["entry_id"] for item in listed[0]["agenda"]] == [world.entry_id("team")]
    assert psych.get(f"/api/v1/entries/{world.entry_id('psych_only')}/responses").status_code == 404


def test_participant_leaving_the_team_hides_everything(world, db):
    from sqlmodel import col, delete

    from app.models import TeamMembership

    db.execute(delete(TeamMembership).where(col(TeamMembership.user_id) == world.users["owner"].id))
    db.commit()
    physio = world.clients["physio"]
    assert physio.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries").status_code == 404
    assert physio.get(f"/api/v1/entries/{world.entry_id('team')}/responses").status_code == 404


def _get_routes():
    for router in ROUTERS:
        for route in router.routes:
            if "GET" in getattr(route, "methods", ()) and route.path.startswith("/api/"):
                yield route.path


def test_canary_never_reaches_anyone_but_its_owner(world):
    """Every GET API route, with every id we know, as every actor but the owner."""
    owner_id = str(world.users["owner"].id)
    appointment = world.clients["psych"].post(
        "/api/v1/appointments", json={"participant_id": owner_id, "starts_at": in_future()}
    )
    assert appointment.status_code == 201
    # The owner's story holds the canary too, and is never shared.
    story = {"base_version": 0, "sections": {"fear": CANARY}}
    assert world.clients["owner"].put("/api/v1/me/story", json=story).status_code == 200
    reset = world.clients["physio"].post(f"/api/v1/participants/{owner_id}/account-resets")
    assert reset.status_code == 201
    # A private goal first worded with the canary, then reworded (the canary stays in its history).
    goal = world.clients["owner"].post("/api/v1/entries", json={"kind": "goal", "body": CANARY}).json()
    reworded = {"body": "Walk to school", "version": goal["version"]}
    assert world.clients["owner"].patch(f"/api/v1/entries/{goal['id']}", json=reworded).status_code == 200
    rated = world.clients["owner"].post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 4})
    assert rated.status_code == 201
    # A task of the physiotherapist's, answered and tried with the canary, never sent; a check-in
    # after an appointment that took place, with the canary in its note, never sent.
    owner = world.clients["owner"]
    task = world.clients["physio"].post(
        f"/api/v1/clinician/participants/{owner_id}/tasks", json={"body": "Walk"}
    )
    assert task.status_code == 201, task.text
    task_id = task.json()["id"]
    assert (
        owner.put(f"/api/v1/me/tasks/{task_id}/answer", json={"answer": "doubts", "note": CANARY}).status_code
        == 200
    )
    assert (
        owner.post(
            f"/api/v1/me/tasks/{task_id}/tries", json={"outcome": "partly", "note": CANARY}
        ).status_code
        == 201
    )
    with open_session() as session:
        past = Appointment(
            participant_id=world.users["owner"].id,
            clinician_id=world.users["physio"].id,
            starts_at=utcnow() - timedelta(days=1),
        )
        session.add(past)
        session.commit()
        past_id = str(past.id)
    check_in = owner.post(
        "/api/v1/me/check-ins", json={"appointment_id": past_id, "heard": 2, "note": CANARY}
    )
    assert check_in.status_code == 201, check_in.text
    substitutions = {
        "task_id": [task_id],
        "check_in_id": [check_in.json()["id"]],
        "entry_id": [world.entry_id(state) for state in STATES],
        "participant_id": [owner_id],
        "team_id": [str(world.team.id)],
        "user_id": [owner_id],
        "appointment_id": [appointment.json()["id"]],
        "invitation_id": [str(uuid.uuid4())],
        "reset_id": [reset.json()["id"]],
        "number": ["1"],
        "goal_id": [goal["id"], *(world.entry_id(state) for state in STATES)],
    }
    checked = 0
    for path in _get_routes():
        names = re.findall(r"\{(\w+)\}", path)
        candidates = [path]
        for name in names:
            candidates = [
                c.replace("{" + name + "}", value) for c in candidates for value in substitutions[name]
            ]
        for url in candidates:
            for actor, client in world.clients.items():
                if actor == "owner":
                    continue
                response = client.get(url, params={"q": CANARY})
                assert response.status_code < 500, (actor, url)
                assert CANARY not in response.text, (actor, url)
                checked += 1
    assert checked > 50
    own = world.clients["owner"].get(f"/api/v1/entries/{world.entry_id('private')}")
    assert CANARY in own.text
    assert CANARY in world.clients["owner"].get("/api/v1/me/story").text
    assert CANARY in world.clients["owner"].get(f"/api/v1/me/goals/{goal['id']}").text
    assert CANARY in owner.get(f"/api/v1/me/tasks/{task_id}").text
    assert CANARY in owner.get(f"/api/v1/me/check-ins/{check_in.json()['id']}").text
