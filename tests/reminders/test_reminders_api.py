"""Turning reminders on and off per device, and choosing when: one's own devices only, every
refusal in the person's language."""

import base64
import stat

import pytest
from sqlmodel import select

from app.models import PushSubscription
from app.models.enums import Role
from tests.factories import login, make_team, make_user
from tests.security.test_authorization_matrix import push_subscription


def signed_in(client, db, role=Role.participant, **fields):  # type: ignore[no-untyped-def]
    user = make_user(db, role, team=make_team(db), **fields)
    login(client, user)
    return user


def test_a_device_is_added_listed_and_turned_off(client, db):  # type: ignore[no-untyped-def]
    signed_in(client, db)
    assert client.get("/api/v1/me/push-devices").json() == []
    subscription = push_subscription("me")
    added = client.post("/api/v1/me/push-devices", json=subscription)
    assert added.status_code == 201, added.text
    device = added.json()
    assert device["push_service"] == "push.example.test" and device["label"] == "Phone of me"
    assert subscription["endpoint"] not in added.text and subscription["keys"]["auth"] not in added.text
    # the same browser again: updated, not doubled
    again = client.post("/api/v1/me/push-devices", json=subscription | {"label": "Renamed"})
    assert again.json()["id"] == device["id"]
    listed = client.get("/api/v1/me/push-devices").json()
    assert [(d["id"], d["label"]) for d in listed] == [(device["id"], "Renamed")]
    assert client.delete(f"/api/v1/me/push-devices/{device['id']}").status_code == 204
    assert client.get("/api/v1/me/push-devices").json() == []


def test_the_subscription_is_checked_in_the_persons_language(client, db):  # type: ignore[no-untyped-def]
    signed_in(client, db, locale="nl")
    good = push_subscription("me")
    cases = {
        "endpoint": [good | {"endpoint": "http://push.example.test/x"}, good | {"endpoint": "not a url"}],
        "keys": [
            good | {"keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}},
            good | {"keys": {"p256dh": good["keys"]["p256dh"], "auth": "A" * 30}},
            good | {"keys": {"p256dh": "!" * 87, "auth": good["keys"]["auth"]}},
        ],
    }
    for field_name, bodies in cases.items():
        for body in bodies:
            response = client.post("/api/v1/me/push-devices", json=body)
            assert response.status_code == 422, (body, response.text)
            [error] = response.json()["errors"]
            assert error["field"] == field_name
            assert "herinneringen" in error["message"], error
    assert client.get("/api/v1/me/push-devices").json() == []


def test_nobody_else_can_see_or_turn_off_my_device(client_factory, db):  # type: ignore[no-untyped-def]
    mine, other = client_factory(), client_factory()
    signed_in(mine, db)
    signed_in(other, db)
    device = mine.post("/api/v1/me/push-devices", json=push_subscription("me")).json()
    assert other.get("/api/v1/me/push-devices").json() == []
    assert other.delete(f"/api/v1/me/push-devices/{device['id']}").status_code == 404
    assert (
        other.post(f"/account/push-devices/{device['id']}/remove", follow_redirects=False).status_code == 404
    )
    anonymous = client_factory()
    assert anonymous.get("/api/v1/me/push-devices").status_code == 401
    assert anonymous.delete(f"/api/v1/me/push-devices/{device['id']}").status_code == 401
    assert len(mine.get("/api/v1/me/push-devices").json()) == 1


def test_a_browser_that_someone_else_turned_on_becomes_the_new_persons(client_factory, db):  # type: ignore[no-untyped-def]
    """A shared computer: the reminders of whoever turned them on there before stop."""
    first, second = client_factory(), client_factory()
    signed_in(first, db)
    signed_in(second, db)
    subscription = push_subscription("shared")
    assert first.post("/api/v1/me/push-devices", json=subscription).status_code == 201
    assert second.post("/api/v1/me/push-devices", json=subscription).status_code == 201
    assert first.get("/api/v1/me/push-devices").json() == []
    assert len(second.get("/api/v1/me/push-devices").json()) == 1


def test_a_forged_request_adds_no_device(client_factory, db):  # type: ignore[no-untyped-def]
    client = client_factory()
    signed_in(client, db)
    del client.headers["X-CSRF-Token"]
    response = client.post("/api/v1/me/push-devices", json=push_subscription("forged"))
    assert response.status_code == 403
    db.rollback()
    assert db.exec(select(PushSubscription)).all() == []


def test_settings_have_defaults_and_can_be_changed(client, db):  # type: ignore[no-untyped-def]
    signed_in(client, db)
    assert client.get("/api/v1/me/reminder-settings").json() == {
        "appointment_tomorrow": True,
        "appointment_checkin": True,
        "shared_for_appointment": True,
        "appointment_tomorrow_at": "18:00",
        "quiet_from": "21:00",
        "quiet_until": "08:00",
    }
    changed = client.patch("/api/v1/me/reminder-settings", json={"appointment_tomorrow_at": "19:30"})
    assert changed.json()["appointment_tomorrow_at"] == "19:30"
    switched = client.patch(
        "/api/v1/me/reminder-settings", json={"appointment_checkin": False, "shared_for_appointment": False}
    )
    assert switched.status_code == 200, switched.text
    assert client.get("/api/v1/me/reminder-settings").json() == {
        "appointment_tomorrow": True,
        "appointment_checkin": False,
        "shared_for_appointment": False,
        "appointment_tomorrow_at": "19:30",
        "quiet_from": "21:00",
        "quiet_until": "08:00",
    }
    same = client.patch("/api/v1/me/reminder-settings", json={"quiet_from": "08:00"})
    assert same.status_code == 422 and same.json()["errors"][0]["field"] == "quiet_until"


@pytest.mark.parametrize("given", ["25:00", "18:00Z", "18:00+01:00", "6pm", "18.00", "", 64800])
def test_a_time_that_is_not_a_time_of_day_is_refused_in_the_persons_language(client, db, given):  # type: ignore[no-untyped-def]
    signed_in(client, db)
    refused = client.patch("/api/v1/me/reminder-settings", json={"appointment_tomorrow_at": given})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] == "This is not a time of day; write it as 18:00."
    client.cookies.set("stem_locale", "nl")
    client.patch("/api/v1/me", json={"locale": "nl"})
    refused = client.patch("/api/v1/me/reminder-settings", json={"quiet_from": given})
    assert refused.json()["errors"][0]["message"] == "Dit is geen tijdstip; schrijf het als 18:00."
    assert client.get("/api/v1/me/reminder-settings").json()["appointment_tomorrow_at"] == "18:00"


def test_the_account_page_offers_reminders_and_saves_their_settings(client, db):  # type: ignore[no-untyped-def]
    signed_in(client, db)
    page = client.get("/account")
    assert "Reminders on this device" in page.text
    assert 'name="appointment_tomorrow"' in page.text and 'name="appointment_checkin"' in page.text
    assert 'name="shared_for_appointment"' not in page.text
    assert 'src="/static/js/reminders.js"' in page.text
    assert "Reminders are off on all your devices." in page.text
    form = {
        "appointment_tomorrow": "",
        "appointment_tomorrow_at": "07:15",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
    }
    form["csrf_token"] = client.headers["X-CSRF-Token"]
    saved = client.post("/account/reminders", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert client.get("/api/v1/me/reminder-settings").json() == {
        "appointment_tomorrow": False,
        "appointment_checkin": False,
        "shared_for_appointment": True,  # not offered to a participant: left as it was
        "appointment_tomorrow_at": "07:15",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
    }
    refused = client.post("/account/reminders", data=form | {"quiet_from": "nonsense"})
    assert refused.status_code == 422
    assert 'value="nonsense"' in refused.text
    device = client.post("/api/v1/me/push-devices", json=push_subscription("page")).json()
    assert "Phone of page" in client.get("/account").text
    off = client.post(
        f"/account/push-devices/{device['id']}/remove",
        data={"csrf_token": form["csrf_token"]},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert client.get("/api/v1/me/push-devices").json() == []


def test_the_public_key_is_the_browsers_application_server_key(client, db, monkeypatch):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid02

    from app.config import get_settings
    from app.reminders import vapid

    signed_in(client, db)
    served = client.get("/api/v1/me/push-key").json()["application_server_key"]
    assert served == vapid.application_server_key()
    assert stat.S_IMODE((get_settings().data_dir / vapid.KEY_FILE).stat().st_mode) == 0o600
    # given in settings instead (STEM_VAPID_PRIVATE_KEY): that key is used
    given = Vapid02()
    given.generate_keys()
    public = given.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    monkeypatch.setattr(get_settings(), "vapid_private_key", given.private_pem().decode())
    vapid.signing_key.cache_clear()
    try:
        assert base64.urlsafe_b64decode(vapid.application_server_key() + "==") == public
    finally:
        monkeypatch.undo()
        vapid.signing_key.cache_clear()
    assert vapid.application_server_key() == served


@pytest.mark.parametrize("given", ["maybe", "true", "yes", 1, 0, 2, None, [True], {"on": True}])
def test_a_switch_that_is_not_true_or_false_is_refused_in_the_persons_language(client, db, given):  # type: ignore[no-untyped-def]
    signed_in(client, db, locale="nl")
    for name in ("appointment_tomorrow", "appointment_checkin", "shared_for_appointment"):
        refused = client.patch("/api/v1/me/reminder-settings", json={name: given})
        if given is None:  # "leave as it is", like every field of a partial update
            assert refused.status_code == 200, refused.text
            continue
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == name and error["message"] == "Dit moet waar of niet waar zijn.", error
    assert client.get("/api/v1/me/reminder-settings").json()["appointment_checkin"] is True
    unknown = client.patch("/api/v1/me/reminder-settings", json={"morning_summary": True})
    assert unknown.status_code == 422


def test_a_person_reads_and_changes_only_their_own_settings(client_factory, db):  # type: ignore[no-untyped-def]
    """There is no way to name someone else's settings: each reads and writes their own."""
    anna, lisa, anonymous = client_factory(), client_factory(), client_factory()
    signed_in(anna, db)
    signed_in(lisa, db, role=Role.clinician)
    assert anna.patch("/api/v1/me/reminder-settings", json={"appointment_checkin": False}).status_code == 200
    assert (
        lisa.patch("/api/v1/me/reminder-settings", json={"shared_for_appointment": False}).status_code == 200
    )
    annas, lisas = (
        anna.get("/api/v1/me/reminder-settings").json(),
        lisa.get("/api/v1/me/reminder-settings").json(),
    )
    assert (annas["appointment_checkin"], annas["shared_for_appointment"]) == (False, True)
    assert (lisas["appointment_checkin"], lisas["shared_for_appointment"]) == (True, False)
    assert anonymous.get("/api/v1/me/reminder-settings").status_code == 401
    assert (
        anonymous.patch("/api/v1/me/reminder-settings", json={"appointment_checkin": False}).status_code
        == 401
    )


def test_a_clinician_is_offered_only_the_clinicians_kind(client, db):  # type: ignore[no-untyped-def]
    signed_in(client, db, role=Role.clinician)
    page = client.get("/account")
    assert "Reminders on this device" in page.text
    assert 'src="/static/js/reminders.js"' in page.text
    assert "sent you something for tomorrow's appointment" in page.text.replace("&#39;", "'")
    assert 'name="shared_for_appointment"' in page.text
    assert 'name="appointment_tomorrow"' not in page.text and 'name="appointment_checkin"' not in page.text
    form = {"appointment_tomorrow_at": "17:00", "quiet_from": "22:00", "quiet_until": "07:00"}
    form["csrf_token"] = client.headers["X-CSRF-Token"]
    saved = client.post("/account/reminders", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert client.get("/api/v1/me/reminder-settings").json() == {
        "appointment_tomorrow": True,  # not offered to a clinician: left as it was
        "appointment_checkin": True,
        "shared_for_appointment": False,  # unticked
        "appointment_tomorrow_at": "17:00",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
    }
    ticked = client.post(
        "/account/reminders", data=form | {"shared_for_appointment": "on"}, follow_redirects=False
    )
    assert ticked.status_code == 303
    assert client.get("/api/v1/me/reminder-settings").json()["shared_for_appointment"] is True
    refused = client.post(
        "/account/reminders", data=form | {"shared_for_appointment": "on", "quiet_until": "22:00"}
    )
    assert refused.status_code == 422
    assert 'name="shared_for_appointment" value="on" checked' in refused.text


def test_the_account_page_names_the_kinds_in_dutch(client, db):  # type: ignore[no-untyped-def]
    signed_in(client, db, locale="nl")
    assert "Vraag me na een afspraak hoe het ging" in client.get("/account").text
    client.post("/logout")
    signed_in(client, db, role=Role.clinician, locale="nl")
    text = client.get("/account").text
    assert "Laat het me de dag ervoor weten als een deelnemer me iets stuurde voor een afspraak" in text
