"""Names people see: within a care team a name is one person (compared after NFKC and case
folding), and names hold no invisible or direction-changing characters, so nobody passes as a
colleague."""

import pytest
from sqlmodel import func, select

from app.models import User
from app.models.enums import Discipline, Role
from tests.factories import login, make_invitation, make_team, make_user

NEW_PASSWORD = "a quiet walk along the river"


def register(client, code: str, display_name: str, username: str = "newperson"):
    body = {
        "invitation_code": code,
        "username": username,
        "display_name": display_name,
        "password": NEW_PASSWORD,
        "locale": "en",
    }
    return client.post("/api/v1/auth/register", json=body)


def users(db) -> int:
    db.rollback()
    return db.exec(select(func.count()).select_from(User)).one()


@pytest.mark.parametrize(
    "copy",
    ["Lisa Bakker", "lisa bakker", "LISA  BAKKER", "Ｌｉｓａ Ｂａｋｋｅｒ", " Lisa Bakker "],
    ids=["same", "lower", "upper-spaces", "full-width", "padded"],
)
def test_a_name_already_in_the_team_is_refused_at_joining(client, db, copy):
    team = make_team(db)
    make_user(
        db, Role.clinician, team=team, display_name="Lisa Bakker", discipline=Discipline.physiotherapist
    )
    _invitation, code = make_invitation(db, team, Role.clinician, discipline=Discipline.physiotherapist)
    before = users(db)
    response = register(client, code, copy)
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["field"] == "display_name"
    assert "already uses this name" in response.text
    assert users(db) == before
    # Another team may have its own Lisa Bakker.
    _other, elsewhere = make_invitation(db, make_team(db), Role.participant)
    assert register(client, elsewhere, "Lisa Bakker", username="lisa2").status_code == 201


@pytest.mark.parametrize(
    "name",
    [
        "Lisa\u202eBakker",
        "Lisa\u2066Bakker\u2069",
        "Lisa\u200bBakker",
        "Lisa\u0007Bakker",
        "Lisa\ufeffBakker",
    ],
    ids=["right-to-left-override", "isolate", "zero-width-space", "bell", "byte-order-mark"],
)
def test_invisible_and_direction_changing_characters_are_refused(client, db, name):
    _invitation, code = make_invitation(db, make_team(db), Role.participant)
    response = register(client, code, name)
    assert response.status_code == 422, response.text
    assert "change the writing direction" in response.text
    user = make_user(db, Role.participant)
    login(client, user)
    changed = client.patch("/api/v1/me", json={"display_name": name})
    assert changed.status_code == 422
    assert changed.json()["errors"][0]["field"] == "display_name"


def test_a_name_with_a_joiner_that_a_script_needs_is_kept(client, db):
    _invitation, code = make_invitation(db, make_team(db), Role.participant)
    response = register(client, code, "Mehr\u200cnaz")
    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "Mehr\u200cnaz"


def test_nobody_renames_themselves_to_a_colleagues_name(client, db):
    team = make_team(db)
    make_user(db, Role.clinician, team=team, display_name="Lisa Bakker")
    me = make_user(db, Role.clinician, team=team, display_name="Piet Jansen")
    login(client, me)
    response = client.patch("/api/v1/me", json={"display_name": "lisa bakker"})
    assert response.status_code == 409
    assert "already uses this name" in response.json()["errors"][0]["message"]
    # One's own name in other letters is fine.
    assert client.patch("/api/v1/me", json={"display_name": "PIET JANSEN"}).status_code == 200


def test_an_admin_cannot_move_in_someone_under_a_members_name(client, db):
    team = make_team(db)
    make_user(db, Role.clinician, team=team, display_name="Lisa Bakker")
    lookalike = make_user(db, Role.clinician, team=make_team(db), display_name="Lisa BAKKER")
    admin = make_user(db, Role.admin)
    login(client, admin)
    response = client.post(f"/api/v1/teams/{team.id}/members", json={"user_id": str(lookalike.id)})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "display_name"


# --- usernames cannot be listed with a code (issue 12, item 4) -------------------------------


def test_a_taken_username_is_told_only_after_everything_else_is_right(client, db):
    make_user(db, Role.participant, username="existing-person")
    _invitation, code = make_invitation(db, make_team(db), Role.participant)
    weak = {
        "invitation_code": code,
        "username": "existing-person",
        "display_name": "Someone",
        "password": "password",
        "locale": "en",
    }
    response = client.post("/api/v1/auth/register", json=weak)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"
    assert "taken" not in response.text


def test_probing_usernames_with_one_code_is_throttled(client, db):
    for number in range(12):
        make_user(db, Role.participant, username=f"known{number}")
    _invitation, code = make_invitation(db, make_team(db), Role.participant)
    answers = [
        register(client, code, "Someone", username=f"known{number}").status_code for number in range(10)
    ]
    assert answers == [409] * 10
    refused = register(client, code, "Someone", username="known10")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    # Then the code answers nothing about usernames, free or taken, until the window is over.
    assert register(client, code, "Someone", username="a-free-name").status_code == 429
    # Another code from another address is not held up by it.
    _other, fresh = make_invitation(db, make_team(db), Role.participant)
    elsewhere = client_from(client, "198.51.100.7")
    assert register(elsewhere, fresh, "Someone Else", username="a-free-name").status_code == 201


def client_from(client, address: str):
    from starlette.testclient import TestClient

    return TestClient(client.app, client=(address, 50000), raise_server_exceptions=False)
