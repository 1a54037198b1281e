"""A care-team assisted reset (issue 17, item 3): two people, never one; a code handed over in
person; the participant is told who started and who approved it; a reset reads and changes no
entry, and gives nobody anything to read."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.models import AccountReset, AuditEvent, Entry
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import PASSWORD, login, make_team, make_user
from tests.web.page_client import Browser, text_of

NEW = "a fresh sentence I can remember"
SECRET_WORDS = "my own private words about the pain"


@pytest.fixture
def team(db, client_factory):
    rehab = make_team(db, "Rehab")
    people = {
        "anna": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "bram": make_user(db, Role.participant, team=rehab, display_name="Bram"),
        "lisa": make_user(
            db, Role.clinician, team=rehab, display_name="Lisa Bakker", discipline=Discipline.physiotherapist
        ),
        "omar": make_user(
            db, Role.clinician, team=rehab, display_name="Omar Haddad", discipline=Discipline.psychologist
        ),
        "admin": make_user(db, Role.admin, display_name="Ada Admin"),
        "other": make_user(db, Role.clinician, team=make_team(db, "Elsewhere"), display_name="Olga"),
    }
    clients = {}
    for name, user in people.items():
        clients[name] = client_factory()
        login(clients[name], user)
    return people, clients


def _start(clients, people, who: str = "lisa"):
    return clients[who].post(f"/api/v1/participants/{people['anna'].id}/account-resets")


def _recover(client, username: str, code: str):
    return client.post(
        "/api/v1/auth/recover", json={"username": username, "recovery_code": code, "new_password": NEW}
    )


def test_two_people_a_code_in_person_and_the_participant_is_told(team, db, client_factory):
    people, clients = team
    anna, lisa, omar = clients["anna"], clients["lisa"], clients["omar"]
    private = anna.post("/api/v1/entries", json={"kind": "thought", "body": SECRET_WORDS}).json()
    entries_before = sorted((row.id, row.version) for row in db.exec(select(Entry)).all())

    started = _start(clients, people)
    assert started.status_code == 201, started.text
    reset = started.json()
    assert reset["state"] == "waiting" and reset["started_by"]["name"] == "Lisa Bakker"
    assert reset["can_approve"] is False and reset["can_make_code"] is False

    # The one who started it can neither approve it nor make a code before someone else approves.
    own = lisa.post(f"/api/v1/account-resets/{reset['id']}/approve")
    assert own.status_code == 403 and own.json()["code"] == "second_person_needed"
    early = lisa.post(f"/api/v1/account-resets/{reset['id']}/code")
    assert early.status_code == 409 and early.json()["code"] == "approval_needed"
    db.rollback()  # a fresh read, not the snapshot of this session's earlier reads
    assert db.exec(select(AccountReset)).one().code_hash is None  # nothing issued

    approved = omar.post(f"/api/v1/account-resets/{reset['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"]["name"] == "Omar Haddad"
    # The approver does not get the code: only the starter, once.
    assert omar.post(f"/api/v1/account-resets/{reset['id']}/code").status_code == 403
    issued = lisa.post(f"/api/v1/account-resets/{reset['id']}/code")
    assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"
    code = issued.json()["code"]
    assert len(code.replace("-", "")) == 28  # 140 random bits
    assert lisa.post(f"/api/v1/account-resets/{reset['id']}/code").status_code == 409  # only once
    db.rollback()
    stored = db.exec(select(AccountReset)).one()
    assert stored.code_hash and code.replace("-", "") not in stored.code_hash.upper()

    # Nobody could read anything more than before: the reset gives no access.
    assert SECRET_WORDS not in lisa.get(f"/api/v1/clinician/participants/{people['anna'].id}/entries").text

    phone = client_factory()
    back = _recover(phone, people["anna"].username.upper(), code.lower())  # as typed from paper
    assert back.status_code == 200, back.text
    assert anna.get("/api/v1/me").status_code == 401  # every other session ended
    assert _recover(client_factory(), people["anna"].username, code).status_code == 401  # single use

    # The participant sees who started and who approved it, and when.
    mine = phone.get("/api/v1/me/account-resets").json()
    assert [(r["state"], r["started_by"]["name"], r["approved_by"]["name"]) for r in mine] == [
        ("used", "Lisa Bakker", "Omar Haddad")
    ]
    browser = Browser(client_factory(), people["anna"], NEW)  # the next sign-in
    home = text_of(browser.get("/").text)
    assert "Your password was reset with a code from your team" in home
    assert "Lisa Bakker" in home and "Omar Haddad" in home and "If this was not you, tell your team." in home
    assert browser.post(f"/account-resets/{reset['id']}/read").status_code == 303
    assert "Your password was reset" not in text_of(browser.get("/").text)
    assert "Lisa Bakker" in text_of(browser.get("/access-log").text)  # it stays in the log
    export = phone.get("/api/v1/me/export").json()
    assert export["account_resets"][0]["approved_by"]["name"] == "Omar Haddad"

    # The journal is exactly as it was, and still private.
    db.rollback()
    assert sorted((row.id, row.version) for row in db.exec(select(Entry)).all()) == entries_before
    assert phone.get(f"/api/v1/entries/{private['id']}").json()["body"] == SECRET_WORDS
    actions = [event.action for event in db.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()]
    for action in ("account.reset_started", "account.reset_approved", "account.reset_code", "auth.reset"):
        assert action in actions


def test_an_admin_may_approve_but_not_start_and_other_teams_see_nothing(team):
    people, clients = team
    assert _start(clients, people, "admin").status_code == 403
    assert _start(clients, people, "other").status_code == 404
    assert _start(clients, people, "anna").status_code == 403  # a participant starts nothing
    reset = _start(clients, people).json()
    assert _start(clients, people, "omar").json()["code"] == "reset_under_way"  # one at a time
    for who in ("other",):
        assert clients[who].get(f"/api/v1/account-resets/{reset['id']}").status_code == 404
        assert clients[who].post(f"/api/v1/account-resets/{reset['id']}/approve").status_code == 404
        assert clients[who].get("/api/v1/account-resets").json() == []
    assert [r["id"] for r in clients["admin"].get("/api/v1/account-resets").json()] == [reset["id"]]
    assert clients["admin"].get("/api/v1/account-resets").json()[0]["can_approve"] is True
    assert clients["admin"].post(f"/api/v1/account-resets/{reset['id']}/approve").status_code == 200
    assert clients["admin"].post(f"/api/v1/account-resets/{reset['id']}/code").status_code == 403  # by role
    assert clients["lisa"].post(f"/api/v1/account-resets/{reset['id']}/code").status_code == 201


def test_the_participant_can_stop_a_reset_and_its_code_stops_working(team, client_factory):
    people, clients = team
    reset = _start(clients, people).json()
    clients["omar"].post(f"/api/v1/account-resets/{reset['id']}/approve")
    code = clients["lisa"].post(f"/api/v1/account-resets/{reset['id']}/code").json()["code"]
    browser = Browser(client_factory(), people["anna"])
    home = text_of(browser.get("/").text)
    assert "Your team started a reset of your password" in home and "Stop this reset" in home
    stopped = browser.post(f"/account-resets/{reset['id']}/cancel")
    assert stopped.status_code == 303 and stopped.headers["location"] == "/?done=reset_stopped"
    assert _recover(client_factory(), people["anna"].username, code).status_code == 401
    assert clients["lisa"].get(f"/api/v1/account-resets/{reset['id']}").json()["state"] == "cancelled"
    again = clients["lisa"].post(f"/api/v1/account-resets/{reset['id']}/cancel")  # stopped once is enough
    assert again.status_code == 200 and again.json()["cancelled_by"]["name"] == "Anna"
    # A fellow participant can neither see nor stop it.
    fellow = clients["bram"]
    assert fellow.post(f"/api/v1/account-resets/{reset['id']}/cancel").status_code == 404
    assert fellow.post(f"/api/v1/me/account-resets/{reset['id']}/read").status_code == 404


def test_a_reset_not_finished_in_time_lapses(team, db, client_factory):
    people, clients = team
    reset = _start(clients, people).json()
    db.execute(update(AccountReset).values(started_at=utcnow() - timedelta(hours=25)))
    db.commit()
    assert (
        clients["omar"].post(f"/api/v1/account-resets/{reset['id']}/approve").json()["code"]
        == "reset_not_waiting"
    )
    assert clients["lisa"].get(f"/api/v1/account-resets/{reset['id']}").json()["state"] == "lapsed"
    assert _start(clients, people).status_code == 201  # a new one may start

    # A code past its 24 hours no longer works.
    second = clients["lisa"].get("/api/v1/account-resets").json()[0]
    clients["omar"].post(f"/api/v1/account-resets/{second['id']}/approve")
    code = clients["lisa"].post(f"/api/v1/account-resets/{second['id']}/code").json()["code"]
    db.execute(update(AccountReset).values(code_expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    assert _recover(client_factory(), people["anna"].username, code).status_code == 401


def test_bad_ids_are_clear_refusals(team):
    _, clients = team
    bad = clients["lisa"].post("/api/v1/account-resets/not-a-uuid/approve")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reset_id"
    missing = clients["lisa"].post("/api/v1/account-resets/00000000-0000-4000-8000-000000000000/approve")
    assert missing.status_code == 404 and "does not exist" in missing.json()["detail"]
    assert clients["lisa"].post("/api/v1/participants/nope/account-resets").status_code == 422


@pytest.mark.parametrize(
    ("locale", "waits", "approve", "code_heading"),
    [
        ("en", "waits for your approval", "Approve this reset", "Reset code for Anna"),
        ("nl", "wacht op jouw goedkeuring", "Keur deze reset goed", "Resetcode voor Anna"),
    ],
)
def test_the_pages_take_a_reset_from_start_to_code(
    team, db, client_factory, locale, waits, approve, code_heading
):
    people, _ = team
    db.execute(update(type(people["lisa"])).values(locale=locale))
    db.commit()
    lisa = Browser(client_factory(), people["lisa"])
    omar = Browser(client_factory(), people["omar"])
    prep = lisa.get(f"/clinician/participants/{people['anna'].id}").text
    assert f'action="/clinician/participants/{people["anna"].id}/account-reset"' in prep
    started = lisa.post(f"/clinician/participants/{people['anna'].id}/account-reset")
    assert started.status_code == 303
    page_url = started.headers["location"].split("?")[0]
    assert waits in text_of(omar.get("/").text)
    assert approve in text_of(omar.get(page_url).text)
    assert approve not in text_of(lisa.get(page_url).text)  # not for the one who started it
    assert omar.post(f"{page_url}/approve").status_code == 303
    made = lisa.post(f"{page_url}/code")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    assert code_heading in text_of(made.text)
    assert lisa.post(f"{page_url}/code").status_code == 409  # shown once
    assert omar.post(f"{page_url}/code").status_code == 403


def test_erasure_takes_the_participants_resets_with_it(team, db):
    people, clients = team
    _start(clients, people)
    gone = clients["anna"].request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert gone.status_code == 204, gone.text
    db.rollback()
    assert db.exec(select(AccountReset)).all() == []
