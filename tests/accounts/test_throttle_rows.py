"""Throttle rows name nobody: keyed by an HMAC (a list of usernames hashed does not find them),
and an erasure removes the account's row (issue 12, item 6; both databases)."""

import hashlib

from sqlmodel import select

from app.models import LoginThrottle
from app.models.enums import Role
from tests.factories import PASSWORD, login, make_team, make_user


def test_an_erasure_removes_the_accounts_throttle_row_and_keys_are_not_plain_hashes(client, db):
    user = make_user(db, Role.participant, team=make_team(db), username="throttled-person")
    assert (
        client.post("/api/v1/auth/login", json={"username": user.username, "password": "wrong"}).status_code
        == 401
    )
    keys = [row.key for row in db.exec(select(LoginThrottle)).all()]
    db.commit()
    plain = hashlib.sha256(b"throttled-person").hexdigest()
    assert any(key.startswith("account:") for key in keys)
    assert not any(plain in key for key in keys)

    login(client, user)
    response = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "confirm": True})
    assert response.status_code == 204
    left = [row.key for row in db.exec(select(LoginThrottle)).all()]
    db.commit()
    assert not any(key.startswith("account:") for key in left)


def test_a_refused_flood_writes_one_audit_row_per_key_and_window(client, db):
    """Issue 12, item 5: anonymous clients cannot grow the audit log without bound. After the
    account is locked, 40 more attempts leave one "throttled" row and write nothing else (each
    refusal costs a read); the refusals are still each a line in the security log."""
    from sqlalchemy import func

    from app.models import AuditEvent

    def counts() -> tuple[int, int, int]:
        db.rollback()
        throttled = db.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "throttled")
        ).one()
        rows = db.exec(select(func.count()).select_from(AuditEvent)).one()
        failures = sum(row.failures for row in db.exec(select(LoginThrottle)).all())
        db.commit()
        return throttled, rows, failures

    user = make_user(db, Role.participant, username="flooded-person")
    attempt = {"username": user.username, "password": "a wrong guess"}
    statuses = [client.post("/api/v1/auth/login", json=attempt).status_code for _ in range(5)]
    assert statuses == [401] * 5
    assert client.post("/api/v1/auth/login", json=attempt).status_code == 429
    first = counts()
    assert first[0] == 1
    for _ in range(40):
        assert client.post("/api/v1/auth/login", json=attempt).status_code == 429
    assert counts() == first

    # Another account's lockout is its own row.
    other = make_user(db, Role.participant, username="other-flooded")
    for _ in range(6):
        client.post("/api/v1/auth/login", json={"username": other.username, "password": "a wrong guess"})
    assert counts()[0] == 2
