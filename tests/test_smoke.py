from app.models.enums import Role
from tests.factories import login, make_team, make_user


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text


def test_login_and_me(client, db):
    team = make_team(db)
    user = make_user(db, Role.participant, team=team)
    token = login(client, user)
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["csrf_token"] == token
    assert me.json()["team_ids"] == [str(team.id)]
