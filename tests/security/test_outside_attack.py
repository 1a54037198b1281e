"""Smaller findings of the outside attack (issue 12, item 6): each answered with a clear refusal
instead of a 500, and a production cookie that is always Secure."""

import pytest

from app.config import get_settings
from app.models.enums import Role
from tests.factories import PASSWORD, login, make_team, make_user


@pytest.mark.parametrize("token", ["tökén", "\u00ff" * 43, "é"])
def test_a_non_ascii_csrf_token_is_refused_with_403(client, db, token):
    user = make_user(db, Role.participant, team=make_team(db))
    login(client, user)
    del client.headers["X-CSRF-Token"]
    response = client.post(
        "/api/v1/entries", json={"kind": "thought", "body": "x"}, headers={"X-CSRF-Token": token.encode()}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_token_invalid"
    page = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert page.status_code == 403


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_in_the_login_form_is_a_clear_4xx(client, db, field):
    """(both) On PostgreSQL the NUL reached the query: a 500, neither counted nor audited."""
    user = make_user(db, Role.participant, team=make_team(db))
    form = {"username": user.username, "password": PASSWORD} | {field: "bad\x00value"}
    response = client.post("/login", data=form, headers={"Accept-Language": "nl"})
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    # and the API says the same
    api = client.post("/api/v1/auth/login", json=form)
    assert api.status_code == 422


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "mode", "production")


def test_production_always_sets_a_secure_host_cookie_even_over_http(production, client, db):
    user = make_user(db, Role.participant, team=make_team(db))
    response = client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-stem_session=")
    assert "secure" in cookie.lower()
    page = client.post(
        "/login", data={"username": user.username, "password": PASSWORD}, follow_redirects=False
    )
    assert page.status_code == 303
    assert page.headers["set-cookie"].startswith("__Host-stem_session=")
    assert "secure" in page.headers["set-cookie"].lower()
