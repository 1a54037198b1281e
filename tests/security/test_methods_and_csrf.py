"""Every path with every HTTP method, anonymous and as the wrong user; CSRF with every trick."""

import re
import uuid

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.main import ROUTERS
from app.models import Entry, Share
from tests.sharing.conftest import CANARY

METHODS = ["GET", "HEAD", "OPTIONS", "TRACE", "POST", "PUT", "PATCH", "DELETE"]


def _paths() -> list[str]:
    return sorted({route.path for router in ROUTERS for route in router.routes})


def _concrete(path: str, world) -> str:
    values = {
        "entry_id": world.entry_id("private"),
        "participant_id": str(world.users["owner"].id),
        "team_id": str(world.team.id),
        "user_id": str(world.users["owner"].id),
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), path)


def test_every_path_and_method_leaks_nothing(world, client_factory):
    clients = {"anonymous": client_factory(), **world.clients}
    checked = 0
    for path in _paths():
        url = _concrete(path, world)
        for actor in ("anonymous", "fellow", "physio", "psych", "outsider", "admin"):
            client = clients[actor]
            if actor == "anonymous":
                client.cookies.clear()  # a stranger each time, as before
            for method in METHODS:
                response = client.request(method, url, json={})
                assert response.status_code < 500, (actor, method, url, response.status_code)
                assert CANARY not in response.text, (actor, method, url)
                if method == "TRACE":
                    assert response.status_code in (401, 403, 404, 405), (actor, url)
                checked += 1
    assert checked > 1000


def _counts(db) -> tuple[int, int]:
    db.rollback()
    return (
        db.exec(select(func.count()).select_from(Entry)).one(),
        db.exec(select(func.count()).select_from(Share)).one(),
    )


def _cookie_only_client(world, client_factory):
    """The owner's browser as another site drives it: the cookie goes along, our header does not."""
    client = client_factory()
    client.cookies.set("stem_session", world.clients["owner"].cookies.get("stem_session"))
    return client


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, "json"),
        ({"X-CSRF-Token": "0" * 64}, "json"),
        ({"X-CSRF-Token": "TOKEN", "Sec-Fetch-Site": "cross-site"}, "json"),
        ({"X-CSRF-Token": "TOKEN", "Origin": "https://evil.example"}, "json"),
        ({}, "form"),
        ({}, "text"),
    ],
)
def test_csrf_attempts_are_refused_and_write_nothing(world, db, client_factory, headers, body):
    token = world.clients["owner"].headers["X-CSRF-Token"]
    forger = _cookie_only_client(world, client_factory)
    sent = {name: (token if value == "TOKEN" else value) for name, value in headers.items()}
    before = _counts(db)
    if body == "json":
        response = forger.post("/api/v1/entries", json={"kind": "thought", "body": "forged"}, headers=sent)
    elif body == "form":
        response = forger.post("/api/v1/entries", data={"kind": "thought", "body": "forged"}, headers=sent)
    else:
        response = forger.post(
            "/api/v1/entries",
            content='{"kind": "thought", "body": "forged"}',
            headers={**sent, "Content-Type": "text/plain"},
        )
    assert response.status_code in (403, 415, 422), response.text
    share = forger.post(
        f"/api/v1/entries/{world.entry_id('private')}/shares", json={"audience": "team"}, headers=sent
    )
    assert share.status_code in (403, 415, 422)
    assert _counts(db) == before
    # the same browser, with the real token and from our own pages, is let through
    ok = forger.post(
        "/api/v1/entries", json={"kind": "thought", "body": "mine"}, headers={"X-CSRF-Token": token}
    )
    assert ok.status_code == 201


def test_json_route_refuses_a_text_body_even_with_the_token(world, db):
    owner = world.clients["owner"]
    before = _counts(db)
    response = owner.post(
        "/api/v1/entries",
        content='{"kind": "thought", "body": "smuggled"}',
        headers={**owner.headers, "Content-Type": "text/plain"},
    )
    assert response.status_code in (415, 422)
    assert _counts(db) == before
