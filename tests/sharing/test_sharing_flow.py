"""Sharing, revoking, responding, appointments and agendas: the flow and its refusals."""

import uuid

import pytest

from app.models.enums import Role
from tests.factories import login, make_team, make_user
from tests.sharing.conftest import in_future


def test_share_history_includes_revoked(world):
    owner = world.clients["owner"]
    history = owner.get(f"/api/v1/entries/{world.entry_id('revoked')}/shares").json()
    assert len(history) == 1
    assert history[0]["revoked_at"] is not None
    assert history[0]["clinician_discipline"] == "psychologist"


def test_sharing_twice_changes_nothing(world):
    owner = world.clients["owner"]
    url = f"/api/v1/entries/{world.entry_id('team')}/shares"
    again = owner.post(url, json={"audience": "team"})
    assert again.status_code == 201
    assert len(owner.get(url).json()) == 1


def test_bulk_share_before_an_appointment(world):
    owner, physio = world.clients["owner"], world.clients["physio"]
    one = owner.post("/api/v1/entries", json={"kind": "question", "body": "Heat or ice?"}).json()
    two = owner.post("/api/v1/entries", json={"kind": "thought", "body": "Stairs went better."}).json()
    response = owner.post(
        "/api/v1/shares",
        json={"entry_ids": [one["id"], two["id"]], "clinician_ids": [str(world.users["physio"].id)]},
    )
    assert response.status_code == 201
    assert len(response.json()) == 2
    prep = physio.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries").json()
    assert {item["body"] for item in prep["questions"]} >= {"Heat or ice?"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"audience": "team", "clinician_ids": []}, 422),
        ({"clinician_ids": []}, 422),
        ({"audience": "everyone"}, 422),
        ({"clinician_ids": ["not-a-uuid"]}, 422),
        ({"clinician_ids": ["OUTSIDER"]}, 422),
        ({"clinician_ids": ["OWNER"]}, 422),
        ({"clinician_ids": ["FELLOW"]}, 422),
        ({"clinician_ids": [str(uuid.UUID(int=1))]}, 422),
    ],
)
def test_share_bad_input_changes_nothing(world, body, status):
    owner = world.clients["owner"]
    ids = {"OUTSIDER": "outsider", "OWNER": "owner", "FELLOW": "fellow"}
    if "clinician_ids" in body:
        body = {
            **body,
            "clinician_ids": [str(world.users[ids[v]].id) if v in ids else v for v in body["clinician_ids"]],
        }
    url = f"/api/v1/entries/{world.entry_id('private')}/shares"
    response = owner.post(url, json=body)
    assert response.status_code == status, response.text
    assert owner.get(url).json() == []


def test_sharing_a_deleted_or_foreign_entry_is_refused(world):
    owner, fellow = world.clients["owner"], world.clients["fellow"]
    deleted = owner.post(f"/api/v1/entries/{world.entry_id('deleted')}/shares", json={"audience": "team"})
    assert deleted.status_code == 409
    foreign = fellow.post(f"/api/v1/entries/{world.entry_id('private')}/shares", json={"audience": "team"})
    assert foreign.status_code == 404
    assert (
        world.clients["physio"]
        .post(f"/api/v1/entries/{world.entry_id('private')}/shares", json={"audience": "team"})
        .status_code
        == 403
    )
    assert owner.get(f"/api/v1/entries/{world.entry_id('private')}/shares").json() == []


def test_revoke_someone_elses_share_is_404(world):
    owner, fellow = world.clients["owner"], world.clients["fellow"]
    share_id = owner.get(f"/api/v1/entries/{world.entry_id('team')}/shares").json()[0]["id"]
    assert fellow.delete(f"/api/v1/entries/{world.entry_id('team')}/shares/{share_id}").status_code == 404
    assert owner.delete(f"/api/v1/entries/{world.entry_id('private')}/shares/{share_id}").status_code == 404
    assert owner.get(f"/api/v1/entries/{world.entry_id('team')}/shares").json()[0]["revoked_at"] is None


def test_edit_after_sharing_is_marked_and_counts_as_new(world):
    owner, physio = world.clients["owner"], world.clients["physio"]
    owner_id = world.users["owner"].id
    url = f"/api/v1/clinician/participants/{owner_id}/entries"
    first = physio.get(url).json()["questions"][0]
    assert first["edited_after_sharing"] is False
    assert first["is_new"] is True
    second = physio.get(url).json()["questions"][0]
    assert second["is_new"] is False
    owner.patch(
        f"/api/v1/entries/{world.entry_id('team')}", json={"body": "May I swim twice a week?", "version": 1}
    )
    third = physio.get(url).json()["questions"][0]
    assert third["body"] == "May I swim twice a week?"
    assert third["edited_after_sharing"] is True
    assert third["is_new"] is True
    assert physio.get(url, params={"new": "true"}).json()["questions"] == []


def test_reads_are_recorded_for_the_participant(world):
    owner, psych = world.clients["owner"], world.clients["psych"]
    psych.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries")
    log = owner.get("/api/v1/me/access-log").json()
    assert {item["entry_id"] for item in log} == {world.entry_id("team"), world.entry_id("psych_only")}
    assert {item["clinician_discipline"] for item in log} == {"psychologist"}
    assert world.clients["psych"].get("/api/v1/me/access-log").status_code == 403
    assert world.clients["fellow"].get("/api/v1/me/access-log").json() == []


def test_responses_close_the_loop(world):
    owner, psych, physio = world.clients["owner"], world.clients["psych"], world.clients["physio"]
    team_entry = world.entry_id("team")
    assert psych.post(f"/api/v1/entries/{team_entry}/responses", json={"kind": "seen"}).status_code == 201
    reply = psych.post(
        f"/api/v1/entries/{team_entry}/responses", json={"kind": "reply", "body": "Yes, swimming is fine."}
    )
    assert reply.status_code == 201
    listed = owner.get(f"/api/v1/entries/{team_entry}/responses").json()
    assert [item["kind"] for item in listed] == ["seen", "reply"]
    assert listed[1]["clinician_discipline"] == "psychologist"
    colleague_view = physio.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries").json()
    assert [r["body"] for r in colleague_view["questions"][0]["responses"]] == [
        None,
        "Yes, swimming is fine.",
    ]


def test_discussed_outcome_and_the_participants_last_word(world):
    owner, physio = world.clients["owner"], world.clients["physio"]
    disagreement = owner.post(
        "/api/v1/entries",
        json={"kind": "disagreement", "body": "I think the plan goes too fast.", "topic": "treatment_plan"},
    ).json()
    owner.post(f"/api/v1/entries/{disagreement['id']}/shares", json={"audience": "team"})
    no_outcome = physio.post(f"/api/v1/entries/{disagreement['id']}/responses", json={"kind": "discussed"})
    assert no_outcome.status_code == 422
    response = physio.post(
        f"/api/v1/entries/{disagreement['id']}/responses",
        json={"kind": "discussed", "outcome": "partly_agreed", "body": "We slow down the walking plan."},
    )
    assert response.status_code == 201
    view = owner.post(
        f"/api/v1/entries/{disagreement['id']}/responses/{response.json()['id']}/view",
        json={"view": "differs", "note": "The exercises are still too much."},
    )
    assert view.status_code == 200
    prep = physio.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries").json()
    item = next(i for i in prep["disagreements"] if i["id"] == disagreement["id"])
    assert item["agreement"] == "partly_agreed"
    assert item["participant_view"] == "differs"
    assert (
        physio.post(
            f"/api/v1/entries/{disagreement['id']}/responses/{response.json()['id']}/view",
            json={"view": "matches"},
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "reply"}, "body"),
        ({"kind": "reply", "body": "   "}, "body"),
        ({"kind": "seen", "body": "hello"}, "body"),
        ({"kind": "reply", "body": "ok", "outcome": "agreed"}, "outcome"),
        ({"kind": "discussed", "outcome": "agreed"}, "outcome"),
        ({"kind": "applause"}, "kind"),
        ({"kind": "reply", "body": "x" * 4001}, "body"),
    ],
)
def test_response_bad_input(world, body, field):
    psych = world.clients["psych"]
    response = psych.post(f"/api/v1/entries/{world.entry_id('team')}/responses", json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert world.clients["owner"].get(f"/api/v1/entries/{world.entry_id('team')}/responses").json() == []


def test_appointments_by_either_side(world):
    owner, psych = world.clients["owner"], world.clients["psych"]
    by_participant = owner.post(
        "/api/v1/appointments",
        json={"clinician_id": str(world.users["physio"].id), "starts_at": in_future(48)},
    )
    assert by_participant.status_code == 201
    by_clinician = psych.post(
        "/api/v1/appointments",
        json={"participant_id": str(world.users["owner"].id), "starts_at": in_future(24)},
    )
    assert by_clinician.status_code == 201
    mine = owner.get("/api/v1/appointments").json()
    assert [a["clinician_discipline"] for a in mine] == ["psychologist", "physiotherapist"]
    assert [a["participant_name"] for a in psych.get("/api/v1/appointments").json()] == ["Anna"]
    assert world.clients["physician"].get("/api/v1/appointments").json() == []
    appointment_id = by_clinician.json()["id"]
    assert world.clients["physician"].get(f"/api/v1/appointments/{appointment_id}").status_code == 404
    assert world.clients["fellow"].get(f"/api/v1/appointments/{appointment_id}").status_code == 404
    dashboard = {row["id"]: row for row in psych.get("/api/v1/clinician/participants").json()}
    assert dashboard[str(world.users["owner"].id)]["next_appointment"] is not None


@pytest.mark.parametrize(
    ("who", "body", "field"),
    [
        ("owner", {"starts_at": "TOMORROW"}, "clinician_id"),
        ("owner", {"clinician_id": "OUTSIDER", "starts_at": "TOMORROW"}, "clinician_id"),
        ("owner", {"clinician_id": "PSYCH", "starts_at": "2020-01-01T10:00:00+00:00"}, "starts_at"),
        ("owner", {"clinician_id": "PSYCH", "starts_at": "2030-01-01T10:00:00"}, "starts_at"),
        (
            "owner",
            {"clinician_id": "PSYCH", "participant_id": "FELLOW", "starts_at": "TOMORROW"},
            "participant_id",
        ),
        ("psych", {"starts_at": "TOMORROW"}, "participant_id"),
        ("outsider", {"participant_id": "OWNER", "starts_at": "TOMORROW"}, "participant_id"),
    ],
)
def test_appointment_bad_input(world, who, body, field):
    names = {"OUTSIDER": "outsider", "PSYCH": "psych", "FELLOW": "fellow", "OWNER": "owner"}
    resolved = {
        key: (
            str(world.users[names[value]].id)
            if value in names
            else in_future()
            if value == "TOMORROW"
            else value
        )
        for key, value in body.items()
    }
    response = world.clients[who].post("/api/v1/appointments", json=resolved)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_admin_cannot_plan_appointments(world):
    response = world.clients["admin"].post("/api/v1/appointments", json={"starts_at": in_future()})
    assert response.status_code == 403


def test_agenda_accepts_only_entries_visible_to_that_clinician(world):
    owner, physio = world.clients["owner"], world.clients["physio"]
    appointment = physio.post(
        "/api/v1/appointments",
        json={"participant_id": str(world.users["owner"].id), "starts_at": in_future()},
    ).json()
    url = f"/api/v1/appointments/{appointment['id']}/agenda"
    for entry in ("psych_only", "private", "revoked", "deleted"):
        refused = owner.put(url, json={"entry_ids": [world.entry_id(entry)]})
        assert refused.status_code == 422, entry
    assert owner.put(url, json={"entry_ids": [world.entry_id("team")] * 2}).status_code == 422
    assert (
        owner.put(
            url, json={"entry_ids": [world.entry_id("team")], "important_ids": [world.entry_id("private")]}
        ).status_code
        == 422
    )
    assert physio.put(url, json={"entry_ids": [world.entry_id("team")]}).status_code == 403
    ok = owner.put(
        url, json={"entry_ids": [world.entry_id("team")], "important_ids": [world.entry_id("team")]}
    )
    assert ok.status_code == 200
    assert ok.json()["agenda"] == [{"entry_id": world.entry_id("team"), "position": 1, "important": True}]
    prep = physio.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries").json()
    assert [item["id"] for item in prep["agenda"]] == [world.entry_id("team")]
    assert prep["questions"] == []


def test_preparation_order_and_filters(world):
    owner, psych = world.clients["owner"], world.clients["psych"]
    for kind, body in [
        ("disagreement", "Not just stress"),
        ("goal", "Cycle to work"),
        ("thought", "A calm day"),
    ]:
        entry = owner.post("/api/v1/entries", json={"kind": kind, "body": body}).json()
        owner.post(f"/api/v1/entries/{entry['id']}/shares", json={"audience": "team"})
    prep = psych.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries").json()
    assert list(prep) == [
        "participant", "next_appointment", "agenda", "disagreements", "questions", "goals", "thoughts_and_feelings",
    ]  # fmt: skip
    assert [i["body"] for i in prep["disagreements"]] == ["Not just stress"]
    assert [i["body"] for i in prep["goals"]] == ["Cycle to work"]
    assert {i["body"] for i in prep["thoughts_and_feelings"]} == {"A calm day", "Only for the psychologist"}
    only_goals = psych.get(
        f"/api/v1/clinician/participants/{world.users['owner'].id}/entries", params={"kind": "goal"}
    ).json()
    assert only_goals["questions"] == [] and len(only_goals["goals"]) == 1
    assert (
        psych.get(
            f"/api/v1/clinician/participants/{world.users['owner'].id}/entries", params={"kind": "nonsense"}
        ).status_code
        == 422
    )
    assert psych.get(f"/api/v1/clinician/participants/{uuid.uuid4()}/entries").status_code == 404
    assert psych.get("/api/v1/clinician/participants/xyz/entries").status_code == 422


def test_clinician_of_two_teams_sees_both_teams_participants(db, client_factory):
    team_a, team_b = make_team(db), make_team(db)
    clinician = make_user(db, Role.clinician, teams=[team_a, team_b])
    a, b = make_user(db, Role.participant, team=team_a), make_user(db, Role.participant, team=team_b)
    client = client_factory()
    login(client, clinician)
    assert {row["id"] for row in client.get("/api/v1/clinician/participants").json()} == {
        str(a.id),
        str(b.id),
    }
