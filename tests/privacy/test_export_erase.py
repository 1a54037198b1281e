"""GDPR: a participant exports all their data and can erase all of it; nobody else can."""

import re

from sqlalchemy import func
from sqlmodel import select

from app.models import (
    AgendaItem,
    Appointment,
    CalendarFeed,
    Entry,
    EntryRead,
    EntryResponse,
    LoginSession,
    Passkey,
    PasskeyChallenge,
    RecoveryCode,
    Share,
    TeamMembership,
    TeamShareDecision,
    User,
)
from app.models.enums import Role
from tests.factories import PASSWORD, make_user
from tests.passkey_authenticator import new_passkey_for
from tests.sharing.conftest import CANARY, in_future


def _count(db, model) -> int:
    db.rollback()  # a fresh snapshot: see what the app committed since
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def test_export_holds_everything_of_mine_and_nothing_of_others(world, db):
    owner, psych = world.clients["owner"], world.clients["psych"]
    psych.get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries")
    psych.post(
        f"/api/v1/entries/{world.entry_id('team')}/responses", json={"kind": "reply", "body": "Swim, yes."}
    )
    psych.post(
        "/api/v1/appointments",
        json={"participant_id": str(world.users["owner"].id), "starts_at": in_future()},
    )
    world.clients["fellow"].post("/api/v1/entries", json={"kind": "thought", "body": "fellow's own words"})
    joiner = make_user(db, Role.clinician, team=world.team)
    assert owner.put(f"/api/v1/me/team-joiners/{joiner.id}", json={"allowed": False}).status_code == 200
    response = owner.get("/api/v1/me/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["profile"]["display_name"] == "Anna"
    assert data["profile"]["care_team"] == "Rehab team"
    assert {e["id"] for e in data["entries"]} == {world.entry_id(n) for n in world.entries}  # trash included
    assert CANARY in response.text
    assert any(s["revoked_at"] for s in data["shares"])
    assert [r["body"] for r in data["responses"]] == ["Swim, yes."]
    assert len(data["appointments"]) == 1
    assert {item["clinician_discipline"] for item in data["access_log"]} == {"psychologist"}
    assert "fellow's own words" not in response.text
    assert "password" not in response.text
    assert [(a["clinician_id"], a["allowed"]) for a in data["team_joiner_answers"]] == [
        (str(joiner.id), False)
    ]
    assert data["calendar_link"] == {"on": False, "created_at": None}


def test_the_export_says_whether_my_calendar_link_is_on_and_never_holds_it(world, db):
    owner = world.clients["owner"]
    made = owner.post("/appointments/calendar-link", data={"csrf_token": owner.headers["X-CSRF-Token"]})
    assert made.status_code == 200
    token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", made.text).group(1)
    token_hash = db.exec(select(CalendarFeed.token_hash)).one()
    response = owner.get("/api/v1/me/export")
    link = response.json()["calendar_link"]
    assert link["on"] is True and link["created_at"]
    assert token not in response.text and token_hash not in response.text
    # someone else's export says nothing of it
    assert world.clients["fellow"].get("/api/v1/me/export").json()["calendar_link"]["on"] is False


def test_only_the_participant_exports_their_own(world):
    for actor in ("psych", "physio", "admin"):
        response = world.clients[actor].get("/api/v1/me/export")
        assert response.status_code == 403
        assert CANARY not in response.text
    assert world.clients["fellow"].get("/api/v1/me/export").json()["entries"] == []


def test_erase_removes_every_trace(world, db, client_factory):
    owner = world.clients["owner"]
    owner_id = world.users["owner"].id
    owner_username = world.users["owner"].username
    psych = world.clients["psych"]
    psych.get(f"/api/v1/clinician/participants/{owner_id}/entries")
    psych.post(f"/api/v1/entries/{world.entry_id('team')}/responses", json={"kind": "reply", "body": "ok"})
    appointment = psych.post(
        "/api/v1/appointments", json={"participant_id": str(owner_id), "starts_at": in_future()}
    )
    owner.put(
        f"/api/v1/appointments/{appointment.json()['id']}/agenda",
        json={"entry_ids": [world.entry_id("team")]},
    )
    joiner = make_user(db, Role.clinician, team=world.team)
    assert owner.put(f"/api/v1/me/team-joiners/{joiner.id}", json={"allowed": True}).status_code == 200
    fellow_entry = world.clients["fellow"].post("/api/v1/entries", json={"kind": "thought", "body": "stays"})
    assert fellow_entry.status_code == 201
    assert owner.post("/api/v1/me/recovery-codes", json={"password": PASSWORD}).status_code == 201
    options = owner.post("/api/v1/me/passkey-options", json={"password": PASSWORD}).json()["options"]
    passkey = {"name": "My phone", "credential": new_passkey_for(options).registration(options)}
    assert owner.post("/api/v1/me/passkeys", json=passkey).status_code == 201
    # a ceremony begun and never finished
    assert owner.post("/api/v1/me/passkey-options", json={"password": PASSWORD}).status_code == 200
    made = owner.post("/appointments/calendar-link", data={"csrf_token": owner.headers["X-CSRF-Token"]})
    calendar_path = re.search(r"/calendar/[A-Za-z0-9_-]+\.ics", made.text).group(0)
    assert client_factory().get(calendar_path).status_code == 200
    before = {
        model: _count(db, model)
        for model in (
            Entry,
            Share,
            EntryResponse,
            EntryRead,
            TeamShareDecision,
            RecoveryCode,
            Passkey,
            CalendarFeed,
        )
    }
    assert all(before.values())

    response = owner.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert response.status_code == 204
    assert "storage" in response.headers["clear-site-data"]
    db.rollback()
    db.expunge_all()
    assert db.get(User, owner_id) is None
    assert _count(db, Entry) == 1  # only the fellow's entry stays
    for model in (
        Share, EntryResponse, EntryRead, Appointment, AgendaItem, TeamShareDecision, RecoveryCode, CalendarFeed
    ):  # fmt: skip
        assert _count(db, model) == 0, model
    assert client_factory().get(calendar_path).status_code == 404  # the calendar link is gone too
    assert _count(db, Passkey) == 0 and _count(db, PasskeyChallenge) == 0
    assert db.exec(select(LoginSession).where(LoginSession.user_id == owner_id)).all() == []
    assert db.exec(select(TeamMembership).where(TeamMembership.user_id == owner_id)).all() == []
    assert owner.get("/api/v1/me").status_code == 401
    again = client_factory().post(
        "/api/v1/auth/login", json={"username": owner_username, "password": PASSWORD}
    )
    assert again.status_code == 401
    prep = psych.get(f"/api/v1/clinician/participants/{owner_id}/entries")
    assert prep.status_code == 404


def test_erase_needs_the_password_and_a_confirmation(world, db):
    owner = world.clients["owner"]
    wrong = owner.request("DELETE", "/api/v1/me", json={"password": "not my password", "confirm": True})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "password"
    unconfirmed = owner.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": False})
    assert unconfirmed.status_code == 422
    missing = owner.request("DELETE", "/api/v1/me", json={})
    assert missing.status_code == 422
    assert "not my password" not in wrong.text
    assert db.get(User, world.users["owner"].id) is not None
    assert owner.get("/api/v1/me").status_code == 200


def test_nobody_else_can_erase_a_participant(world, db):
    for actor in ("psych", "admin"):
        response = world.clients[actor].request(
            "DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True}
        )
        assert response.status_code == 403
    assert _count(db, User) == len(world.users)
    assert world.clients["owner"].get(f"/api/v1/entries/{world.entry_id('private')}").status_code == 200


def test_the_export_holds_my_own_sign_in_history_and_nobody_elses(client_factory, db):
    """Issue 12, item 6: the export left out the participant's own sign-ins and failed attempts."""
    from app.models.enums import Role
    from tests.factories import login, make_team, make_user

    team = make_team(db)
    me, other = make_user(db, Role.participant, team=team), make_user(db, Role.participant, team=team)
    stranger = client_factory()
    assert (
        stranger.post(
            "/api/v1/auth/login", json={"username": me.username, "password": "wrong one"}
        ).status_code
        == 401
    )
    login(stranger, other)
    mine = client_factory()
    login(mine, me)
    exported = mine.get("/api/v1/me/export")
    assert exported.status_code == 200
    sign_ins = exported.json()["sign_ins"]
    assert [(item["action"], item["outcome"]) for item in sign_ins] == [
        ("auth.login", "failed"),
        ("auth.login", "ok"),
    ]
    assert all(item["client_address"] for item in sign_ins)
    assert exported.json()["recovery_codes"] == {"remaining": 0, "total": 0, "created_at": None}
    assert mine.post("/api/v1/me/recovery-codes", json={"password": PASSWORD}).status_code == 201
    codes = mine.get("/api/v1/me/export").json()["recovery_codes"]
    assert (codes["remaining"], codes["total"]) == (10, 10) and codes["created_at"]
    assert mine.get("/api/v1/me/export").json()["passkeys"] == []


def test_reminders_are_exported_without_keys_and_erased_with_the_account(world, db):
    """Push devices (name, push service host, since when: never the address or keys), reminder
    settings and reminders are in the export, and go with the account."""
    from datetime import timedelta

    from app.models import PushOutboxItem, PushSubscription, ReminderSettings
    from app.models.types import utcnow
    from tests.security.test_authorization_matrix import push_subscription

    owner = world.clients["owner"]
    subscription = push_subscription("owner")
    assert owner.post("/api/v1/me/push-devices", json=subscription).status_code == 201
    changed = {"quiet_from": "22:30", "appointment_checkin": False}
    assert owner.patch("/api/v1/me/reminder-settings", json=changed).status_code == 200
    appointment = Appointment(
        participant_id=world.users["owner"].id,
        clinician_id=world.users["psych"].id,
        starts_at=utcnow() + timedelta(days=1),
    )
    db.add(appointment)
    db.flush()
    db.add(
        PushOutboxItem(
            user_id=world.users["owner"].id,
            kind="appointment_tomorrow",
            appointment_id=appointment.id,
            due_at=utcnow(),
            expires_at=appointment.starts_at,
        )
    )
    db.commit()

    response = owner.get("/api/v1/me/export")
    data = response.json()
    [device] = data["push_devices"]
    assert device["push_service"] == "push.example.test" and device["label"] == "Phone of owner"
    assert subscription["endpoint"] not in response.text
    assert subscription["keys"]["p256dh"] not in response.text
    assert data["reminder_settings"]["quiet_from"] == "22:30"
    assert data["reminder_settings"]["appointment_checkin"] is False
    assert data["reminder_settings"]["shared_for_appointment"] is True
    assert [r["kind"] for r in data["reminders"]] == ["appointment_tomorrow"]
    assert world.clients["fellow"].get("/api/v1/me/export").json()["push_devices"] == []

    erased = owner.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert erased.status_code == 204
    for model in (PushSubscription, ReminderSettings, PushOutboxItem):
        assert _count(db, model) == 0, model
