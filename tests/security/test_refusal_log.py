"""Refused requests are logged (ASVS 5.0 16.3.2, 16.3.3) without text, query strings or secrets;
the language cookie is `__Host-` prefixed over https (3.3.1)."""

import json
import logging

import pytest

from app.audit.service import person_ref
from app.i18n import SECURE_LOCALE_COOKIE
from app.models.enums import Role
from tests.factories import PASSWORD, make_user
from tests.sharing.conftest import CANARY

SECRET_QUERY = "q=canary-query-5d1e"


@pytest.fixture
def refusals(caplog):
    caplog.set_level(logging.INFO, logger="stem.security")

    def lines() -> list[dict]:
        found = []
        for record in caplog.records:
            if record.name == "stem.security":
                assert record.getMessage() == "refused " + json.dumps(record.security)
                found.append(record.security)
        return found

    return lines


def _secrets_of(world, *actors: str) -> list[str]:
    values = [CANARY, "canary-query-5d1e", PASSWORD]
    for actor in actors:
        client = world.clients[actor]
        values.append(client.headers["X-CSRF-Token"])
        values.extend(value for value in client.cookies.values())
    return values


def _assert_clean(caplog, secrets: list[str]) -> None:
    text = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    for secret in secrets:
        assert secret not in text


def test_someone_elses_entry_is_a_logged_404_without_query_or_ids_of_the_target(world, db, refusals, caplog):
    url = f"/api/v1/entries/{world.entry_id('private')}?{SECRET_QUERY}"
    assert world.clients["fellow"].get(url).status_code == 404
    assert (
        world.clients["fellow"].get(f"/entries/{world.entry_id('private')}?{SECRET_QUERY}").status_code == 404
    )
    (api, page) = refusals()
    assert api == {
        "time": api["time"],
        "event": "request.refused",
        "status": 404,
        "reason": "not_found",
        "method": "GET",
        "route": "/api/v1/entries/{entry_id}",
        "user": person_ref(db, world.users["fellow"].id),
        "client": "testclient",
    }
    assert api["time"].endswith("+00:00")
    assert page["route"] == "/entries/{entry_id}" and page["status"] == 404
    _assert_clean(caplog, _secrets_of(world, "fellow"))


def test_csrf_and_cross_site_refusals_are_logged_without_the_body(world, db, refusals, caplog):
    owner = world.clients["owner"]
    bad_token = owner.post(
        "/api/v1/entries", json={"kind": "thought", "body": CANARY}, headers={"X-CSRF-Token": "forged"}
    )
    assert bad_token.status_code == 403
    cross_site = owner.post(
        "/api/v1/entries", json={"kind": "thought", "body": CANARY}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    token = owner.headers.pop("X-CSRF-Token")  # a page's form carries its token in the body
    form = owner.post("/write", data={"body": CANARY, "kind": "thought", "csrf_token": "forged"})
    owner.headers["X-CSRF-Token"] = token
    assert form.status_code == 403
    logged = refusals()
    assert [(line["status"], line["reason"], line["method"], line["route"]) for line in logged] == [
        (403, "csrf_token_invalid", "POST", "/api/v1/entries"),
        (403, "cross_site_request", "POST", "/api/v1/entries"),  # refused before any route ran
        (403, "csrf_token_invalid", "POST", "/write"),
    ]
    owner_ref = person_ref(db, world.users["owner"].id)
    assert [line["user"] for line in logged] == [owner_ref, None, owner_ref]
    _assert_clean(caplog, [*_secrets_of(world, "owner"), "forged"])


def test_wrong_role_not_signed_in_and_throttled_are_logged(world, client, db, refusals, caplog):
    assert world.clients["admin"].get("/api/v1/me/access-log").status_code == 403
    assert client.get(f"/api/v1/me?{SECRET_QUERY}").status_code == 401
    page = client.get(
        "/account", follow_redirects=False
    )  # a page answers with the way to sign in, but it is a refusal
    assert page.status_code == 303
    user = make_user(db, Role.participant)
    for _ in range(6):
        client.post("/api/v1/auth/login", json={"username": user.username, "password": CANARY})
    logged = refusals()
    assert logged[0] | {"time": None} == {
        "time": None,
        "event": "request.refused",
        "status": 403,
        "reason": "forbidden",
        "method": "GET",
        "route": "/api/v1/me/access-log",
        "user": person_ref(db, world.users["admin"].id),
        "client": "testclient",
    }
    assert [(line["status"], line["reason"], line["route"], line["user"]) for line in logged[1:3]] == [
        (401, "not_authenticated", "/api/v1/me", None),
        (401, "not_authenticated", "/account", None),
    ]
    logins = [(line["status"], line["reason"]) for line in logged[3:]]
    assert logins == [(401, "wrong_credentials")] * 5 + [(429, "too_many_requests")]
    _assert_clean(caplog, [*_secrets_of(world, "admin"), user.username])


def test_schema_violations_are_logged_but_an_ordinary_success_is_not(world, refusals, caplog):
    owner = world.clients["owner"]
    assert owner.get("/api/v1/entries").status_code == 200
    assert refusals() == []
    response = owner.post("/api/v1/entries", json={"kind": "thought", "body": CANARY, "role": "admin"})
    assert response.status_code == 422
    (line,) = refusals()
    assert (line["status"], line["reason"], line["route"]) == (422, "invalid_request", "/api/v1/entries")
    _assert_clean(caplog, _secrets_of(world, "owner"))


def test_language_cookie_over_https_is_host_prefixed_and_secure(client_factory):
    browser = client_factory(base_url="https://testserver")
    response = browser.post("/language", data={"locale": "nl", "next": "/login"}, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SECURE_LOCALE_COOKIE}=nl;")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert "HttpOnly" in cookie
    assert '<html lang="nl">' in browser.get("/login").text
    # Over https an unprefixed cookie (which a subdomain could have set) is not obeyed.
    other = client_factory(base_url="https://testserver")
    other.cookies.set("stem_locale", "nl")
    assert '<html lang="en">' in other.get("/login", headers={"Accept-Language": "en"}).text


def test_an_unmatched_path_is_logged_on_one_line_without_its_query(client, refusals, caplog):
    response = client.get(f"/no-such-page%0A%7B%22status%22%3A%20200%7D/x?{SECRET_QUERY}")
    assert response.status_code == 404
    (line,) = refusals()
    assert (line["status"], line["reason"], line["user"]) == (404, "http_404", None)
    assert line["route"] == '/no-such-page\n{"status": 200}/x'
    (record,) = [r for r in caplog.records if r.name == "stem.security"]
    assert "\n" not in record.getMessage()  # a forged second line stays inside one JSON string
    assert "canary-query-5d1e" not in caplog.text
