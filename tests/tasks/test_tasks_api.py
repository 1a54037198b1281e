"""Tasks (issue 14, item 2) through the API: a clinician suggests a task to a participant of their
team, optionally linked to a goal shared with them; the participant answers and logs tries, which
stay private until sent (one step) and are taken back at once; a task with doubts goes on the
agenda in one step. Who must not see what: other clinicians, other teams, other participants."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from app.models.enums import Discipline, Role
from tests.factories import login, make_team, make_user
from tests.sharing.conftest import in_future

TASK = "Walk for ten minutes after lunch."
WHY = "It hurts my knee on the stairs."


@pytest.fixture
def team(db, client_factory):
    rehab = make_team(db, "Rehab")
    people = {
        "anna": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "bram": make_user(db, Role.participant, team=rehab, display_name="Bram"),
        "lisa": make_user(
            db, Role.clinician, team=rehab, display_name="Lisa", discipline=Discipline.physiotherapist
        ),
        "omar": make_user(
            db, Role.clinician, team=rehab, display_name="Omar", discipline=Discipline.psychologist
        ),
        "other": make_user(db, Role.clinician, team=make_team(db, "Elsewhere"), display_name="Otto"),
        "admin": make_user(db, Role.admin),
    }
    clients = {}
    for name, user in people.items():
        clients[name] = client_factory()
        login(clients[name], user)
    return people, clients


def suggest(clients, people, **fields) -> dict:
    response = clients["lisa"].post(
        f"/api/v1/clinician/participants/{people['anna'].id}/tasks", json={"body": TASK, **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_task_is_answered_privately_and_sent_in_one_step(team, db):
    people, clients = team
    anna, lisa = clients["anna"], clients["lisa"]
    task = suggest(
        clients, people, how_often="Every day", until=(date.today() + timedelta(days=14)).isoformat()
    )
    assert task["how_often"] == "Every day" and task["answer"] is None and task["tries"] == []

    mine = anna.get("/api/v1/me/tasks").json()
    assert [(t["body"], t["clinician_name"], t["clinician_discipline"]) for t in mine] == [
        (TASK, "Lisa", "physiotherapist")
    ]
    answered = anna.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "doubts", "note": WHY})
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"]["answer"] == "doubts" and answered.json()["unsent"] is True
    tried = anna.post(
        f"/api/v1/me/tasks/{task['id']}/tries", json={"outcome": "too_painful", "note": "Stairs."}
    )
    assert tried.status_code == 201, tried.text

    # Private until sent: Lisa sees the task, not the answer nor the try.
    seen = lisa.get(f"/api/v1/clinician/participants/{people['anna'].id}/tasks")
    assert seen.status_code == 200
    assert seen.json()[0]["answer"] is None and seen.json()[0]["tries"] == []
    assert WHY not in seen.text and "Stairs." not in seen.text

    sent = anna.post(f"/api/v1/me/tasks/{task['id']}/send")
    assert sent.status_code == 200, sent.text
    assert sent.json()["unsent"] is False and sent.json()["sent_answer"]["answer"] == "doubts"
    seen = lisa.get(f"/api/v1/clinician/participants/{people['anna'].id}/tasks").json()
    assert seen[0]["answer"]["note"] == WHY and [t["outcome"] for t in seen[0]["tries"]] == ["too_painful"]
    again = anna.post(f"/api/v1/me/tasks/{task['id']}/send")
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_send"

    # A new answer stays private; Lisa still sees the one that was sent.
    anna.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "fits"})
    seen = lisa.get(f"/api/v1/clinician/participants/{people['anna'].id}/tasks").json()
    assert seen[0]["answer"]["answer"] == "doubts"
    shown = anna.get(f"/api/v1/me/tasks/{task['id']}").json()
    assert shown["answer"]["answer"] == "fits" and shown["sent_answer"]["answer"] == "doubts"
    assert [a["answer"] for a in shown["answers"]] == ["doubts", "fits"]

    # Taken back at once.
    taken = anna.post(f"/api/v1/me/tasks/{task['id']}/unsend")
    assert taken.status_code == 200 and taken.json()["sent_answer"] is None
    seen = lisa.get(f"/api/v1/clinician/participants/{people['anna'].id}/tasks")
    assert seen.json()[0]["answer"] is None and seen.json()[0]["tries"] == [] and WHY not in seen.text

    # Encrypted at rest, like every free text.
    db.rollback()
    raw = " ".join(
        str(value)
        for query in (
            "SELECT body, how_often FROM tasks",
            "SELECT note FROM task_answers",
            "SELECT note FROM task_tries",
        )
        for row in db.execute(text(query)).all()
        for value in row
    )
    assert TASK not in raw and WHY not in raw and "Every day" not in raw and "Stairs." not in raw


def test_tries_are_kept_once_and_removable(team):
    people, clients = team
    anna = clients["anna"]
    task = suggest(clients, people)
    try_id = str(uuid.uuid4())
    first = anna.post(f"/api/v1/me/tasks/{task['id']}/tries", json={"id": try_id, "outcome": "did_it"})
    assert first.status_code == 201
    again = anna.post(f"/api/v1/me/tasks/{task['id']}/tries", json={"id": try_id, "outcome": "did_it"})
    assert again.status_code == 200 and again.json()["id"] == try_id
    clash = anna.post(f"/api/v1/me/tasks/{task['id']}/tries", json={"id": try_id, "outcome": "partly"})
    assert clash.status_code == 409 and clash.json()["code"] == "id_conflict"
    assert len(anna.get(f"/api/v1/me/tasks/{task['id']}").json()["tries"]) == 1
    # Someone else's try id on my task looks missing.
    other = suggest(clients, people, body="Another task")
    elsewhere = anna.post(f"/api/v1/me/tasks/{other['id']}/tries", json={"id": try_id, "outcome": "did_it"})
    assert elsewhere.status_code == 404
    assert anna.delete(f"/api/v1/me/tasks/{task['id']}/tries/{try_id}").status_code == 204
    assert anna.get(f"/api/v1/me/tasks/{task['id']}").json()["tries"] == []
    assert anna.delete(f"/api/v1/me/tasks/{task['id']}/tries/{try_id}").status_code == 404


def test_a_task_created_twice_is_kept_once(team):
    people, clients = team
    task_id = str(uuid.uuid4())
    url = f"/api/v1/clinician/participants/{people['anna'].id}/tasks"
    assert clients["lisa"].post(url, json={"id": task_id, "body": TASK}).status_code == 201
    assert clients["lisa"].post(url, json={"id": task_id, "body": TASK}).status_code == 200
    clash = clients["lisa"].post(url, json={"id": task_id, "body": "Something else"})
    assert clash.status_code == 409 and clash.json()["code"] == "id_conflict"
    # Another clinician reusing the id is told nothing about it.
    omar = clients["omar"].post(url, json={"id": task_id, "body": TASK})
    assert omar.status_code == 404
    assert len(clients["anna"].get("/api/v1/me/tasks").json()) == 1


def test_editing_and_withdrawing_a_task(team):
    people, clients = team
    lisa, anna = clients["lisa"], clients["anna"]
    task = suggest(clients, people)
    url = f"/api/v1/clinician/tasks/{task['id']}"
    assert lisa.patch(url, json={"body": "Walk for five minutes."}).status_code == 428
    edited = lisa.patch(
        url, json={"body": "Walk for five minutes.", "how_often": "Twice a day", "version": 1}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["how_often"] == "Twice a day"
    stale = lisa.patch(url, json={"body": "Old"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
    cleared = lisa.patch(url, json={"how_often": None}, headers={"If-Match": '"2"'})
    assert cleared.status_code == 200 and cleared.json()["how_often"] is None
    anna.post(f"/api/v1/me/tasks/{task['id']}/tries", json={"outcome": "did_it"})

    withdrawn = lisa.post(f"{url}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    # The participant keeps it, with their tries; it can no longer be answered or edited.
    kept = anna.get(f"/api/v1/me/tasks/{task['id']}").json()
    assert kept["withdrawn_at"] is not None and len(kept["tries"]) == 1
    refused = anna.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "fits"})
    assert refused.status_code == 409 and refused.json()["code"] == "withdrawn"
    assert lisa.patch(url, json={"body": "x", "version": 3}).status_code == 409


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": "   "}, "body"),
        ({"body": "x" * 1001}, "body"),
        ({"body": TASK, "how_often": "y" * 121}, "how_often"),
        ({"body": TASK, "until": "9999-12-31"}, "until"),
        ({"body": TASK, "until": "2001-01-01"}, "until"),
        ({"body": TASK, "until": "not a date"}, "until"),
        ({"body": TASK, "goal_id": "00000000-0000-0000-0000-000000000000"}, "goal_id"),
        ({"body": TASK, "surprise": 1}, "surprise"),
        ({"body": "nul\x00"}, None),
    ],
)
def test_bad_tasks_are_refused_with_a_clear_message(team, fields, field):
    people, clients = team
    response = clients["lisa"].post(f"/api/v1/clinician/participants/{people['anna'].id}/tasks", json=fields)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["detail"]
    if field:
        assert field in {error["field"] for error in problem["errors"]}, problem


def test_bad_answers_and_tries_are_refused(team):
    people, clients = team
    anna = clients["anna"]
    task = suggest(clients, people)
    base = f"/api/v1/me/tasks/{task['id']}"
    assert anna.put(f"{base}/answer", json={"answer": "maybe"}).status_code == 422
    assert anna.put(f"{base}/answer", json={"answer": "fits", "note": "n" * 1001}).status_code == 422
    assert (
        anna.post(f"{base}/tries", json={"outcome": "did_it", "tried_at": "9999-01-01T00:00:00Z"}).status_code
        == 422
    )
    before = (datetime.now(UTC) - timedelta(days=400)).isoformat()
    assert anna.post(f"{base}/tries", json={"outcome": "did_it", "tried_at": before}).status_code == 422
    assert (
        anna.post(f"{base}/tries", json={"outcome": "did_it", "tried_at": "2026-01-01T00:00:00"}).status_code
        == 422
    )
    assert anna.post(f"{base}/send").status_code == 409  # nothing to send yet
    assert anna.post(f"{base}/raise", json={"body": "  "}).status_code == 422


def test_a_task_links_only_to_a_goal_shared_with_its_clinician(team):
    people, clients = team
    anna = clients["anna"]
    goal = anna.post("/api/v1/entries", json={"kind": "goal", "body": "Walk my daughter to school"}).json()
    # Not shared with Lisa yet: refused, and nothing of the goal is said.
    refused = clients["lisa"].post(
        f"/api/v1/clinician/participants/{people['anna'].id}/tasks",
        json={"body": TASK, "goal_id": goal["id"]},
    )
    assert refused.status_code == 422 and "daughter" not in refused.text
    anna.post(f"/api/v1/entries/{goal['id']}/shares", json={"clinician_ids": [str(people["lisa"].id)]})
    task = suggest(clients, people, goal_id=goal["id"])
    assert task["goal_body"] == "Walk my daughter to school"
    assert anna.get(f"/api/v1/me/tasks/{task['id']}").json()["goal_body"] == "Walk my daughter to school"
    # A revoke is honoured at once: the clinician no longer sees the goal through the task.
    shares = anna.get(f"/api/v1/entries/{goal['id']}/shares").json()
    for share in shares:
        assert anna.delete(f"/api/v1/entries/{goal['id']}/shares/{share['id']}").status_code == 200
    seen = clients["lisa"].get(f"/api/v1/clinician/participants/{people['anna'].id}/tasks")
    assert seen.json()[0]["goal_id"] is None and "daughter" not in seen.text
    # Another participant's goal, even shared with Lisa, cannot be linked to Anna's task.
    bram_goal = clients["bram"].post("/api/v1/entries", json={"kind": "goal", "body": "Bram's goal"}).json()
    clients["bram"].post(f"/api/v1/entries/{bram_goal['id']}/shares", json={"audience": "team"})
    mixed = clients["lisa"].post(
        f"/api/v1/clinician/participants/{people['anna'].id}/tasks",
        json={"body": TASK, "goal_id": bram_goal["id"]},
    )
    assert mixed.status_code == 422


def test_a_task_with_doubts_goes_on_the_agenda_in_one_step(team):
    people, clients = team
    anna = clients["anna"]
    task = suggest(clients, people)
    appointment = anna.post(
        "/api/v1/appointments", json={"clinician_id": str(people["lisa"].id), "starts_at": in_future()}
    ).json()
    anna.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "does_not_fit", "note": WHY})
    raised = anna.post(f"/api/v1/me/tasks/{task['id']}/raise", json={"body": f"About the walking: {WHY}"})
    assert raised.status_code == 201, raised.text
    assert raised.json()["clinician_id"] == str(people["lisa"].id)
    assert raised.json()["appointment"]["id"] == appointment["id"]
    entry = anna.get(f"/api/v1/entries/{raised.json()['entry_id']}").json()
    assert entry["kind"] == "disagreement" and entry["topic"] == "exercises" and entry["raise_next_session"]
    # Shared with Lisa only: Omar does not see it.
    omar = clients["omar"].get(f"/api/v1/clinician/participants/{people['anna'].id}/entries")
    assert WHY not in omar.text
    lisa = clients["lisa"].get(f"/api/v1/clinician/participants/{people['anna'].id}/entries")
    assert WHY in lisa.text


def test_who_must_not_see_or_touch_a_task(team):
    people, clients = team
    task = suggest(clients, people)
    anna = clients["anna"]
    anna.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "doubts", "note": WHY})
    anna.post(f"/api/v1/me/tasks/{task['id']}/send")
    tasks_of_anna = f"/api/v1/clinician/participants/{people['anna'].id}/tasks"
    # Omar (same team, not the task's author) sees none of Lisa's tasks or Anna's answers.
    omar = clients["omar"].get(tasks_of_anna)
    assert omar.status_code == 200 and omar.json() == []
    assert (
        clients["omar"]
        .patch(f"/api/v1/clinician/tasks/{task['id']}", json={"body": "x", "version": 1})
        .status_code
        == 404
    )
    assert clients["omar"].post(f"/api/v1/clinician/tasks/{task['id']}/withdraw").status_code == 404
    # Another team's clinician: the participant is not theirs.
    assert clients["other"].get(tasks_of_anna).status_code == 404
    assert clients["other"].post(tasks_of_anna, json={"body": TASK}).status_code == 404
    # Another participant: Anna's task looks missing.
    bram = clients["bram"]
    assert bram.get("/api/v1/me/tasks").json() == []
    for method, path, body in [
        ("get", f"/api/v1/me/tasks/{task['id']}", None),
        ("put", f"/api/v1/me/tasks/{task['id']}/answer", {"answer": "fits"}),
        ("post", f"/api/v1/me/tasks/{task['id']}/tries", {"outcome": "did_it"}),
        ("post", f"/api/v1/me/tasks/{task['id']}/send", None),
        ("post", f"/api/v1/me/tasks/{task['id']}/unsend", None),
        ("post", f"/api/v1/me/tasks/{task['id']}/raise", {"body": "mine"}),
    ]:
        response = getattr(bram, method)(path, **({"json": body} if body is not None else {}))
        assert response.status_code == 404, (path, response.text)
        assert WHY not in response.text and TASK not in response.text
    # Roles: a participant cannot write tasks, a clinician or admin has no "my tasks".
    assert anna.post(tasks_of_anna, json={"body": TASK}).status_code == 403
    assert clients["lisa"].get("/api/v1/me/tasks").status_code == 403
    assert clients["admin"].get(tasks_of_anna).status_code == 403


def test_a_participant_who_left_the_team_is_out_of_reach(team, db):
    from sqlmodel import delete

    from app.models import TeamMembership

    people, clients = team
    task = suggest(clients, people)
    db.execute(delete(TeamMembership).where(TeamMembership.user_id == people["anna"].id))
    db.commit()
    assert clients["lisa"].get(f"/api/v1/clinician/participants/{people['anna'].id}/tasks").status_code == 404
    assert clients["lisa"].post(f"/api/v1/clinician/tasks/{task['id']}/withdraw").status_code == 404
    assert [t["id"] for t in clients["anna"].get("/api/v1/me/tasks").json()] == [task["id"]]


def test_my_export_holds_my_tasks_and_erasure_removes_them(team, db):
    from sqlalchemy import func
    from sqlmodel import delete, select

    from app.models import Task, TaskAnswerRecord, TaskTry, User
    from tests.factories import PASSWORD

    people, clients = team
    anna, bram = clients["anna"], clients["bram"]
    task = suggest(clients, people, how_often="Daily")
    anna.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "doubts", "note": WHY})
    anna.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "fits"})
    anna.post(f"/api/v1/me/tasks/{task['id']}/tries", json={"outcome": "partly", "note": "Half way."})
    bram_task = clients["lisa"].post(
        f"/api/v1/clinician/participants/{people['bram'].id}/tasks", json={"body": "Bram's own task"}
    )
    assert bram_task.status_code == 201
    exported = anna.get("/api/v1/me/export")
    assert exported.status_code == 200
    tasks = exported.json()["tasks"]
    assert [(t["body"], t["how_often"], t["clinician_name"]) for t in tasks] == [(TASK, "Daily", "Lisa")]
    assert [(a["answer"], a["note"]) for a in tasks[0]["answers"]] == [("doubts", WHY), ("fits", None)]
    assert [t["note"] for t in tasks[0]["tries"]] == ["Half way."]
    assert "Bram's own task" not in exported.text
    assert bram.get("/api/v1/me/export").json()["tasks"][0]["body"] == "Bram's own task"

    def count(model) -> int:
        db.rollback()
        return db.exec(select(func.count()).select_from(model)).one()

    # The clinician's account goes: the participant keeps the task, from "a former team member".
    assert count(Task) == 2 and count(TaskAnswerRecord) == 2 and count(TaskTry) == 1
    db.execute(delete(User).where(User.id == people["lisa"].id))
    db.commit()
    kept = anna.get(f"/api/v1/me/tasks/{task['id']}").json()
    assert kept["clinician_id"] is None and kept["clinician_name"] is None
    assert anna.post(f"/api/v1/me/tasks/{task['id']}/send").json()["code"] == "no_clinician"

    erased = anna.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert erased.status_code == 204
    assert count(Task) == 1 and count(TaskAnswerRecord) == 0 and count(TaskTry) == 0  # Bram's stays
