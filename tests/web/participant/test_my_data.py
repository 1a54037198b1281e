"""The "all my data" page: readable, printable, only for its owner; erasing from it."""

import re

from app.models import User
from tests.factories import PASSWORD
from tests.sharing.conftest import CANARY


def _token(client) -> str:
    return client.get("/api/v1/me").json()["csrf_token"]


def test_my_data_page_shows_everything_of_mine(world):
    owner = world.clients["owner"]
    world.clients["psych"].get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries")
    page = owner.get("/my-data")
    assert page.status_code == 200
    assert CANARY in page.text  # the owner's own private words
    assert "Rehab team" in page.text
    assert page.text.count('class="export-entry"') == len(world.entries)
    assert 'href="/api/v1/me/export"' in page.text
    assert "no-print" in page.text


def test_the_printable_page_names_kinds_and_minutes_and_speaks_plainly(world, db):
    """Each entry says what kind it is; times have no seconds; the download is "a file to keep
    or take elsewhere", not a format's name; the journal's styles make the erase box a real one."""
    from tests.web.page_client import text_of

    page = world.clients["owner"].get("/my-data").text
    text = text_of(page)
    assert 'href="/static/css/journal.css"' in page
    for kind in ("Disagreement", "Question", "Feeling", "Goal"):
        assert re.search(rf'class="kind-tag kind-tag--\w+">{kind}</span>', page), kind
    assert len(re.findall(r'class="kind-tag kind-tag--\w+"', page)) == len(world.entries)
    assert "Intensity 6 of 10" in text
    assert "Download a file to keep or take elsewhere" in text
    assert "JSON" not in text
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", text), "a time with seconds"
    assert re.search(r"\b20\d\d, \d{1,2}:\d{2}\b", text), "a date with its year and a time"


def test_bodies_are_shown_inert(world):
    owner = world.clients["owner"]
    owner.post("/api/v1/entries", json={"kind": "thought", "body": "<script>alert(1)</script>"})
    page = owner.get("/my-data").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_nobody_else_sees_the_page(world, client):
    for actor in ("psych", "admin"):
        response = world.clients[actor].get("/my-data")
        assert response.status_code == 403
        assert CANARY not in response.text
    fellow = world.clients["fellow"].get("/my-data")
    assert CANARY not in fellow.text
    anonymous = client.get("/my-data", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")


def test_erasing_needs_password_and_confirmation(world, db):
    owner = world.clients["owner"]
    token = _token(owner)
    wrong = owner.post(
        "/my-data/erase", data={"csrf_token": token, "password": "not mine at all", "confirm": "yes"}
    )
    assert wrong.status_code == 422
    assert "not mine at all" not in wrong.text
    unconfirmed = owner.post("/my-data/erase", data={"csrf_token": token, "password": PASSWORD})
    assert unconfirmed.status_code == 422
    no_token = owner.post(
        "/my-data/erase", data={"password": PASSWORD, "confirm": "yes"}, headers={"X-CSRF-Token": ""}
    )
    assert no_token.status_code == 403
    db.rollback()
    assert db.get(User, world.users["owner"].id) is not None


def test_erasing_from_the_page(world, db):
    owner = world.clients["owner"]
    owner_id = world.users["owner"].id
    response = owner.post(
        "/my-data/erase",
        data={"csrf_token": _token(owner), "password": PASSWORD, "confirm": "yes"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=erased"
    assert "storage" in response.headers["clear-site-data"]
    db.rollback()
    db.expunge_all()
    assert db.get(User, owner_id) is None
    notice = owner.get("/login?done=erased").text
    assert re.search(r"erased", notice)
