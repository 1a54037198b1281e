"""Dates a person gives are bounded, pages show any stored date, and appointments can be
cancelled, are limited in number, and never hide each other: issue 12, item 2 (both databases)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from app.models import AgendaItem, Appointment, Entry, User
from app.models.enums import Role
from app.models.types import utcnow
from app.sharing.service import MAX_FUTURE_APPOINTMENTS
from tests.factories import login, make_team, make_user

YEAR_9999 = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
YEAR_1 = datetime(1, 1, 1, 0, 0, 0, tzinfo=UTC)
FAR_EAST, FAR_WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # +14:00, -11:00


@pytest.fixture
def pair(db: Session, client_factory: Any) -> dict[str, Any]:
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team)
    other = make_user(db, Role.participant, team=team)
    clients = {}
    for name, user in (("participant", participant), ("clinician", clinician), ("other", other)):
        clients[name] = client_factory()
        login(clients[name], user)
    return {"participant": participant, "clinician": clinician, "other": other, "clients": clients}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _book(pair: dict[str, Any], starts_at: str, by: str = "clinician", **extra: Any) -> Any:
    body = {"starts_at": starts_at}
    if by == "clinician":
        body["participant_id"] = str(pair["participant"].id)
    else:
        body["clinician_id"] = str(pair["clinician"].id)
    return pair["clients"][by].post("/api/v1/appointments", json=body | extra)


@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+14:00",
        _iso(utcnow() - timedelta(days=2)),
        _iso(utcnow() + timedelta(days=3 * 365)),
    ],
)
def test_an_appointment_date_out_of_bounds_is_refused_naming_the_field(pair, starts_at):
    response = _book(pair, starts_at)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["starts_at"]


def test_an_appointment_within_bounds_is_booked(pair):
    assert _book(pair, _iso(utcnow() + timedelta(days=700))).status_code == 201
    assert _book(pair, _iso(utcnow() - timedelta(hours=20))).status_code == 201


@pytest.mark.parametrize(
    "written_at",
    [
        "0001-01-01T00:00:00+14:00",
        "1999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-05:00",
        _iso(utcnow() + timedelta(hours=1)),
    ],
)
def test_an_entry_date_out_of_bounds_is_refused_naming_the_field(pair, written_at):
    response = pair["clients"]["participant"].post(
        "/api/v1/entries", json={"kind": "thought", "body": "when?", "written_at": written_at}
    )
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["written_at"]


def test_an_entry_from_2000_on_is_kept(pair):
    response = pair["clients"]["participant"].post(
        "/api/v1/entries", json={"kind": "thought", "body": "long ago", "written_at": "2000-01-02T00:00:00Z"}
    )
    assert response.status_code == 201, response.text


def _set_zone(db: Session, users: list[User], zone: str) -> None:
    for user in users:
        db.execute(update(User).where(User.id == user.id).values(time_zone=zone))  # type: ignore[arg-type]
    db.commit()


@pytest.mark.parametrize("zone", [FAR_EAST, FAR_WEST])
def test_every_page_shows_any_stored_date(pair, db, zone):
    """Rows from before the bounds (or written by other means) still show, in any time zone."""
    participant, clinician = pair["participant"], pair["clinician"]
    p_client, c_client = pair["clients"]["participant"], pair["clients"]["clinician"]
    created = p_client.post("/api/v1/entries", json={"kind": "question", "body": "very old words"})
    assert created.status_code == 201
    entry_id = created.json()["id"]
    assert (
        p_client.post("/api/v1/shares", json={"entry_ids": [entry_id], "audience": "team"}).status_code == 201
    )
    db.execute(
        update(Entry).where(Entry.id == uuid.UUID(entry_id)).values(created_at=YEAR_1)  # type: ignore[arg-type]
    )
    for moment in (YEAR_9999, YEAR_1):
        db.add(Appointment(participant_id=participant.id, clinician_id=clinician.id, starts_at=moment))
    db.commit()
    _set_zone(db, [participant, clinician], zone)
    for client, path in [
        (c_client, "/"),
        (c_client, "/clinician"),
        (c_client, f"/clinician/participants/{participant.id}"),
        (c_client, "/api/v1/appointments?include_past=true"),
        (c_client, "/api/v1/clinician/participants"),
        (p_client, "/"),
        (p_client, "/appointments"),
        (p_client, "/journal"),
        (p_client, f"/entries/{entry_id}"),
        (p_client, "/api/v1/appointments?include_past=true"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, (zone, path, response.status_code)


def test_either_side_cancels_an_appointment_and_its_agenda(pair, db):
    p_client, c_client, other = (pair["clients"][name] for name in ("participant", "clinician", "other"))
    entry = p_client.post("/api/v1/entries", json={"kind": "question", "body": "to discuss"}).json()
    p_client.post("/api/v1/shares", json={"entry_ids": [entry["id"]], "audience": "team"})
    first = _book(pair, _iso(utcnow() + timedelta(days=2))).json()["id"]
    second = _book(pair, _iso(utcnow() + timedelta(days=9)), by="participant").json()["id"]
    assert (
        p_client.put(f"/api/v1/appointments/{first}/agenda", json={"entry_ids": [entry["id"]]}).status_code
        == 200
    )

    # someone else's appointment looks missing, to another participant and to a stranger alike
    assert other.delete(f"/api/v1/appointments/{first}").status_code == 404
    assert c_client.delete("/api/v1/appointments/not-an-id").status_code in {404, 422}

    assert c_client.delete(f"/api/v1/appointments/{first}").status_code == 204
    assert p_client.delete(f"/api/v1/appointments/{second}").status_code == 204
    assert p_client.delete(f"/api/v1/appointments/{second}").status_code == 404
    assert p_client.get("/api/v1/appointments").json() == []
    assert c_client.get("/api/v1/appointments").json() == []
    assert db.exec(select(AgendaItem)).all() == []
    db.commit()


def test_a_participant_has_a_limited_number_of_future_appointments(pair):
    for day in range(MAX_FUTURE_APPOINTMENTS):
        assert _book(pair, _iso(utcnow() + timedelta(days=day + 1))).status_code == 201
    refused = _book(pair, _iso(utcnow() + timedelta(days=40)), by="participant")
    assert refused.status_code == 409
    assert refused.json()["code"] == "too_many_appointments"
    first = pair["clients"]["participant"].get("/api/v1/appointments").json()[0]["id"]
    assert pair["clients"]["participant"].delete(f"/api/v1/appointments/{first}").status_code == 204
    assert _book(pair, _iso(utcnow() + timedelta(days=40))).status_code == 201


def test_the_next_appointment_is_found_for_each_participant(pair, db):
    """Many appointments with one participant (planted past the limit) hide nobody else's."""
    participant, clinician, other = pair["participant"], pair["clinician"], pair["other"]
    start = utcnow() + timedelta(days=1)
    for number in range(300):
        db.add(
            Appointment(
                participant_id=participant.id,
                clinician_id=clinician.id,
                starts_at=start + timedelta(minutes=number),
            )
        )
    later = start + timedelta(days=30)
    db.add(Appointment(participant_id=other.id, clinician_id=clinician.id, starts_at=later))
    db.commit()
    listed = pair["clients"]["clinician"].get("/api/v1/clinician/participants").json()
    nexts = {row["id"]: row["next_appointment"] for row in listed}
    assert nexts[str(other.id)] is not None
    assert datetime.fromisoformat(nexts[str(other.id)]) == later
    assert datetime.fromisoformat(nexts[str(participant.id)]) == start
