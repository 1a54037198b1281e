"""Passkeys (issue 17, item 1): a signed-in person adds passkeys (password typed again) and signs
in with one alone; every challenge is used once, by the browser that asked, within minutes; a
wrong origin, relying party, counter or missing user verification is refused; wrong passwords
never lock a passkey out. Driven through the real API with a software authenticator."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.accounts.passkeys import REFUSED, SIGN_IN_TOO_LATE
from app.config import get_settings
from app.models import AuditEvent, LoginThrottle, Passkey, PasskeyChallenge
from app.models.enums import Role
from app.models.types import utcnow
from tests.factories import PASSWORD, login, make_team, make_user
from tests.passkey_authenticator import SoftPasskey, b64, new_passkey_for
from tests.web.page_client import Browser, text_of


def add_options(client, password: str = PASSWORD):
    return client.post("/api/v1/me/passkey-options", json={"password": password})


def add_passkey(client, name: str = "My phone", **spoil) -> tuple[SoftPasskey, object]:
    options = add_options(client)
    assert options.status_code == 200, options.text
    key = new_passkey_for(options.json()["options"])
    credential = key.registration(options.json()["options"], **spoil)
    return key, client.post("/api/v1/me/passkeys", json={"name": name, "credential": credential})


def added(client, name: str = "My phone") -> tuple[SoftPasskey, dict]:
    key, response = add_passkey(client, name)
    assert response.status_code == 201, response.text
    return key, response.json()


def sign_in_options(client) -> dict:
    response = client.post("/api/v1/auth/passkey-options")
    assert response.status_code == 200, response.text
    return response.json()["options"]


def options_of_anyone() -> dict:
    """Options as another browser got them (the answer to them is made without asking)."""
    return {"challenge": b64(b"c" * 64), "rpId": "testserver"}


def sign_in(client, key: SoftPasskey, **spoil):
    return client.post(
        "/api/v1/auth/passkey", json={"credential": key.assertion(sign_in_options(client), **spoil)}
    )


@pytest.fixture
def person(db):
    return make_user(db, Role.participant, team=make_team(db))


@pytest.fixture
def phone(client_factory, person):
    client = client_factory()
    login(client, person)
    return client


def test_a_passkey_added_on_one_device_signs_in_alone_on_another(client_factory, db, person, phone):
    key, passkey = added(phone, "  My   phone ")
    assert passkey["name"] == "My phone" and passkey["last_used_at"] is None
    assert phone.get("/api/v1/me/passkeys").json() == [passkey]

    laptop = client_factory()
    options = sign_in_options(laptop)
    assert options["userVerification"] == "required" and options["allowCredentials"] == []
    assert options["rpId"] == "testserver"
    response = laptop.post("/api/v1/auth/passkey", json={"credential": key.assertion(options)})
    assert response.status_code == 200, response.text
    assert response.json()["username"] == person.username
    laptop.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    assert laptop.get("/api/v1/me").status_code == 200  # a session, as after a password
    assert laptop.get("/api/v1/me/passkeys").json()[0]["last_used_at"] is not None
    assert phone.get("/api/v1/me").status_code == 200  # the other device stays signed in

    db.rollback()
    stored = db.exec(select(Passkey)).one()
    assert stored.sign_count == 1 and stored.backup_eligible and stored.backed_up
    assert stored.transports == "internal,hybrid"
    events = [(e.action, e.outcome, e.target) for e in db.exec(select(AuditEvent)).all()]
    assert ("account.passkey_add", "ok", str(stored.id)) in events
    assert ("auth.login", "ok", f"passkey:{stored.id}") in events
    # The export's sign-in history shows it too, and the passkey by name.
    exported = laptop.get("/api/v1/me/export").json()
    assert exported["passkeys"] == [
        {
            "name": "My phone",
            "created_at": passkey["created_at"],
            "last_used_at": exported["passkeys"][0]["last_used_at"],
        }
    ]
    assert exported["passkeys"][0]["last_used_at"] is not None
    assert "public_key" not in str(exported["passkeys"])


def test_adding_needs_the_password_again(phone, db):
    wrong = add_options(phone, "not my password")
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"field": "password", "message": "Your password is not correct."}]
    assert db.exec(select(PasskeyChallenge)).all() == []
    # Without the first step, the second finds no challenge.
    key = SoftPasskey(user_handle=b"0" * 16)
    bogus = key.registration({"challenge": b64(b"x" * 32), "rp": {"id": "testserver"}})
    response = phone.post("/api/v1/me/passkeys", json={"name": "Mine", "credential": bogus})
    assert response.status_code == 422 and response.json()["code"] == "passkey_challenge_expired"
    assert db.exec(select(Passkey)).all() == []


def test_a_challenge_is_used_once_even_when_the_first_answer_is_wrong(client_factory, phone):
    key, _ = added(phone)
    laptop = client_factory()
    options = sign_in_options(laptop)
    wrong = laptop.post(
        "/api/v1/auth/passkey", json={"credential": key.assertion(options, origin="https://evil.example")}
    )
    assert wrong.status_code == 401 and wrong.json()["detail"] == REFUSED
    # The right answer to the same challenge now comes too late.
    again = laptop.post("/api/v1/auth/passkey", json={"credential": key.assertion(options)})
    assert again.status_code == 401 and again.json()["detail"] == SIGN_IN_TOO_LATE
    assert again.json()["code"] == "passkey_challenge_expired"
    # A right answer replayed after it signed in is refused as well.
    options = sign_in_options(laptop)
    answer = key.assertion(options)
    assert laptop.post("/api/v1/auth/passkey", json={"credential": answer}).status_code == 200
    replayed = laptop.post("/api/v1/auth/passkey", json={"credential": answer})
    assert replayed.status_code == 401 and replayed.json()["code"] == "passkey_challenge_expired"


def test_a_challenge_belongs_to_the_browser_that_asked_for_it(client_factory, phone):
    key, _ = added(phone)
    asked, other = client_factory(), client_factory()
    answer = key.assertion(sign_in_options(asked))
    stolen = other.post("/api/v1/auth/passkey", json={"credential": answer})
    assert stolen.status_code == 401 and stolen.json()["code"] == "passkey_challenge_expired"


def test_a_challenge_ends_after_five_minutes(client_factory, phone, db):
    key, _ = added(phone)
    laptop = client_factory()
    options = sign_in_options(laptop)
    cookie = laptop.cookies.get("stem_passkey")
    assert cookie
    with db.get_bind().begin() as connection:
        connection.execute(update(PasskeyChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
    late = laptop.post("/api/v1/auth/passkey", json={"credential": key.assertion(options)})
    assert late.status_code == 401 and late.json()["code"] == "passkey_challenge_expired"


def test_the_challenge_cookie_is_strict_httponly_and_short(client):
    response = client.post("/api/v1/auth/passkey-options")
    cookie = response.headers["set-cookie"].lower()
    assert "stem_passkey=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "max-age=300" in cookie and "path=/" in cookie


def test_over_https_the_challenge_cookie_is_secure_and_host_prefixed(client_factory):
    response = client_factory("https://testserver").post("/api/v1/auth/passkey-options")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("__host-stem_passkey=") and "secure" in cookie and "path=/" in cookie


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        ({"origin": "https://evil.example"}, "another origin"),
        ({"origin": "http://testserver:8080"}, "another port"),
        ({"rp_id": "evil.example"}, "another relying party"),
        ({"verified": False}, "no user verification"),
        ({"user_handle": b"someone else"}, "another account's handle"),
    ],
)
def test_a_spoiled_sign_in_is_refused(client_factory, phone, spoil, why):
    key, _ = added(phone)
    laptop = client_factory()
    response = sign_in(laptop, key, **spoil)
    assert response.status_code == 401, why
    assert response.json()["detail"] == REFUSED
    assert laptop.get("/api/v1/me").status_code == 401
    assert sign_in(laptop, key).status_code == 200  # the passkey itself still works


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        ({"origin": "https://evil.example"}, "another origin"),
        ({"rp_id": "evil.example"}, "another relying party"),
        ({"verified": False}, "no user verification"),
    ],
)
def test_a_spoiled_passkey_is_not_added(phone, db, spoil, why):
    _key, response = add_passkey(phone, **spoil)
    assert response.status_code == 422, why
    assert response.json()["code"] == "passkey_not_verified"
    assert db.exec(select(Passkey)).all() == []


def test_a_counter_that_goes_back_is_refused(client_factory, phone):
    """A cloned authenticator falls behind the original's counter."""
    key, _ = added(phone)
    laptop = client_factory()
    assert sign_in(laptop, key, counter=7).status_code == 200
    assert sign_in(laptop, key, counter=7).status_code == 401
    assert sign_in(laptop, key, counter=3).status_code == 401
    assert sign_in(laptop, key, counter=8).status_code == 200


def test_an_unknown_or_removed_passkey_does_not_sign_in(client_factory, phone):
    key, passkey = added(phone)
    stranger = SoftPasskey(user_handle=key.user_handle)
    assert sign_in(client_factory(), stranger).status_code == 401
    assert phone.delete(f"/api/v1/me/passkeys/{passkey['id']}").status_code == 204
    assert phone.get("/api/v1/me/passkeys").json() == []
    response = sign_in(client_factory(), key)
    assert response.status_code == 401 and response.json()["detail"] == REFUSED


def test_a_deactivated_persons_passkey_does_not_sign_in(client_factory, db, phone, person):
    key, _ = added(phone)
    admin = client_factory()
    login(admin, make_user(db, Role.admin))
    assert admin.patch(f"/api/v1/users/{person.id}", json={"is_active": False}).status_code == 200
    laptop = client_factory()
    refused = sign_in(laptop, key)
    assert refused.status_code == 401 and refused.json()["detail"] == REFUSED
    assert laptop.get("/api/v1/me").status_code == 401


def test_wrong_passwords_do_not_lock_out_the_passkey(client_factory, db, phone, person):
    """Someone who types wrong passwords on purpose locks the password out for a while; the
    person's passkey still signs them in."""
    key, _ = added(phone)
    guesser = client_factory()
    for _ in range(8):
        guesser.post("/api/v1/auth/login", json={"username": person.username, "password": "a wrong guess"})
    locked = client_factory().post(
        "/api/v1/auth/login", json={"username": person.username, "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert sign_in(guesser, key).status_code == 200  # even from the guesser's own address
    assert sign_in(client_factory(), key).status_code == 200


def test_failed_passkey_answers_are_throttled_per_address(client_factory, db, person, phone, monkeypatch):
    key, _ = added(phone)
    monkeypatch.setattr(get_settings(), "login_max_failures_per_address", 3)
    stranger = SoftPasskey(user_handle=key.user_handle)
    prober = client_factory()
    for _ in range(3):
        assert sign_in(prober, stranger).status_code == 401
    throttled = prober.post("/api/v1/auth/passkey-options")
    assert throttled.status_code == 429 and 0 < int(throttled.headers["retry-after"]) <= 15 * 60
    assert (
        prober.post(
            "/api/v1/auth/passkey", json={"credential": key.assertion(options_of_anyone())}
        ).status_code
        == 429
    )
    # Passwords are counted apart: the same address still signs in with one.
    password = prober.post("/api/v1/auth/login", json={"username": person.username, "password": PASSWORD})
    assert password.status_code == 200
    keys = [row.key.split(":")[0] for row in db.exec(select(LoginThrottle)).all()]
    assert keys == ["pk-addr"]
    db.rollback()
    actions = [(e.action, e.outcome, e.target) for e in db.exec(select(AuditEvent)).all()]
    assert actions.count(("auth.login", "failed", "passkey")) == 3
    assert actions.count(("auth.login", "throttled", "passkey")) == 1  # one row per window


def test_another_person_cannot_list_or_remove_my_passkeys(client_factory, db, phone):
    _key, passkey = added(phone)
    other = client_factory()
    login(other, make_user(db, Role.clinician, team=make_team(db)))
    assert other.get("/api/v1/me/passkeys").json() == []
    gone = other.delete(f"/api/v1/me/passkeys/{passkey['id']}")
    assert gone.status_code == 404
    assert gone.json()["detail"] == "This passkey does not exist or is not yours."
    assert phone.get("/api/v1/me/passkeys").json() == [passkey]
    assert client_factory().get("/api/v1/me/passkeys").status_code == 401


def test_adding_a_passkey_twice_is_refused(phone):
    key, _ = added(phone)
    options = add_options(phone).json()["options"]
    # The browser is told which authenticators already hold one of this person's passkeys.
    assert [item["id"] for item in options["excludeCredentials"]] == [b64(key.credential_id)]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    again = phone.post("/api/v1/me/passkeys", json={"name": "Again", "credential": key.registration(options)})
    assert again.status_code == 409 and again.json()["code"] == "passkey_exists"


def test_an_add_challenge_belongs_to_its_login_session(client_factory, db, person, phone):
    """Started in one session, it cannot be finished in another of the same person."""
    options = add_options(phone).json()["options"]
    other_session = client_factory()
    login(other_session, person)
    other_session.cookies.set("stem_passkey", phone.cookies.get("stem_passkey"))
    key = new_passkey_for(options)
    response = other_session.post(
        "/api/v1/me/passkeys", json={"name": "Mine", "credential": key.registration(options)}
    )
    assert response.status_code == 422 and response.json()["code"] == "passkey_challenge_expired"


@pytest.mark.parametrize(
    "body",
    [
        b'{"credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "respo',  # half sent
        b"not json at all",
        b"[]",
        b"{}",
        b'{"credential": {"id": "!!!", "rawId": "AAAA", "type": "public-key", "response": {}}}',
        b'{"credential": {"id": "AAAAA", "rawId": "AAAAA", "type": "public-key", "response": '
        b'{"clientDataJSON": "AAAA", "authenticatorData": "AAAA", "signature": "AAAA"}}}',
        b'{"credential": {"id": "AAAA", "rawId": "AAAA", "type": "password", "response": '
        b'{"clientDataJSON": "AAAA", "authenticatorData": "AAAA", "signature": "AAAA"}}}',
    ],
)
def test_bad_sign_in_input_is_a_clear_422(client, body):
    client.post("/api/v1/auth/passkey-options")
    response = client.post("/api/v1/auth/passkey", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] and response.json()["code"] == "invalid"


def test_well_formed_garbage_is_refused_not_a_500(client_factory, phone):
    """Base64 that decodes to nonsense: the library's refusal, never a crash."""
    key, _ = added(phone)
    laptop = client_factory()
    good = key.assertion(sign_in_options(laptop))
    for part, junk in (
        ("clientDataJSON", b64(b"{not json")),
        ("authenticatorData", b64(b"short")),
        ("signature", b64(b"\x30\x02\x01")),
        ("userHandle", b64(b"")),
    ):
        spoiled = {**good, "response": {**good["response"], part: junk}}
        sign_in_options(laptop)
        response = laptop.post("/api/v1/auth/passkey", json={"credential": spoiled})
        assert response.status_code in (401, 422), (part, response.text)
    options = add_options(phone).json()["options"]
    credential = new_passkey_for(options).registration(options)
    credential["response"]["attestationObject"] = b64(b"\xa1\x63fmt\x64none")
    response = phone.post("/api/v1/me/passkeys", json={"name": "Junk", "credential": credential})
    assert response.status_code == 422 and response.json()["code"] == "passkey_not_verified"


def test_a_name_is_needed_and_kept_plain(phone):
    for name in ("   ", "a" * 61, "my\u202ephone"):
        options = add_options(phone).json()["options"]
        credential = new_passkey_for(options).registration(options)
        response = phone.post("/api/v1/me/passkeys", json={"name": name, "credential": credential})
        assert response.status_code == 422, name
        assert [error["field"] for error in response.json()["errors"]] == ["name"]


def test_the_account_page_lists_passkeys_and_removes_one_after_asking(
    client_factory, db, person, phone, monkeypatch
):
    _key, passkey = added(phone, "Kitchen tablet")
    # The list shows wherever the pages offer passkeys (not on http://testserver).
    monkeypatch.setattr(get_settings(), "public_base_url", "https://stem.example.org")
    browser = Browser(client_factory(), person)
    page = text_of(browser.get("/account").text)
    assert "Kitchen tablet" in page and "Not used yet" in page
    confirm = browser.get(f"/account/passkeys/{passkey['id']}/remove")
    assert confirm.status_code == 200 and "Kitchen tablet" in text_of(confirm.text)
    done = browser.post(f"/account/passkeys/{passkey['id']}/remove")
    assert done.status_code == 303 and done.headers["location"] == "/account?done=passkey_removed"
    assert "Kitchen tablet" not in text_of(browser.get("/account?done=passkey_removed").text)
    assert phone.get("/api/v1/me/passkeys").json() == []


def test_pages_offer_passkeys_only_where_browsers_make_them(client, monkeypatch):
    settings = get_settings()
    for base, offered in (
        ("https://stem.example.org", True),
        ("http://localhost:8000", True),
        ("http://127.0.0.1:8000", False),
        ("http://stem.example.org", False),
        ("file:///no/host", False),
    ):
        monkeypatch.setattr(settings, "public_base_url", base)
        page = client.get("/login").text
        assert ('autocomplete="username webauthn"' in page) is offered, base
        assert ("data-passkey-sign-in" in page) is offered, base


def test_the_pages_speak_dutch(client_factory, db, monkeypatch):
    monkeypatch.setattr(get_settings(), "public_base_url", "https://stem.example.org")
    user = make_user(db, Role.participant, team=make_team(db), locale="nl")
    browser = Browser(client_factory(), user)
    page = text_of(browser.get("/account").text)
    assert "Toegangssleutels" in page and "Toegangssleutel toevoegen" in page
    login_page = client_factory().get("/login", headers={"Accept-Language": "nl"}).text
    assert "Inloggen met een toegangssleutel" in text_of(login_page)


def test_a_person_keeps_a_bounded_number_of_passkeys(phone, monkeypatch):
    from app.accounts import passkeys

    monkeypatch.setattr(passkeys, "MAX_PASSKEYS", 2)
    added(phone, "One")
    added(phone, "Two")
    refused = add_options(phone)
    assert refused.status_code == 409 and refused.json()["code"] == "too_many_passkeys"
    assert refused.json()["detail"] == "You have 2 passkeys, the most Stem keeps. Remove one first."
