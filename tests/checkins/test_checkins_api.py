"""Check-ins after an appointment (issue 14, item 3) through the API: offered after the
appointment, private until sent, taken back at once, one per appointment, kept once when sent
twice; a drop below the participant's own level is named; a clinician sees only what was sent to
them, with flags computed from what was sent alone; another clinician sees nothing."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.models import Appointment
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import login, make_team, make_user

NOTE = "I did not dare to say the exercises scare me."


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
        "other": make_user(db, Role.clinician, team=make_team(db, "Elsewhere")),
    }
    clients = {}
    for name, user in people.items():
        clients[name] = client_factory()
        login(clients[name], user)
    return people, clients


def appointment(db, people, who: str = "lisa", days_ago: float = 1, participant: str = "anna") -> str:
    """An appointment that already took place (or, with a negative `days_ago`, one to come)."""
    made = Appointment(
        participant_id=people[participant].id,
        clinician_id=people[who].id,
        starts_at=utcnow() - timedelta(days=days_ago),
    )
    db.add(made)
    db.commit()
    return str(made.id)


def check_in(client, appointment_id: str, **values) -> dict:
    response = client.post("/api/v1/me/check-ins", json={"appointment_id": appointment_id, **values})
    assert response.status_code == 201, response.text
    return response.json()


def test_offered_private_sent_and_taken_back(team, db):
    people, clients = team
    anna, lisa = clients["anna"], clients["lisa"]
    first = appointment(db, people, days_ago=2)
    appointment(db, people, days_ago=30)  # too long ago to be offered
    appointment(db, people, days_ago=-2)  # not yet
    due = anna.get("/api/v1/me/check-ins-due").json()
    assert [(d["appointment_id"], d["clinician_name"]) for d in due] == [(first, "Lisa")]

    made = check_in(anna, first, heard=8, goals=7, approach=6, voice=3, note=NOTE)
    assert made["low"] == ["voice"] and made["sent_at"] is None and made["clinician_name"] == "Lisa"
    assert anna.get("/api/v1/me/check-ins-due").json() == []
    sent_to_lisa = f"/api/v1/clinician/participants/{people['anna'].id}/check-ins"
    assert lisa.get(sent_to_lisa).json() == []

    sent = anna.post(f"/api/v1/me/check-ins/{made['id']}/send")
    assert sent.status_code == 200 and sent.json()["sent_at"] is not None
    seen = lisa.get(sent_to_lisa).json()
    assert [(c["voice"], c["note"], c["low"]) for c in seen] == [(3, NOTE, ["voice"])]
    # Another clinician of the team never sees a check-in about Lisa.
    assert clients["omar"].get(sent_to_lisa).json() == []
    taken = anna.post(f"/api/v1/me/check-ins/{made['id']}/unsend")
    assert taken.status_code == 200 and taken.json()["sent_at"] is None
    response = lisa.get(sent_to_lisa)
    assert response.json() == [] and NOTE not in response.text

    # Encrypted at rest.
    db.rollback()
    raw = " ".join(str(row[0]) for row in db.execute(text("SELECT note FROM check_ins")).all())
    assert NOTE not in raw


def test_a_drop_below_my_own_level_is_named(team, db):
    people, clients = team
    anna, lisa = clients["anna"], clients["lisa"]
    made = []
    for days_ago, heard in ((30, 9), (20, 8), (10, 9)):
        made.append(check_in(anna, appointment(db, people, days_ago=days_ago), heard=heard, goals=7))
    # 6 is 3 below the median (9) of the last three: a drop, though not low in itself.
    latest = check_in(anna, appointment(db, people, days_ago=1), heard=6, goals=7)
    assert latest["low"] == ["heard"]
    assert all(c["low"] == [] for c in made)
    # Lisa, sent only the last one, sees no drop: the flag never tells of check-ins not sent.
    anna.post(f"/api/v1/me/check-ins/{latest['id']}/send")
    seen = lisa.get(f"/api/v1/clinician/participants/{people['anna'].id}/check-ins").json()
    assert [c["low"] for c in seen] == [[]]
    # The trend is per clinician: a low score about Omar does not lower Lisa's baseline.
    omar_check_in = check_in(anna, appointment(db, people, who="omar", days_ago=3), heard=9)
    assert omar_check_in["low"] == []


def test_one_per_appointment_kept_once(team, db):
    people, clients = team
    anna = clients["anna"]
    the_appointment = appointment(db, people)
    check_in_id = str(uuid.uuid4())
    body = {"id": check_in_id, "appointment_id": the_appointment, "heard": 7}
    assert anna.post("/api/v1/me/check-ins", json=body).status_code == 201
    again = anna.post("/api/v1/me/check-ins", json=body)
    assert again.status_code == 200 and again.json()["id"] == check_in_id
    clash = anna.post("/api/v1/me/check-ins", json={**body, "heard": 2})
    assert clash.status_code == 409 and clash.json()["code"] == "id_conflict"
    second = anna.post("/api/v1/me/check-ins", json={"appointment_id": the_appointment, "heard": 5})
    assert second.status_code == 409 and second.json()["code"] == "already_checked_in"
    assert anna.delete(f"/api/v1/me/check-ins/{check_in_id}").status_code == 204
    assert anna.get("/api/v1/me/check-ins").json() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, None),  # nothing answered
        ({"heard": 11}, "heard"),
        ({"voice": -1}, "voice"),
        ({"heard": "high"}, "heard"),
        ({"note": "n" * 2001}, "note"),
        ({"heard": 5, "surprise": True}, "surprise"),
    ],
)
def test_bad_check_ins_are_refused(team, db, fields, field):
    people, clients = team
    response = clients["anna"].post(
        "/api/v1/me/check-ins", json={"appointment_id": appointment(db, people), **fields}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    if field:
        assert field in {error["field"] for error in response.json()["errors"]}


def test_only_my_own_past_appointments(team, db):
    people, clients = team
    anna = clients["anna"]
    future = anna.post(
        "/api/v1/me/check-ins", json={"appointment_id": appointment(db, people, days_ago=-1), "heard": 5}
    )
    assert future.status_code == 422
    brams = anna.post(
        "/api/v1/me/check-ins",
        json={"appointment_id": appointment(db, people, participant="bram"), "heard": 5},
    )
    assert brams.status_code == 422
    missing = anna.post("/api/v1/me/check-ins", json={"appointment_id": str(uuid.uuid4()), "heard": 5})
    assert missing.status_code == 422


def test_who_must_not_see_or_touch_a_check_in(team, db):
    people, clients = team
    anna = clients["anna"]
    made = check_in(anna, appointment(db, people), heard=2, note=NOTE)
    anna.post(f"/api/v1/me/check-ins/{made['id']}/send")
    bram = clients["bram"]
    for method, path in [
        ("get", f"/api/v1/me/check-ins/{made['id']}"),
        ("post", f"/api/v1/me/check-ins/{made['id']}/send"),
        ("post", f"/api/v1/me/check-ins/{made['id']}/unsend"),
        ("delete", f"/api/v1/me/check-ins/{made['id']}"),
    ]:
        response = getattr(bram, method)(path)
        assert response.status_code == 404 and NOTE not in response.text
    assert bram.get("/api/v1/me/check-ins").json() == []
    url = f"/api/v1/clinician/participants/{people['anna'].id}/check-ins"
    assert clients["other"].get(url).status_code == 404
    assert anna.get(url).status_code == 403
    assert clients["lisa"].get("/api/v1/me/check-ins").status_code == 403


def test_export_and_erasure(team, db):
    from sqlalchemy import func
    from sqlmodel import select

    from app.models import CheckIn
    from tests.factories import PASSWORD

    people, clients = team
    anna = clients["anna"]
    check_in(anna, appointment(db, people), heard=6, note=NOTE)
    check_in(clients["bram"], appointment(db, people, participant="bram"), heard=9, note="Bram's words")
    exported = anna.get("/api/v1/me/export")
    assert [(c["heard"], c["note"]) for c in exported.json()["check_ins"]] == [(6, NOTE)]
    assert "Bram's words" not in exported.text
    assert (
        anna.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True}).status_code == 204
    )
    db.rollback()
    assert db.exec(select(func.count()).select_from(CheckIn)).one() == 1  # only Bram's
