"""The audit log: what is recorded, that it holds no text, and that tampering is detected."""

import threading

import pytest
from sqlalchemy import text, update
from sqlmodel import col, select

from app.audit.service import person_ref, verify
from app.cli import main
from app.models import AuditEvent, AuditPerson
from app.models.enums import Role
from tests.factories import PASSWORD, login, make_team, make_user
from tests.sharing.conftest import CANARY


def events(db) -> list[AuditEvent]:
    db.rollback()
    return list(db.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all())


def actions(db) -> list[tuple[str, str]]:
    return [(event.action, event.outcome) for event in events(db)]


def test_the_world_leaves_a_trail(world, db):
    recorded = actions(db)
    assert ("auth.login", "ok") in recorded
    assert ("share.create", "ok") in recorded
    assert ("share.revoke", "ok") in recorded
    world.clients["psych"].get(f"/api/v1/clinician/participants/{world.users['owner'].id}/entries")
    read = [e for e in events(db) if e.action == "clinician.read"]
    # One event per entry opened, naming the entry: what the participant's access log reads.
    assert sorted(e.target for e in read) == sorted([world.entry_id("team"), world.entry_id("psych_only")])
    for event in read:
        assert event.actor_ref == person_ref(db, world.users["psych"].id)
        assert event.subject_ref == person_ref(db, world.users["owner"].id)
        assert event.actor_role == "clinician"
        assert event.client_address == "testclient"
    assert verify(db).ok


def test_every_clinician_read_of_participant_data_is_an_audit_event(world, db):
    owner_ref = person_ref(db, world.users["owner"].id)
    psych = world.clients["psych"]
    owner_id = world.users["owner"].id
    psych.get(f"/clinician/participants/{owner_id}")  # the page
    psych.get(f"/api/v1/clinician/participants/{owner_id}/entries", params={"kind": "question"})  # filtered
    psych.get(f"/api/v1/entries/{world.entry_id('team')}/responses")  # the participant's notes
    reads = [(e.action, e.target) for e in events(db) if e.subject_ref == owner_ref and e.actor_role]
    team, psych_only = world.entry_id("team"), world.entry_id("psych_only")
    assert sorted(r for r in reads if r[0].startswith("clinician.read")) == sorted(
        [
            ("clinician.read", team),
            ("clinician.read", psych_only),
            ("clinician.read", team),
            ("clinician.read_responses", team),
        ]
    )
    # A preparation with nothing to show is still an opening of the participant's page.
    world.clients["physician"].get(f"/api/v1/clinician/participants/{owner_id}/entries?kind=goal")
    assert ("clinician.read", None) in [(e.action, e.target) for e in events(db)]
    assert verify(db).ok


def test_failures_and_refusals_are_recorded(client, db):
    user = make_user(db, Role.participant)
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"username": user.username, "password": "wrong guess here"})
    client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    recorded = actions(db)
    assert recorded.count(("auth.login", "failed")) == 5
    assert ("auth.login", "throttled") in recorded
    failed = [e for e in events(db) if e.outcome == "failed"]
    assert failed[0].subject_ref == person_ref(db, user.id)


def test_admin_actions_exports_and_logouts_are_recorded(client_factory, db, world):
    admin = world.clients["admin"]
    admin.post("/api/v1/teams", json={"name": "New team"})
    admin.patch(f"/api/v1/users/{world.users['fellow'].id}", json={"is_active": False})
    world.clients["owner"].get("/api/v1/me/export")
    world.clients["physio"].post("/api/v1/auth/logout")
    recorded = {action for action, _ in actions(db)}
    assert {"admin.team_create", "admin.account_deactivate", "privacy.export", "auth.logout"} <= recorded


def test_no_text_or_secret_ever_reaches_the_log(world, db):
    world.clients["psych"].post(
        f"/api/v1/entries/{world.entry_id('psych_only')}/responses", json={"kind": "reply", "body": CANARY}
    )
    dump = " ".join(
        str(value) for event in events(db) for value in event.model_dump().values() if value is not None
    )
    assert CANARY not in dump
    assert PASSWORD not in dump
    assert "Shared with everyone" not in dump
    assert str(world.users["owner"].id) not in dump  # people appear only as pseudonyms


def test_an_intact_chain_verifies(world, db, capsys):
    result = verify(db)
    assert result.ok
    assert result.checked == len(events(db))
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "rehash_one"])
def test_tampering_is_detected(world, db, tamper, capsys):
    rows = events(db)
    assert len(rows) > 5
    middle = rows[len(rows) // 2]
    if tamper == "edit":
        db.execute(update(AuditEvent).where(col(AuditEvent.seq) == middle.seq).values(outcome="failed"))
    elif tamper == "delete":
        db.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": middle.seq})
    elif tamper == "reorder":
        other = rows[len(rows) // 2 + 1]
        db.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = :a"), {"a": middle.seq})
        db.execute(text("UPDATE audit_events SET seq = :a WHERE seq = :b"), {"a": middle.seq, "b": other.seq})
        db.execute(text("UPDATE audit_events SET seq = :b WHERE seq = -1"), {"b": other.seq})
    else:
        # A forger recomputes one row's hash after editing it: the next link still breaks.
        from app.audit.service import _digest

        middle.action = "auth.logout"
        db.execute(
            update(AuditEvent)
            .where(col(AuditEvent.seq) == middle.seq)
            .values(action="auth.logout", hash=_digest(middle))
        )
    db.commit()
    result = verify(db)
    assert not result.ok
    assert result.at_seq in {middle.seq, middle.seq + 1}
    assert main(["audit", "verify"]) == 2
    assert "BROKEN" in capsys.readouterr().err


def test_a_rewritten_tail_is_caught_without_the_key(world, db):
    """Someone who can write to the database changes a row and recomputes every later hash, with
    the unkeyed SHA-256 of before and with a key of their own: without STEM_SECRET_KEY, the chain
    breaks at the changed row."""
    import hashlib
    import hmac

    from app.audit.service import _canonical

    rows = events(db)
    middle = len(rows) // 2
    for forge in ("sha256", "own key"):
        db.rollback()
        prev = rows[middle - 1].hash
        for event in rows[middle:]:
            event = db.get(AuditEvent, event.seq)
            if event.seq == rows[middle].seq:
                event.outcome = "failed"
            event.prev_hash = prev
            canonical = _canonical(event)
            if forge == "sha256":
                event.hash = prev = hashlib.sha256(canonical).hexdigest()
            else:
                event.hash = prev = hmac.new(b"k" * 32, canonical, hashlib.sha256).hexdigest()
        db.commit()
        result = verify(db)
        assert not result.ok
        assert result.at_seq == rows[middle].seq
        assert result.problem == "a row was changed"


def test_another_secret_key_fails_at_the_first_row_and_says_why(world, db, monkeypatch):
    from app.config import get_settings

    assert verify(db).ok
    monkeypatch.setattr(get_settings(), "secret_key", "another-secret-key-that-is-long-enough-0123456789")
    result = verify(db)
    assert not result.ok and result.at_seq == 1
    assert "STEM_SECRET_KEY" in (result.problem or "")
    monkeypatch.setattr(get_settings(), "audit_key", "the-old-secret-is-not-this-one-either-0123456789")
    assert not verify(db).ok


def test_erasure_keeps_the_rows_but_not_the_person(world, db):
    owner_ref = person_ref(db, world.users["owner"].id)
    before = [e for e in events(db) if owner_ref in (e.actor_ref, e.subject_ref)]
    assert before
    response = world.clients["owner"].request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True}
    )
    assert response.status_code == 204
    after = [e for e in events(db) if owner_ref in (e.actor_ref, e.subject_ref)]
    assert len(after) == len(before) + 1
    assert after[-1].action == "privacy.erase"
    assert db.get(AuditPerson, owner_ref) is None
    assert verify(db).ok


def test_concurrent_writers_keep_one_chain(client_factory, db):
    team = make_team(db)
    users = [make_user(db, Role.participant, team=team) for _ in range(6)]
    clients = [client_factory() for _ in users]

    def sign_in(client, user):
        login(client, user)

    threads = [threading.Thread(target=sign_in, args=pair) for pair in zip(clients, users, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.action for e in events(db)].count("auth.login") == 6
    assert verify(db).ok


def test_pseudonyms_survive_a_new_secret_key(world, db, monkeypatch):
    from app.config import get_settings

    before = person_ref(db, world.users["physio"].id)
    # The rotation as docs/security.md describes it: the old secret stays the audit chain's.
    monkeypatch.setattr(get_settings(), "audit_key", get_settings().secret_key)
    monkeypatch.setattr(get_settings(), "secret_key", "a-completely-different-secret-key-0123456789")
    world.clients["physio"].get("/api/v1/clinician/participants")
    response = world.clients["physio"].post("/api/v1/auth/logout", headers={"X-CSRF-Token": "ignored"})
    assert response.status_code == 403  # the CSRF token was bound to the old key: refused, not a 500
    from tests.factories import PASSWORD as PW

    again = world.clients["fellow"].post(
        "/api/v1/auth/login", json={"username": world.users["physio"].username, "password": PW}
    )
    assert again.status_code == 200
    assert person_ref(db, world.users["physio"].id) == before
    assert verify(db).ok
