"""Goals of my own (issue 14, item 1) through the API: every wording kept, ratings over time,
reached or let go with a why, an order of what matters most, the team's agreement per wording;
a clinician sees a goal, its wordings and ratings only while it is shared with them."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.models.enums import Discipline, Role
from tests.factories import login, make_team, make_user

FIRST = "Walk my daughter to school"
SECOND = "Walk my daughter to school twice a week, with a rest on the bench"


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
        "admin": make_user(db, Role.admin),
    }
    clients = {}
    for name, user in people.items():
        clients[name] = client_factory()
        login(clients[name], user)
    return people, clients


def new_goal(client, body: str = FIRST) -> dict:
    response = client.post("/api/v1/entries", json={"kind": "goal", "body": body})
    assert response.status_code == 201, response.text
    return response.json()


def reword(client, goal: dict, body: str, **fields) -> dict:
    response = client.patch(
        f"/api/v1/entries/{goal['id']}",
        json={"body": body, **fields},
        headers={"If-Match": f'"{goal["version"]}"'},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_goal_keeps_every_wording_and_its_ratings(team, db):
    _, clients = team
    anna = clients["anna"]
    goal = new_goal(anna)
    first = anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 3})
    assert first.status_code == 201, first.text
    goal = reword(anna, goal, SECOND)
    # An edit that keeps the words (only the importance changes) is not a new wording.
    goal = reword(anna, goal, SECOND, importance="high")
    rating_id = str(uuid.uuid4())
    second = anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"id": rating_id, "value": 6})
    assert second.status_code == 201
    # Sent twice (a phone that lost the answer): kept once.
    again = anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"id": rating_id, "value": 6})
    assert again.status_code == 200 and again.json()["id"] == rating_id
    clash = anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"id": rating_id, "value": 7})
    assert clash.status_code == 409 and clash.json()["code"] == "id_conflict"

    shown = anna.get(f"/api/v1/me/goals/{goal['id']}").json()
    assert shown["body"] == SECOND and shown["wording_number"] == 2
    assert [(w["number"], w["body"]) for w in shown["wordings"]] == [(1, FIRST), (2, SECOND)]
    assert shown["wordings"][0]["replaced_at"] is not None and shown["wordings"][1]["replaced_at"] is None
    assert [r["value"] for r in shown["ratings"]] == [3, 6]
    # Earlier wordings are encrypted at rest like every other free text.
    db.rollback()
    raw = " ".join(row[0] for row in db.execute(text("SELECT body FROM goal_wordings")).all())
    assert raw and "daughter" not in raw

    # A rating given by mistake can go.
    assert anna.delete(f"/api/v1/me/goals/{goal['id']}/ratings/{rating_id}").status_code == 204
    assert [r["value"] for r in anna.get(f"/api/v1/me/goals/{goal['id']}").json()["ratings"]] == [3]


def test_reached_or_let_go_with_a_why_and_the_why_goes_when_working_on_it_again(team):
    _, clients = team
    anna = clients["anna"]
    goal = new_goal(anna)
    response = anna.patch(
        f"/api/v1/entries/{goal['id']}",
        json={
            "goal_status": "let_go",
            "goal_note": "  My knee needs a rest first  ",
            "version": goal["version"],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["goal_note"] == "My knee needs a rest first"
    back = anna.patch(
        f"/api/v1/entries/{goal['id']}", json={"goal_status": "active", "version": response.json()["version"]}
    )
    assert back.json()["goal_status"] == "active" and back.json()["goal_note"] is None
    thought = anna.post("/api/v1/entries", json={"kind": "thought", "body": "x", "goal_note": "why"})
    assert thought.status_code == 422 and "goal" in thought.json()["detail"]
    long = anna.patch(
        f"/api/v1/entries/{goal['id']}",
        json={"goal_status": "achieved", "goal_note": "y" * 1001, "version": back.json()["version"]},
    )
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "goal_note"


def test_my_order_of_what_matters_most(team):
    _, clients = team
    anna = clients["anna"]
    a, b, c = (new_goal(anna, words)["id"] for words in ("Walk", "Cook", "Sleep"))
    assert [g["id"] for g in anna.get("/api/v1/me/goals").json()] == [a, b, c]
    ordered = anna.put("/api/v1/me/goal-order", json={"ids": [c, a]})
    assert ordered.status_code == 200, ordered.text
    assert [g["id"] for g in ordered.json()] == [c, a, b]
    assert anna.put("/api/v1/me/goal-order", json={"ids": [c, c]}).status_code == 422
    not_mine = anna.put("/api/v1/me/goal-order", json={"ids": [str(uuid.uuid4())]})
    assert not_mine.status_code == 422 and not_mine.json()["errors"][0]["field"] == "ids"
    # A goal in the trash leaves the list.
    anna.delete(f"/api/v1/entries/{a}")
    assert [g["id"] for g in anna.get("/api/v1/me/goals").json()] == [c, b]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": 11}, "value"),
        ({"value": -1}, "value"),
        ({"value": "six"}, "value"),
        ({}, "value"),
        ({"value": 5, "rated_at": "9999-01-01T00:00:00Z"}, "rated_at"),
        ({"value": 5, "rated_at": "2001-01-01T00:00:00Z"}, "rated_at"),
        ({"value": 5, "rated_at": "2026-01-01T00:00:00"}, "rated_at"),
        ({"value": 5, "mood": "bad"}, "mood"),
    ],
)
def test_bad_ratings_are_refused_with_a_message(team, body, field):
    _, clients = team
    anna = clients["anna"]
    goal = new_goal(anna)
    response = anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] and field in response.text


def test_a_rating_given_offline_keeps_its_time(team):
    _, clients = team
    anna = clients["anna"]
    goal = new_goal(anna)
    when = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0)
    response = anna.post(
        f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 4, "rated_at": when.isoformat()}
    )
    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["rated_at"]) == when


def test_only_a_goal_of_mine_can_be_rated_seen_or_ordered(team):
    _people, clients = team
    anna, bram = clients["anna"], clients["bram"]
    goal = new_goal(anna)
    thought = anna.post("/api/v1/entries", json={"kind": "thought", "body": "Not a goal"}).json()
    assert anna.post(f"/api/v1/me/goals/{thought['id']}/ratings", json={"value": 5}).status_code == 404
    assert anna.get(f"/api/v1/me/goals/{thought['id']}").status_code == 404
    for path in (f"/api/v1/me/goals/{goal['id']}",):
        assert bram.get(path).status_code == 404
    assert bram.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 5}).status_code == 404
    assert bram.put("/api/v1/me/goal-order", json={"ids": [goal["id"]]}).status_code == 422
    rating = anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 5}).json()
    # Someone else's rating id, replayed on one's own goal, looks missing.
    own = new_goal(bram)
    replay = bram.post(f"/api/v1/me/goals/{own['id']}/ratings", json={"id": rating["id"], "value": 5})
    assert replay.status_code == 404
    assert bram.delete(f"/api/v1/me/goals/{goal['id']}/ratings/{rating['id']}").status_code == 404
    for name in ("lisa", "admin"):
        assert clients[name].get("/api/v1/me/goals").status_code == 403
        assert (
            clients[name].post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 5}).status_code == 403
        )


def _goal_in_preparation(client, participant_id, goal_id):
    response = client.get(f"/api/v1/clinician/participants/{participant_id}/entries")
    assert response.status_code == 200, response.text
    found = [item for section in response.json().values() if isinstance(section, list) for item in section]
    return next((item for item in found if item.get("id") == goal_id), None)


def test_shared_with_lisa_she_sees_wordings_ratings_and_agrees_per_wording(team):
    people, clients = team
    anna, lisa, omar = clients["anna"], clients["lisa"], clients["omar"]
    goal = new_goal(anna)
    anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 2})
    anna_id = str(people["anna"].id)
    # Private until shared: not even its existence.
    assert _goal_in_preparation(lisa, anna_id, goal["id"]) is None
    shared = anna.post(
        f"/api/v1/entries/{goal['id']}/shares",
        json={"clinician_ids": [str(people["lisa"].id)]},
    )
    assert shared.status_code == 201, shared.text
    seen = _goal_in_preparation(lisa, anna_id, goal["id"])
    assert seen is not None and seen["goal"]["wording_number"] == 1
    assert [r["value"] for r in seen["goal"]["ratings"]] == [2]
    assert "goal_rank" not in seen["goal"] and "version" not in seen["goal"]
    agreed = lisa.post(
        f"/api/v1/entries/{goal['id']}/responses",
        json={"kind": "discussed", "outcome": "partly_agreed", "body": "Start with once a week"},
    )
    assert agreed.status_code == 201, agreed.text
    assert agreed.json()["goal_wording"] == 1
    goal = reword(anna, anna.get(f"/api/v1/entries/{goal['id']}").json(), SECOND)
    anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 5})
    mine = anna.get(f"/api/v1/me/goals/{goal['id']}").json()
    assert [(a["goal_wording"], a["outcome"], a["clinician_name"]) for a in mine["agreements"]] == [
        (1, "partly_agreed", "Lisa")
    ]
    seen = _goal_in_preparation(lisa, anna_id, goal["id"])
    assert [w["body"] for w in seen["goal"]["wordings"]] == [FIRST, SECOND]
    assert [r["value"] for r in seen["goal"]["ratings"]] == [2, 5]
    again = lisa.post(
        f"/api/v1/entries/{goal['id']}/responses", json={"kind": "discussed", "outcome": "agreed"}
    )
    assert again.json()["goal_wording"] == 2
    # Omar, in the same team, was not chosen: nothing.
    assert _goal_in_preparation(omar, anna_id, goal["id"]) is None
    assert (
        omar.post(
            f"/api/v1/entries/{goal['id']}/responses", json={"kind": "discussed", "outcome": "agreed"}
        ).status_code
        == 404
    )
    # A revoke is honoured at once: Lisa no longer sees the goal, its wordings or its ratings.
    share_id = shared.json()[0]["id"]
    assert anna.delete(f"/api/v1/entries/{goal['id']}/shares/{share_id}").status_code == 200
    assert _goal_in_preparation(lisa, anna_id, goal["id"]) is None


def test_my_export_holds_every_wording_and_rating_and_erasure_removes_them(team, db):
    from sqlalchemy import func
    from sqlmodel import select

    from app.models import GoalRating, GoalWording
    from tests.factories import PASSWORD

    _, clients = team
    anna, bram = clients["anna"], clients["bram"]
    goal = new_goal(anna)
    anna.post(f"/api/v1/me/goals/{goal['id']}/ratings", json={"value": 3})
    reword(anna, goal, SECOND)
    bram_goal = new_goal(bram, "Bram's own goal")
    bram.post(f"/api/v1/me/goals/{bram_goal['id']}/ratings", json={"value": 9})
    exported = anna.get("/api/v1/me/export")
    assert exported.status_code == 200
    goals = exported.json()["goals"]
    assert [[w["body"] for w in g["wordings"]] for g in goals] == [[FIRST, SECOND]]
    assert [[r["value"] for r in g["ratings"]] for g in goals] == [[3]]
    assert "Bram's own goal" not in exported.text

    def count(model) -> int:
        db.rollback()
        return db.exec(select(func.count()).select_from(model)).one()

    assert count(GoalWording) == 1 and count(GoalRating) == 2
    erased = anna.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert erased.status_code == 204
    assert count(GoalWording) == 0 and count(GoalRating) == 1  # only Bram's rating stays
