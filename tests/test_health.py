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


def test_readyz_is_unavailable_when_migrations_are_behind(client, monkeypatch, tmp_path):
    from app import health
    from app.db import build_engine

    empty = build_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(health, "get_engine", lambda: empty)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "behind"


def test_readyz_is_unavailable_when_the_database_is_unreachable(client, monkeypatch):
    from app import health
    from app.db import build_engine

    unreachable = build_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    monkeypatch.setattr(health, "get_engine", lambda: unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
