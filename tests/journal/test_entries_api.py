"""The journal API: private entries, idempotent creates, optimistic edits, the trash."""

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from app.models import Appointment, Entry
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import login, make_team, make_user


@pytest.fixture
def team(db):
    return make_team(db)


@pytest.fixture
def author(db, team):
    return make_user(db, Role.participant, team=team)


@pytest.fixture
def me(client_factory, author):
    client = client_factory()
    login(client, author)
    return client


def new_entry(client, **fields):
    body = {"kind": "thought", "body": "I keep wondering whether the exercises make it worse."}
    body.update(fields)
    response = client.post("/api/v1/entries", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def count_entries(db):
    db.expire_all()
    return db.exec(select(func.count()).select_from(Entry)).one()


# --- create -------------------------------------------------------------------------------


def test_create_entry_with_all_details(me, db, team):
    clinician = make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    response = me.post(
        "/api/v1/entries",
        json={
            "kind": "disagreement",
            "body": "I don't think my pain is 'just stress'.",
            "topic": "cause_of_pain",
            "about_clinician_id": str(clinician.id),
            "importance": "high",
            "raise_next_session": True,
        },
    )
    assert response.status_code == 201
    entry = response.json()
    assert entry["kind"] == "disagreement" and entry["topic"] == "cause_of_pain"
    assert entry["about_clinician_id"] == str(clinician.id)
    assert entry["importance"] == "high" and entry["raise_next_session"] is True
    assert entry["version"] == 1 and entry["deleted_at"] is None
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/v1/entries/{entry['id']}"
    assert response.headers["cache-control"] == "no-store"


def test_feeling_intensity_and_goal_status_defaults(me):
    feeling = new_entry(me, kind="feeling", body="Tired and sore today.", intensity=7)
    assert feeling["intensity"] == 7 and feeling["goal_status"] is None
    goal = new_entry(me, kind="goal", body="Walk to the bakery by myself.")
    assert goal["goal_status"] == "active"


def test_html_and_script_are_stored_exactly_as_typed(me):
    text = "<script>alert('x')</script> & <b>bold</b>\n  indented 😊 \u202eRTL"
    entry = new_entry(me, body=text)
    assert me.get(f"/api/v1/entries/{entry['id']}").json()["body"] == text


def test_windows_line_endings_are_normalised(me):
    entry = new_entry(me, body="line one\r\nline two")
    assert entry["body"] == "line one\nline two"


def test_written_at_from_an_offline_phone_is_kept(me):
    written = (utcnow() - timedelta(hours=5)).replace(microsecond=0)
    entry = new_entry(me, written_at=written.isoformat())
    assert entry["created_at"].startswith(written.strftime("%Y-%m-%dT%H:%M:%S"))


# --- idempotent replay --------------------------------------------------------------------


def test_replayed_create_returns_the_stored_entry_and_makes_one_row(me, db):
    entry_id = str(uuid.uuid4())
    body = {"id": entry_id, "kind": "question", "body": "Why does it hurt more at night?"}
    first = me.post("/api/v1/entries", json=body)
    second = me.post("/api/v1/entries", json=body)
    assert first.status_code == 201 and second.status_code == 200
    assert second.json() == first.json()
    assert count_entries(db) == 1


def test_replay_after_an_edit_still_counts_as_the_same_save(me, db):
    body = {"id": str(uuid.uuid4()), "kind": "thought", "body": "first words"}
    me.post("/api/v1/entries", json=body)
    me.patch(f"/api/v1/entries/{body['id']}", json={"body": "better words"}, headers={"If-Match": '"1"'})
    replay = me.post("/api/v1/entries", json=body)
    assert replay.status_code == 200
    assert replay.json()["body"] == "better words"
    assert count_entries(db) == 1


def test_same_id_with_different_content_is_a_conflict(me, db):
    entry_id = str(uuid.uuid4())
    me.post("/api/v1/entries", json={"id": entry_id, "kind": "thought", "body": "one"})
    response = me.post("/api/v1/entries", json={"id": entry_id, "kind": "thought", "body": "two"})
    assert response.status_code == 409
    assert response.json()["code"] == "id_conflict"
    assert "one" not in response.json()["detail"]
    assert count_entries(db) == 1


def test_someone_elses_id_looks_missing_and_reveals_nothing(me, client_factory, db, team):
    """Every route answers "not yours" like "missing" (404); this one said 409 `id_in_use`."""
    entry_id = str(uuid.uuid4())
    me.post("/api/v1/entries", json={"id": entry_id, "kind": "thought", "body": "private words here"})
    other = client_factory()
    login(other, make_user(db, Role.participant, team=team))
    response = other.post(
        "/api/v1/entries", json={"id": entry_id, "kind": "thought", "body": "private words here"}
    )
    assert response.status_code == 404
    missing = other.get(f"/api/v1/entries/{uuid.uuid4()}")
    assert response.json() == missing.json()
    assert "private words" not in response.text
    assert count_entries(db) == 1


def test_concurrent_replays_make_one_row(client_factory, author, db):
    body = {
        "id": str(uuid.uuid4()),
        "kind": "feeling",
        "body": "Sent twice from a bad connection",
        "intensity": 4,
    }
    clients = []
    for _ in range(4):
        client = client_factory()
        login(client, author)
        clients.append(client)
    statuses: list[int] = []

    def send(client):
        statuses.append(client.post("/api/v1/entries", json=body).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert count_entries(db) == 1


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "thought", "body": ""}, "body"),
        ({"kind": "thought", "body": "   \n\t "}, "body"),
        ({"kind": "thought", "body": "x" * 5001}, "body"),
        ({"kind": "rant", "body": "hello"}, "kind"),
        ({"kind": "thought", "body": "hello", "topic": "weather"}, "topic"),
        ({"kind": "thought", "body": "hello", "id": "not-a-uuid"}, "id"),
        ({"kind": "thought", "body": "hello", "intensity": 5}, "intensity"),
        ({"kind": "feeling", "body": "hello", "intensity": 11}, "intensity"),
        ({"kind": "feeling", "body": "hello", "intensity": -1}, "intensity"),
        ({"kind": "thought", "body": "hello", "goal_status": "achieved"}, "goal_status"),
        ({"kind": "thought", "body": "hello", "importance": "urgent"}, "importance"),
        ({"kind": "thought", "body": "hello\x00there"}, "body"),
        ({"kind": "thought", "body": "hello", "mood": "grey"}, "mood"),
        ({"kind": "thought", "body": 42}, "body"),
        ({"kind": "thought"}, "body"),
        ({"kind": "thought", "body": "hello", "written_at": "2999-01-01T00:00:00Z"}, "written_at"),
        ({"kind": "thought", "body": "hello", "written_at": "2024-01-01T00:00:00"}, "written_at"),
        (
            {
                "kind": "thought",
                "body": "hello",
                "about_discipline": "nurse",
                "about_clinician_id": str(uuid.uuid4()),
            },
            "about_clinician_id",
        ),
    ],
)
def test_bad_input_is_a_clear_422_that_saves_nothing(me, db, body, field):
    response = me.post("/api/v1/entries", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in [error["field"] for error in problem["errors"]]
    assert all(error["message"] for error in problem["errors"])
    assert "hello" not in response.text
    assert count_entries(db) == 0


def test_too_long_body_says_how_long(me):
    response = me.post("/api/v1/entries", json={"kind": "thought", "body": "y" * 5001})
    assert "5001" in response.json()["errors"][0]["message"]


def test_exactly_5000_characters_of_any_unicode_fit(me):
    entry = new_entry(me, body="🙂" * 5000)
    assert len(entry["body"]) == 5000


def test_about_must_be_a_clinician_of_my_own_team(me, db, team):
    other_team_clinician = make_user(db, Role.clinician, team=make_team(db))
    fellow_participant = make_user(db, Role.participant, team=team)
    for person in (other_team_clinician, fellow_participant):
        response = me.post(
            "/api/v1/entries",
            json={"kind": "thought", "body": "about someone", "about_clinician_id": str(person.id)},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "about_clinician_id"


def _appointment(db, participant, clinician):
    made = Appointment(participant_id=participant.id, clinician_id=clinician.id, starts_at=utcnow())
    db.add(made)
    db.commit()
    return str(made.id)


def test_an_entry_about_my_own_appointment(me, db, team, author):
    clinician = make_user(db, Role.clinician, team=team)
    appointment = _appointment(db, author, clinician)
    entry = new_entry(me, id=str(uuid.uuid4()), appointment_id=appointment)
    assert entry["appointment_id"] == appointment
    assert me.get(f"/api/v1/entries/{entry['id']}").json()["appointment_id"] == appointment
    assert new_entry(me)["appointment_id"] is None
    # A replay compares it like every other field.
    body = {"id": entry["id"], "kind": "thought", "body": entry["body"]}
    assert me.post("/api/v1/entries", json={**body, "appointment_id": appointment}).status_code == 200
    conflict = me.post("/api/v1/entries", json=body)
    assert conflict.status_code == 409 and conflict.json()["code"] == "id_conflict"
    # An edit keeps the link; it is not an editable field.
    edited = me.patch(f"/api/v1/entries/{entry['id']}", json={"body": "new"}, headers={"If-Match": '"1"'})
    assert edited.json()["appointment_id"] == appointment
    refused = me.patch(
        f"/api/v1/entries/{entry['id']}", json={"appointment_id": None}, headers={"If-Match": '"2"'}
    )
    assert refused.status_code == 422


def test_an_entry_about_someone_elses_or_a_missing_appointment_is_refused(me, db, team):
    clinician = make_user(db, Role.clinician, team=team)
    fellow = make_user(db, Role.participant, team=team)
    for appointment in (_appointment(db, fellow, clinician), str(uuid.uuid4())):
        response = me.post(
            "/api/v1/entries", json={"kind": "thought", "body": "about it", "appointment_id": appointment}
        )
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["field"] == "appointment_id"
        assert error["message"] == "This appointment does not exist, or it is not yours."
    assert count_entries(db) == 0


def test_errors_in_dutch_for_a_dutch_participant(client_factory, db, team):
    client = client_factory()
    login(client, make_user(db, Role.participant, team=team, locale="nl"))
    response = client.post("/api/v1/entries", json={"kind": "thought", "body": "  "})
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] != "Write something first. Even a few words are enough."


# --- privacy ------------------------------------------------------------------------------


def test_other_people_get_404_exactly_like_a_missing_entry(me, client_factory, db, team):
    entry = new_entry(me, body="only mine")
    other = client_factory()
    login(other, make_user(db, Role.participant, team=team))
    missing_id = uuid.uuid4()
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"body": "hijacked", "version": 1}),
        ("DELETE", "", None),
        ("POST", "/restore", None),
    ]:
        theirs = other.request(method, f"/api/v1/entries/{entry['id']}{suffix}", json=body)
        missing = other.request(method, f"/api/v1/entries/{missing_id}{suffix}", json=body)
        assert theirs.status_code == missing.status_code == 404, (method, suffix)
        assert theirs.json() == missing.json()
    assert other.get("/api/v1/entries").json() == {"items": [], "next_cursor": None}
    assert other.get("/api/v1/entries", params={"q": "only mine"}).json()["items"] == []
    assert me.get(f"/api/v1/entries/{entry['id']}").json()["body"] == "only mine"
    assert me.get(f"/api/v1/entries/{entry['id']}").json()["version"] == 1


@pytest.mark.parametrize("role", [Role.clinician, Role.admin])
def test_clinicians_and_admins_cannot_use_the_journal_api(me, client_factory, db, team, role):
    entry = new_entry(me, body="not for the team yet")
    staff = client_factory()
    login(staff, make_user(db, role, team=team if role == Role.clinician else None))
    assert staff.get("/api/v1/entries").status_code == 403
    assert staff.get(f"/api/v1/entries/{entry['id']}").status_code == 403
    assert staff.post("/api/v1/entries", json={"kind": "thought", "body": "x"}).status_code == 403
    assert "not for the team" not in staff.get(f"/api/v1/entries/{entry['id']}").text


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/entries").status_code == 401
    assert client.post("/api/v1/entries", json={"kind": "thought", "body": "x"}).status_code == 401


# --- list ---------------------------------------------------------------------------------


def test_list_is_newest_first_with_cursor_pages(me):
    base = utcnow() - timedelta(days=1)
    ids = [
        new_entry(me, body=f"entry {i}", written_at=(base + timedelta(minutes=i)).isoformat())["id"]
        for i in range(7)
    ]
    seen = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = me.get("/api/v1/entries", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_same_timestamp_entries_are_paged_without_loss(me):
    moment = (utcnow() - timedelta(hours=1)).isoformat()
    ids = {new_entry(me, body=f"same moment {i}", written_at=moment)["id"] for i in range(5)}
    first = me.get("/api/v1/entries", params={"limit": 2}).json()
    second = me.get("/api/v1/entries", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = me.get("/api/v1/entries", params={"limit": 2, "cursor": second["next_cursor"]}).json()
    got = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert len(got) == 5 and set(got) == ids
    assert third["next_cursor"] is None


def test_filters(me):
    new_entry(me, kind="question", body="Is swimming allowed?", topic="exercises", raise_next_session=True)
    new_entry(me, kind="question", body="What is the plan after week 6?", topic="treatment_plan")
    new_entry(me, kind="feeling", body="Verdrietig en MOE vandaag", intensity=6)

    def bodies(**params):
        return sorted(item["body"] for item in me.get("/api/v1/entries", params=params).json()["items"])

    assert bodies(kind="question") == ["Is swimming allowed?", "What is the plan after week 6?"]
    assert bodies(topic="exercises") == ["Is swimming allowed?"]
    assert bodies(flagged="true") == ["Is swimming allowed?"]
    assert len(bodies(flagged="false")) == 2
    assert bodies(q="moe") == ["Verdrietig en MOE vandaag"]
    assert bodies(q="PLAN", kind="question") == ["What is the plan after week 6?"]
    assert bodies(q="100%") == []


def test_search_folds_unicode_case(me):
    new_entry(me, body="Ik voel me ÉÉN met de pijn; Straße")
    assert len(me.get("/api/v1/entries", params={"q": "één"}).json()["items"]) == 1
    assert len(me.get("/api/v1/entries", params={"q": "STRASSE"}).json()["items"]) == 1


def test_search_pages_through_many_entries(me, db, author):
    for i in range(620):
        db.add(Entry(author_id=author.id, kind="thought", body=f"filler {i}", create_digest="x" * 64,
                     created_at=utcnow() - timedelta(minutes=i)))  # fmt: skip
    db.add(Entry(author_id=author.id, kind="thought", body="the needle", create_digest="x" * 64,
                 created_at=utcnow() - timedelta(days=3)))  # fmt: skip
    db.commit()
    found = me.get("/api/v1/entries", params={"q": "needle"}).json()
    assert [item["body"] for item in found["items"]] == ["the needle"]
    page = me.get("/api/v1/entries", params={"q": "filler", "limit": 100}).json()
    assert len(page["items"]) == 100 and page["next_cursor"]


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "rant"},
        {"topic": "x"},
        {"limit": 0},
        {"limit": 101},
        {"cursor": "!!!"},
        {"flagged": "perhaps"},
    ],
)
def test_list_bad_parameters(me, params):
    response = me.get("/api/v1/entries", params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in params


# --- edit ---------------------------------------------------------------------------------


def test_edit_with_if_match_bumps_the_version(me):
    entry = new_entry(me)
    response = me.patch(
        f"/api/v1/entries/{entry['id']}",
        json={"body": "Clearer now.", "importance": "high"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["body"] == "Clearer now."
    assert response.headers["etag"] == '"2"'
    assert response.json()["kind"] == "thought"


def test_stale_if_match_gets_412_with_the_current_entry(me):
    entry = new_entry(me)
    me.patch(f"/api/v1/entries/{entry['id']}", json={"body": "phone edit"}, headers={"If-Match": '"1"'})
    stale = me.patch(
        f"/api/v1/entries/{entry['id']}", json={"body": "laptop edit"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["body"] == "phone edit"
    assert stale.json()["current"]["version"] == 2
    assert stale.headers["etag"] == '"2"'
    assert me.get(f"/api/v1/entries/{entry['id']}").json()["body"] == "phone edit"


def test_edit_without_a_version_is_refused(me):
    entry = new_entry(me)
    response = me.patch(f"/api/v1/entries/{entry['id']}", json={"body": "blind overwrite"})
    assert response.status_code == 428
    assert me.patch(f"/api/v1/entries/{entry['id']}", json={"body": "ok", "version": 1}).status_code == 200


def test_two_concurrent_edits_one_wins_the_other_gets_412(client_factory, author):
    phone, laptop = client_factory(), client_factory()
    login(phone, author)
    login(laptop, author)
    entry = new_entry(phone)
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def edit(name, client):
        barrier.wait()
        results[name] = client.patch(
            f"/api/v1/entries/{entry['id']}", json={"body": f"edited on {name}"}, headers={"If-Match": '"1"'}
        )

    threads = [threading.Thread(target=edit, args=pair) for pair in (("phone", phone), ("laptop", laptop))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results.values())  # type: ignore[attr-defined]
    assert statuses == [200, 412]
    winner = next(name for name, r in results.items() if r.status_code == 200)  # type: ignore[attr-defined]
    loser = next(r for r in results.values() if r.status_code == 412)  # type: ignore[attr-defined]
    assert loser.json()["current"]["body"] == f"edited on {winner}"
    final = phone.get(f"/api/v1/entries/{entry['id']}").json()
    assert final["body"] == f"edited on {winner}" and final["version"] == 2


def test_changing_kind_clears_fields_that_no_longer_fit(me):
    feeling = new_entry(me, kind="feeling", body="heavy", intensity=8)
    response = me.patch(f"/api/v1/entries/{feeling['id']}", json={"kind": "goal", "version": 1})
    assert response.status_code == 200
    assert response.json()["intensity"] is None and response.json()["goal_status"] == "active"


@pytest.mark.parametrize(
    ("patch", "headers", "status"),
    [
        ({"body": ""}, {"If-Match": '"1"'}, 422),
        ({"body": "z" * 5001}, {"If-Match": '"1"'}, 422),
        ({"kind": None}, {"If-Match": '"1"'}, 422),
        ({"kind": "nonsense"}, {"If-Match": '"1"'}, 422),
        ({"intensity": 3}, {"If-Match": '"1"'}, 422),
        ({"author_id": str(uuid.uuid4())}, {"If-Match": '"1"'}, 422),
        ({"body": "fine"}, {"If-Match": "yesterday"}, 422),
    ],
)
def test_edit_bad_input(me, patch, headers, status):
    entry = new_entry(me)
    response = me.patch(f"/api/v1/entries/{entry['id']}", json=patch, headers=headers)
    assert response.status_code == status, response.text
    assert me.get(f"/api/v1/entries/{entry['id']}").json()["version"] == 1


def test_malformed_entry_id(me):
    assert me.get("/api/v1/entries/12345").status_code == 422
    assert me.get("/api/v1/entries/12345").json()["errors"][0]["field"] == "entry_id"


# --- trash --------------------------------------------------------------------------------


def test_delete_moves_to_trash_and_restore_brings_it_back(me):
    entry = new_entry(me, body="maybe later")
    deleted = me.delete(f"/api/v1/entries/{entry['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["deleted_at"] is not None and deleted.json()["purge_at"] is not None
    assert me.get("/api/v1/entries").json()["items"] == []
    trash = me.get("/api/v1/entries", params={"trash": "true"}).json()["items"]
    assert [item["id"] for item in trash] == [entry["id"]]
    edit = me.patch(f"/api/v1/entries/{entry['id']}", json={"body": "x", "version": 2})
    assert edit.status_code == 409
    restored = me.post(f"/api/v1/entries/{entry['id']}/restore")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
    assert [item["id"] for item in me.get("/api/v1/entries").json()["items"]] == [entry["id"]]


def test_after_30_days_in_the_trash_an_entry_is_gone(me, db):
    from app.db import open_session
    from app.journal.service import purge_trash

    entry = new_entry(me, body="old and deleted")
    me.delete(f"/api/v1/entries/{entry['id']}")
    with open_session() as session:
        session.execute(
            update(Entry)
            .where(col(Entry.id) == uuid.UUID(entry["id"]))
            .values(deleted_at=utcnow() - timedelta(days=31))
        )
        session.commit()
    assert me.post(f"/api/v1/entries/{entry['id']}/restore").status_code == 404
    assert me.get(f"/api/v1/entries/{entry['id']}").status_code == 404
    assert me.get("/api/v1/entries", params={"trash": "true"}).json()["items"] == []
    with open_session() as session:
        assert purge_trash(session) == 1
        session.commit()
    assert count_entries(db) == 0
