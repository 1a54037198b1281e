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
