"""Care teams, members, accounts and invitations: happy paths, bad input and who is refused."""

import uuid

import pytest
from sqlmodel import col, select

from app.models import Invitation
from app.models.enums import Discipline, Role
from tests.factories import login, make_invitation, make_team, make_user


@pytest.fixture
def world(db):
    """Two teams; a clinician in both, one in each; participants in each; an admin."""
    team_a, team_b = make_team(db, "Team A"), make_team(db, "Team B")
    return {
        "team_a": team_a,
        "team_b": team_b,
        "admin": make_user(db, Role.admin),
        "clin_ab": make_user(db, Role.clinician, teams=[team_a, team_b], discipline=Discipline.psychologist),
        "clin_a": make_user(db, Role.clinician, team=team_a),
        "clin_b": make_user(db, Role.clinician, team=team_b),
        "part_a": make_user(db, Role.participant, team=team_a),
        "part_a2": make_user(db, Role.participant, team=team_a),
        "part_b": make_user(db, Role.participant, team=team_b),
        "loner": make_user(db, Role.participant),
    }


def as_user(client_factory, user):
    client = client_factory()
    login(client, user)
    return client


# --- teams --------------------------------------------------------------------------------


def test_admin_creates_and_lists_teams(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    response = admin.post("/api/v1/teams", json={"name": "  Back   pain  clinic "})
    assert response.status_code == 201
    assert response.json()["name"] == "Back pain clinic"
    names = [team["name"] for team in admin.get("/api/v1/teams").json()]
    assert names == ["Back pain clinic", "Team A", "Team B"]
    team_a = next(t for t in admin.get("/api/v1/teams").json() if t["name"] == "Team A")
    assert (team_a["clinician_count"], team_a["participant_count"]) == (2, 2)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": ""}, 422),
        ({"name": "   "}, 422),
        ({"name": "x" * 121}, 422),
        ({}, 422),
        ({"name": "team a"}, 409),
    ],
)
def test_team_create_bad_input(client_factory, world, body, status):
    admin = as_user(client_factory, world["admin"])
    response = admin.post("/api/v1/teams", json=body)
    assert response.status_code == status
    assert response.json()["detail"]


@pytest.mark.parametrize("who", ["clin_ab", "part_a"])
def test_only_admins_create_teams(client_factory, world, who):
    client = as_user(client_factory, world[who])
    assert client.post("/api/v1/teams", json={"name": "Mine"}).status_code == 403


def test_anonymous_is_refused_everywhere(client, world):
    team_id = world["team_a"].id
    assert client.get("/api/v1/teams").status_code == 401
    assert client.post("/api/v1/teams", json={"name": "x"}).status_code == 401
    assert client.get(f"/api/v1/teams/{team_id}/members").status_code == 401
    assert client.get("/api/v1/invitations").status_code == 401
    assert client.post("/api/v1/invitations", json={}).status_code == 401
    assert client.get("/api/v1/users").status_code == 401


def test_each_role_lists_only_its_teams(client_factory, world):
    def names(user):
        return sorted(t["name"] for t in as_user(client_factory, world[user]).get("/api/v1/teams").json())

    assert names("clin_ab") == ["Team A", "Team B"]
    assert names("clin_a") == ["Team A"]
    assert names("part_b") == ["Team B"]
    assert names("loner") == []


# --- members ------------------------------------------------------------------------------


def test_clinician_sees_all_members_of_own_team(client_factory, world):
    response = as_user(client_factory, world["clin_a"]).get(f"/api/v1/teams/{world['team_a'].id}/members")
    assert response.status_code == 200
    ids = {m["user_id"] for m in response.json()}
    assert ids == {str(world[k].id) for k in ("clin_ab", "clin_a", "part_a", "part_a2")}


def test_participant_sees_only_the_clinicians_of_their_team(client_factory, world):
    response = as_user(client_factory, world["part_a"]).get(f"/api/v1/teams/{world['team_a'].id}/members")
    assert response.status_code == 200
    assert {m["role"] for m in response.json()} == {"clinician"}
    assert str(world["part_a2"].id) not in response.text


@pytest.mark.parametrize("who", ["clin_b", "part_b", "loner"])
def test_members_of_another_team_answer_404(client_factory, world, who):
    response = as_user(client_factory, world[who]).get(f"/api/v1/teams/{world['team_a'].id}/members")
    assert response.status_code == 404
    missing = as_user(client_factory, world[who]).get(f"/api/v1/teams/{uuid.uuid4()}/members")
    assert missing.status_code == 404
    assert response.json()["detail"] == missing.json()["detail"]


def test_members_bad_team_id(client_factory, world):
    response = as_user(client_factory, world["admin"]).get("/api/v1/teams/not-a-uuid/members")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "team_id"


def test_admin_adds_and_removes_members(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    team_b = world["team_b"].id
    added = admin.post(f"/api/v1/teams/{team_b}/members", json={"user_id": str(world["clin_a"].id)})
    assert added.status_code == 201
    assert added.json()["role"] == "clinician"
    again = admin.post(f"/api/v1/teams/{team_b}/members", json={"user_id": str(world["clin_a"].id)})
    assert again.status_code == 409
    loner = admin.post(f"/api/v1/teams/{team_b}/members", json={"user_id": str(world["loner"].id)})
    assert loner.status_code == 201
    removed = admin.delete(f"/api/v1/teams/{team_b}/members/{world['clin_a'].id}")
    assert removed.status_code == 204
    assert admin.delete(f"/api/v1/teams/{team_b}/members/{world['clin_a'].id}").status_code == 404


def test_participant_cannot_join_a_second_team(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    response = admin.post(
        f"/api/v1/teams/{world['team_b'].id}/members", json={"user_id": str(world["part_a"].id)}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "user_id"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"user_id": "nope"}, 422), ({}, 422), ({"user_id": str(uuid.UUID(int=7))}, 404)],
)
def test_add_member_bad_input(client_factory, world, body, status):
    admin = as_user(client_factory, world["admin"])
    assert admin.post(f"/api/v1/teams/{world['team_a'].id}/members", json=body).status_code == status


def test_admin_cannot_be_a_member(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    response = admin.post(
        f"/api/v1/teams/{world['team_a'].id}/members", json={"user_id": str(world["admin"].id)}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("who", ["clin_a", "part_a"])
def test_only_admins_manage_members(client_factory, world, who):
    client = as_user(client_factory, world[who])
    team_a = world["team_a"].id
    assert (
        client.post(f"/api/v1/teams/{team_a}/members", json={"user_id": str(world["loner"].id)}).status_code
        == 403
    )
    assert client.delete(f"/api/v1/teams/{team_a}/members/{world['part_a2'].id}").status_code == 403


# --- accounts (admin) ---------------------------------------------------------------------


def test_admin_lists_accounts_without_secrets(client_factory, world):
    response = as_user(client_factory, world["admin"]).get("/api/v1/users")
    assert response.status_code == 200
    assert len(response.json()) == 8
    assert "argon2" not in response.text and "password" not in response.text


@pytest.mark.parametrize("who", ["clin_ab", "part_a"])
def test_only_admins_list_and_change_accounts(client_factory, world, who):
    client = as_user(client_factory, world[who])
    assert client.get("/api/v1/users").status_code == 403
    assert client.patch(f"/api/v1/users/{world['part_a2'].id}", json={"is_active": False}).status_code == 403


def test_admin_account_changes_bad_input(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    assert admin.patch(f"/api/v1/users/{world['admin'].id}", json={"is_active": False}).status_code == 422
    assert admin.patch(f"/api/v1/users/{uuid.uuid4()}", json={"is_active": False}).status_code == 404
    assert admin.patch(f"/api/v1/users/{world['clin_a'].id}", json={"is_active": "maybe"}).status_code == 422
    assert admin.patch(f"/api/v1/users/{world['clin_a'].id}", json={"role": "admin"}).status_code == 422


# --- invitations --------------------------------------------------------------------------


def test_admin_invites_a_clinician_with_link_and_code(client_factory, world, db):
    admin = as_user(client_factory, world["admin"])
    response = admin.post(
        "/api/v1/invitations",
        json={
            "team_id": str(world["team_a"].id),
            "role": "clinician",
            "discipline": "occupational_therapist",
        },
    )
    assert response.status_code == 201
    body = response.json()
    code = body["code"]
    assert len(code.replace("-", "")) == 28  # 140 random bits
    assert body["url"] == f"http://testserver/join?code={code}"
    assert body["status"] == "pending"
    stored = db.exec(select(Invitation).where(col(Invitation.id) == uuid.UUID(body["id"]))).one()
    assert code not in stored.code_hash and code.replace("-", "") not in stored.code_hash
    assert (stored.expires_at - stored.created_at).days == 14
    listed = admin.get("/api/v1/invitations").json()
    assert [i["id"] for i in listed] == [body["id"]]
    assert "code" not in listed[0]


def test_clinician_invites_participants_into_own_team_only(client_factory, world):
    clinician = as_user(client_factory, world["clin_a"])
    ok = clinician.post(
        "/api/v1/invitations", json={"team_id": str(world["team_a"].id), "role": "participant"}
    )
    assert ok.status_code == 201
    other_team = clinician.post(
        "/api/v1/invitations", json={"team_id": str(world["team_b"].id), "role": "participant"}
    )
    assert other_team.status_code == 404
    colleague = clinician.post(
        "/api/v1/invitations",
        json={"team_id": str(world["team_a"].id), "role": "clinician", "discipline": "nurse"},
    )
    assert colleague.status_code == 403


def test_participants_cannot_invite_or_see_invitations(client_factory, world):
    participant = as_user(client_factory, world["part_a"])
    response = participant.post(
        "/api/v1/invitations", json={"team_id": str(world["team_a"].id), "role": "participant"}
    )
    assert response.status_code == 403
    assert participant.get("/api/v1/invitations").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "participant"}, "team_id"),
        ({"team_id": "x", "role": "participant"}, "team_id"),
        ({"team_id": "TEAM", "role": "admin"}, "role"),
        ({"team_id": "TEAM", "role": "clinician"}, "discipline"),
        ({"team_id": "TEAM", "role": "clinician", "discipline": "wizard"}, "discipline"),
        ({"team_id": "TEAM", "role": "participant", "discipline": "nurse"}, "discipline"),
        ({"team_id": "TEAM", "role": "participant", "expires": "never"}, "expires"),
    ],
)
def test_invitation_bad_input(client_factory, world, body, field):
    admin = as_user(client_factory, world["admin"])
    body = {k: (str(world["team_a"].id) if v == "TEAM" else v) for k, v in body.items()}
    response = admin.post("/api/v1/invitations", json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_invitation_lists_are_scoped_to_teams(client_factory, world, db):
    make_invitation(db, world["team_a"])
    make_invitation(db, world["team_b"])
    assert len(as_user(client_factory, world["clin_a"]).get("/api/v1/invitations").json()) == 1
    assert len(as_user(client_factory, world["clin_ab"]).get("/api/v1/invitations").json()) == 2
    assert len(as_user(client_factory, world["admin"]).get("/api/v1/invitations").json()) == 2


def test_revoke_invitation(client_factory, world, db):
    invitation, code = make_invitation(db, world["team_a"])
    other, _ = make_invitation(db, world["team_b"])
    clinician = as_user(client_factory, world["clin_a"])
    assert clinician.delete(f"/api/v1/invitations/{other.id}").status_code == 404
    assert (
        as_user(client_factory, world["part_a"]).delete(f"/api/v1/invitations/{invitation.id}").status_code
        == 403
    )
    response = clinician.delete(f"/api/v1/invitations/{invitation.id}")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    register = client_factory().post(
        "/api/v1/auth/register",
        json={
            "invitation_code": code,
            "username": "latecomer",
            "display_name": "Late",
            "password": "a quiet walk along the river",
        },
    )
    assert register.status_code == 410
    assert clinician.delete(f"/api/v1/invitations/{uuid.uuid4()}").status_code == 404
    assert clinician.delete("/api/v1/invitations/123").status_code == 422


def test_clinician_cannot_revoke_a_clinician_invitation(client_factory, world, db):
    invitation, _ = make_invitation(db, world["team_a"], Role.clinician, discipline=Discipline.nurse)
    assert (
        as_user(client_factory, world["clin_a"]).delete(f"/api/v1/invitations/{invitation.id}").status_code
        == 404
    )
    assert (
        as_user(client_factory, world["admin"]).delete(f"/api/v1/invitations/{invitation.id}").status_code
        == 200
    )


def test_used_invitation_cannot_be_revoked(client_factory, world, db):
    _invitation, code = make_invitation(db, world["team_a"])
    response = client_factory().post(
        "/api/v1/auth/register",
        json={
            "invitation_code": code,
            "username": "joined",
            "display_name": "J",
            "password": "a quiet walk along the river",
        },
    )
    assert response.status_code == 201
    listed = as_user(client_factory, world["admin"]).get("/api/v1/invitations").json()
    assert listed[0]["status"] == "used"
    revoke = as_user(client_factory, world["admin"]).delete(f"/api/v1/invitations/{listed[0]['id']}")
    assert revoke.status_code == 409


# --- the team's own contacts for "Help now" and its reading habit --------------------------


def fresh(db, team):
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.refresh(team)
    db.commit()
    return team


def test_admin_sets_and_clears_the_team_contacts(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    url = f"/api/v1/teams/{world['team_a'].id}"
    body = {"help_phone": " 020 123 4567 ", "help_hours": "Mon-Fri  9-17", "reading_habit": "Every Tuesday."}
    response = admin.patch(url, json=body)
    assert response.status_code == 200, response.text
    team = response.json()
    assert (team["help_phone"], team["help_hours"], team["reading_habit"]) == (
        "020 123 4567",
        "Mon-Fri 9-17",
        "Every Tuesday.",
    )
    assert (team["clinician_count"], team["participant_count"]) == (2, 2)
    # a field left out stays; an empty one is cleared
    cleared = admin.patch(url, json={"reading_habit": "  "}).json()
    assert (cleared["help_phone"], cleared["reading_habit"]) == ("020 123 4567", None)
    # the team's participants read it on "Help now"
    participant = as_user(client_factory, world["part_a"])
    assert 'href="tel:0201234567"' in participant.get("/help").text


@pytest.mark.parametrize(
    ("body", "status", "field", "says"),
    [
        ({"help_phone": "ring the bell"}, 422, "help_phone", "This is not a phone number"),
        ({"help_phone": "+"}, 422, "help_phone", "This is not a phone number"),
        ({"help_phone": "1" * 41}, 422, "help_phone", "This is too long"),
        ({"help_hours": "x" * 201}, 422, "help_hours", "This is too long"),
        ({"reading_habit": "x" * 301}, 422, "reading_habit", "This is too long"),
        ({"reading_habit": 5}, 422, "reading_habit", "This must be text"),
        ({"name": "Renamed"}, 422, "name", "This field is not allowed here"),
    ],
)
def test_team_contacts_bad_input(client_factory, world, body, status, field, says):
    admin = as_user(client_factory, world["admin"])
    response = admin.patch(f"/api/v1/teams/{world['team_a'].id}", json=body)
    assert response.status_code == status
    problem = response.json()
    assert any(error["field"] == field and says in error["message"] for error in problem["errors"]), problem


def test_team_contacts_bad_input_in_dutch(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    admin.patch("/api/v1/me", json={"locale": "nl"})
    response = admin.patch(f"/api/v1/teams/{world['team_a'].id}", json={"help_phone": "bel aan"})
    assert response.status_code == 422
    assert "Dit is geen telefoonnummer" in response.text


def test_team_contacts_of_a_missing_team_are_404(client_factory, world):
    admin = as_user(client_factory, world["admin"])
    response = admin.patch(f"/api/v1/teams/{uuid.uuid4()}", json={"help_phone": "112"})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["clin_ab", "clin_a", "part_a"])
def test_only_admins_set_team_contacts(client_factory, world, db, who):
    client = as_user(client_factory, world[who])
    response = client.patch(f"/api/v1/teams/{world['team_a'].id}", json={"help_phone": "112"})
    assert response.status_code == 403
    assert fresh(db, world["team_a"]).help_phone is None


def test_anonymous_cannot_set_team_contacts(client, world):
    assert client.patch(f"/api/v1/teams/{world['team_a'].id}", json={"help_phone": "112"}).status_code == 401


def test_the_admin_page_form_sets_the_team_contacts(client_factory, world, db):
    from tests.web.page_client import Browser, text_of

    admin = Browser(client_factory(), world["admin"])
    team = world["team_a"]
    page = admin.get("/admin").text
    assert f'action="/admin/teams/{team.id}/help"' in page
    refused = admin.post(f"/admin/teams/{team.id}/help", {"help_phone": "call us", "help_hours": "9-17"})
    assert refused.status_code == 422
    assert "This is not a phone number" in text_of(refused.text)
    assert 'value="call us"' in refused.text  # what was typed comes back
    assert fresh(db, team).help_phone is None and team.help_hours is None
    done = admin.post(
        f"/admin/teams/{team.id}/help", {"help_phone": "020 123 4567", "reading_habit": "Daily."}
    )
    assert done.status_code == 303
    assert "contact details are saved" in admin.get(done.headers["location"]).text
    fresh(db, team)
    assert (team.help_phone, team.help_hours, team.reading_habit) == ("020 123 4567", None, "Daily.")
    assert admin.post(f"/admin/teams/{uuid.uuid4()}/help", {"help_phone": "112"}).status_code == 404
    assert admin.post("/admin/teams/not-an-id/help", {"help_phone": "112"}).status_code == 404


@pytest.mark.parametrize("who", ["clin_a", "part_a"])
def test_the_admin_page_form_refuses_everyone_else(client_factory, world, db, who):
    from tests.web.page_client import Browser

    browser = Browser(client_factory(), world[who])
    response = browser.post(f"/admin/teams/{world['team_a'].id}/help", {"help_phone": "112"})
    assert response.status_code == 403
    assert fresh(db, world["team_a"]).help_phone is None
