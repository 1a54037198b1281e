"""Recovery codes (issue 17, item 2): a person who forgot their password gets back in with a
one-time code and a new password; nobody else can, every other session ends, and only hashes
are kept."""

import re

import pytest
from sqlmodel import select

from app.models import AuditEvent, RecoveryCode, User
from app.models.enums import Role
from tests.factories import PASSWORD, login, make_team, make_user
from tests.web.page_client import Browser, text_of

NEW = "a fresh sentence I can remember"
WRONG = "This username and recovery code do not belong together, or the code was used before."


def make_codes(client) -> list[str]:
    response = client.post("/api/v1/me/recovery-codes", json={"password": PASSWORD})
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    codes = response.json()["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){5}", code) for code in codes)
    return codes


def recover(client, username: str, code: str, password: str = NEW):
    return client.post(
        "/api/v1/auth/recover", json={"username": username, "recovery_code": code, "new_password": password}
    )


def test_a_code_and_a_new_password_get_the_person_back_in_once(client_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    phone = client_factory()
    login(phone, user)
    codes = make_codes(phone)
    assert phone.get("/api/v1/me/recovery-codes").json()["remaining"] == 10
    # Only hashes are stored.
    stored = " ".join(row.code_hash for row in db.exec(select(RecoveryCode)).all())
    assert not any(code.replace("-", "") in stored.upper() for code in codes)

    laptop = client_factory()
    typed = codes[3].lower().replace("-", " ")  # as read from paper: small letters, spaces
    back = recover(laptop, f"  {user.username.upper()} ", typed)
    assert back.status_code == 200, back.text
    assert back.json()["username"] == user.username
    assert laptop.get("/api/v1/me").status_code == 200  # signed in
    assert phone.get("/api/v1/me").status_code == 401  # every other session ended
    assert (
        client_factory()
        .post("/api/v1/auth/login", json={"username": user.username, "password": NEW})
        .status_code
        == 200
    )
    assert (
        client_factory()
        .post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
        .status_code
        == 401
    )
    # Used up: the same code again is refused, the others still work (9 left).
    again = recover(client_factory(), user.username, codes[3], "another sentence to remember")
    assert again.status_code == 401 and again.json()["detail"] == WRONG
    assert laptop.get("/api/v1/me/recovery-codes").json()["remaining"] == 9
    db.rollback()  # a fresh read of what the app wrote since
    actions = [(e.action, e.outcome) for e in db.exec(select(AuditEvent)).all()]
    assert ("account.recovery_codes", "ok") in actions
    assert ("auth.recover", "ok") in actions and ("auth.recover", "failed") in actions


def test_a_new_set_ends_the_old_one(client_factory, db):
    user = make_user(db, Role.clinician, team=make_team(db))
    client = client_factory()
    login(client, user)
    old = make_codes(client)
    new = make_codes(client)
    assert recover(client_factory(), user.username, old[0]).status_code == 401
    assert recover(client_factory(), user.username, new[0]).status_code == 200


def test_a_code_works_only_for_its_own_account(client_factory, db):
    team = make_team(db)
    anna, bram = make_user(db, team=team), make_user(db, team=team)
    client = client_factory()
    login(client, anna)
    codes = make_codes(client)
    refused = recover(client_factory(), bram.username, codes[0])
    assert refused.status_code == 401 and refused.json()["detail"] == WRONG
    # An unknown name gets the very same answer (nothing tells whether an account exists).
    unknown = recover(client_factory(), "nobody-at-all", codes[0])
    assert unknown.status_code == 401 and unknown.json() == refused.json()
    assert recover(client_factory(), anna.username, codes[0]).status_code == 200


def test_nothing_is_made_or_changed_without_the_right_password_or_a_good_new_one(client_factory, db):
    user = make_user(db, team=make_team(db))
    client = client_factory()
    login(client, user)
    wrong = client.post("/api/v1/me/recovery-codes", json={"password": "not my password"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "password"
    assert client.post("/api/v1/me/recovery-codes", json={}).status_code == 422
    assert db.exec(select(RecoveryCode)).all() == []
    codes = make_codes(client)
    weak = recover(client_factory(), user.username, codes[0], "tiny1")
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"
    assert "tiny1" not in weak.text  # the typed password is never echoed
    half = client_factory().post("/api/v1/auth/recover", json={"username": user.username})
    assert half.status_code == 422
    assert client.get("/api/v1/me/recovery-codes").json()["remaining"] == 10  # nothing used
    db.rollback()
    assert db.get(User, user.id).password_hash == user.password_hash


def test_guessing_codes_is_throttled(client_factory, db):
    user = make_user(db, team=make_team(db))
    client = client_factory()
    login(client, user)
    codes = make_codes(client)
    guesser = client_factory()
    statuses = [recover(guesser, user.username, f"AAAA-BBBB-{n:04d}").status_code for n in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    # Even the right code waits now: the account's counter is over its limit.
    assert recover(guesser, user.username, codes[0]).status_code == 429
    # Sign-ins by password are counted apart: the guesser did not lock the person out.
    assert (
        client_factory()
        .post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
        .status_code
        == 200
    )


def test_anonymous_callers_cannot_make_or_read_codes(client):
    assert client.get("/api/v1/me/recovery-codes").status_code == 401
    assert client.post("/api/v1/me/recovery-codes", json={"password": PASSWORD}).status_code in {401, 403}


@pytest.mark.parametrize(
    ("locale", "heading", "button", "done"),
    [
        ("en", "Your recovery codes", "Get back in", "You are back in, with your new password."),
        ("nl", "Je herstelcodes", "Weer inloggen", "Je bent weer binnen, met je nieuwe wachtwoord."),
    ],
)
def test_the_pages_make_codes_and_take_one_back_in(client_factory, db, locale, heading, button, done):
    user = make_user(db, team=make_team(db), locale=locale)
    browser = Browser(client_factory(), user)
    account = browser.get("/account").text
    assert 'action="/account/recovery-codes"' in account
    wrong = browser.post("/account/recovery-codes", {"password": "not it"})
    assert wrong.status_code == 422
    made = browser.post("/account/recovery-codes", {"password": PASSWORD})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    assert heading in text_of(made.text)
    codes = re.findall(r"<code>([0-9A-Z-]{29})</code>", made.text)
    assert len(codes) == 10
    assert "10" in text_of(browser.get("/account").text)

    stranger = client_factory()
    stranger.follow_redirects = False
    stranger.headers["Accept-Language"] = locale
    form = stranger.get("/recover")
    assert form.status_code == 200 and button in text_of(form.text)
    bad = stranger.post(
        "/recover",
        data={"username": user.username, "recovery_code": "QWRT-ZXCV-7H8J", "new_password": NEW},
    )
    assert bad.status_code == 401
    assert user.username in bad.text and NEW not in bad.text  # the name stays, the password never comes back
    assert "QWRT" not in bad.text  # nor a refused code: a paper code is not left on a shared screen
    ok = stranger.post(
        "/recover",
        data={"username": user.username, "recovery_code": codes[0], "new_password": NEW},
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/?done=recovered"
    assert done in text_of(stranger.get("/?done=recovered").text)
    assert browser.get("/account").status_code == 303  # the old session is over


def test_the_login_page_points_to_the_recovery_codes(client):
    page = client.get("/login").text
    assert 'href="/recover"' in page


@pytest.mark.parametrize(
    ("locale", "ways"),
    [
        ("en", ["A passkey.", "A recovery code.", "Your care team."]),
        ("nl", ["Een toegangssleutel.", "Een herstelcode.", "Je zorgteam."]),
    ],
)
def test_forgot_your_password_names_three_ways_in_order(client, locale, ways):
    """Issue 17, item 5: passkey, recovery code, ask your team: in that order."""
    client.headers["Accept-Language"] = locale
    text = text_of(client.get("/login").text)
    positions = [text.index(way) for way in ways]
    assert positions == sorted(positions)
    recover = text_of(client.get("/recover").text)
    assert ("passkey" in recover) or ("toegangssleutel" in recover)


def test_the_codes_page_says_old_codes_stop_only_when_there_were_old_codes(client_factory, db):
    browser = Browser(client_factory(), make_user(db, team=make_team(db), locale="en"))
    first = text_of(browser.post("/account/recovery-codes", {"password": PASSWORD}).text)
    assert "Each code works once." in first and "Your old codes no longer work." not in first
    second = text_of(browser.post("/account/recovery-codes", {"password": PASSWORD}).text)
    assert "Your old codes no longer work." in second
