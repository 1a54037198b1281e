"""Reminders in a real Chromium: the permission is asked only after the button is pressed; where
the browser cannot reach a push service (this headless Chromium has none) the page says so
plainly; a push delivered to the service worker (DevTools protocol) shows its generic words, and
clicking it takes the open window to the page it names."""

import json
import time
from typing import Any

from app.models.enums import Role
from tests.browser.conftest import PHONE, sign_in, until_controlled
from tests.factories import PASSWORD, make_team, make_user

FAILED = "Reminders could not be turned on on this device"
WORDS = "Your appointment is tomorrow. Anything you want to put on the agenda?"


def _registration_id(cdp: Any, page: Any, scope: str) -> str:
    found: list[str] = []

    def updated(event: dict[str, Any]) -> None:
        for registration in event.get("registrations", []):
            if registration.get("scopeURL") == scope and not registration.get("isDeleted"):
                found.append(registration["registrationId"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not found and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert found, "no service worker registration reported"
    return found[-1]


def test_turning_reminders_on_asks_after_the_press_and_says_when_it_fails(
    live_server, browser_context_factory, db
):  # type: ignore[no-untyped-def]
    participant = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, participant.username, PASSWORD)
    page.goto(f"{live_server}/account")
    until_controlled(page)
    # Nothing asked on arrival: the permission is still "default".
    assert page.evaluate("() => Notification.permission") == "default"
    context.grant_permissions(["notifications"], origin=live_server)
    page.get_by_role("button", name="Turn on reminders on this device").click()
    problem = page.locator("[data-push-problem]")
    problem.filter(has_text=FAILED).wait_for(timeout=40_000)
    assert page.url.endswith("/account")

    # A push as a push service would bring it: the worker shows the generic words.
    cdp = context.new_cdp_session(page)
    registration = _registration_id(cdp, page, f"{live_server}/")
    payload = {"title": "Stem", "body": WORDS, "url": "/appointments", "kind": "appointment_tomorrow"}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server, "registrationId": registration, "data": json.dumps(payload)},
    )
    shown: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        shown = page.evaluate(
            """() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) =>
                 list.map((n) => ({ title: n.title, body: n.body, url: n.data && n.data.url })))"""
        )
        page.wait_for_timeout(200)
    assert shown == [{"title": "Stem", "body": WORDS, "url": "/appointments"}]

    # Clicking it: the open Stem window goes to the reminder's page. (DevTools cannot click a
    # notification, so the worker receives the click event the browser would send it, made in
    # the worker; a click made that way may not focus a window, which a real one does.)
    page.goto(f"{live_server}/journal")
    until_controlled(page)
    worker = next(w for w in context.service_workers if w.url.endswith("/sw.js"))
    worker.evaluate(
        """() => self.registration.getNotifications().then((list) => {
             self.dispatchEvent(new NotificationEvent("notificationclick", { notification: list[0] }));
           })"""
    )
    page.wait_for_url(f"{live_server}/appointments")
    page.wait_for_selector("h1")
    assert (
        page.evaluate(
            "() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((l) => l.length)"
        )
        == 0
    )


def test_the_reminder_times_are_fields_as_large_as_the_others_on_a_phone(
    live_server, browser_context_factory, db
):  # type: ignore[no-untyped-def]
    """Tired hands on a 390 px phone: each time field is a full-width target of at least 44 px,
    like the other fields of the account page (it was a 24 px box the browser drew)."""
    participant = make_user(db, Role.participant, team=make_team(db))
    page = browser_context_factory(PHONE).new_page()
    sign_in(page, live_server, participant.username, PASSWORD)
    page.goto(f"{live_server}/account")
    times = page.locator("input[type=time]")
    assert times.count() == 3
    text = page.locator("input[type=text]").first.bounding_box()
    assert text is not None
    for index in range(3):
        box = times.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= 44, box
        assert abs(box["width"] - text["width"]) < 1, (box, text)


def test_a_clinician_turns_reminders_on_and_sees_the_generic_words(live_server, browser_context_factory, db):  # type: ignore[no-untyped-def]
    """Clinicians get the reminders section too, with their own kind only; the push of their kind
    shows the same kind of generic words: no name, no entry."""
    team = make_team(db)
    participant = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team)
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, clinician.username, PASSWORD)
    page.goto(f"{live_server}/account")
    until_controlled(page)
    assert page.get_by_role("button", name="Turn on reminders on this device").is_visible()
    switch = page.get_by_label(
        "Tell me the day before when a participant sent me something for an appointment"
    )
    assert switch.is_checked()
    assert page.locator('input[name="appointment_checkin"], input[name="appointment_tomorrow"]').count() == 0
    switch.uncheck()
    page.get_by_role("button", name="Save").last.click()
    page.wait_for_url("**/account?done=reminders")
    assert not page.get_by_label(
        "Tell me the day before when a participant sent me something for an appointment"
    ).is_checked()

    context.grant_permissions(["notifications"], origin=live_server)
    cdp = context.new_cdp_session(page)
    registration = _registration_id(cdp, page, f"{live_server}/")
    words = "A participant sent you something for tomorrow's appointment."
    url = f"/clinician/participants/{participant.id}"
    payload = {"title": "Stem", "body": words, "url": url, "kind": "shared_for_appointment"}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server, "registrationId": registration, "data": json.dumps(payload)},
    )
    shown: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        shown = page.evaluate(
            """() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) =>
                 list.map((n) => ({ title: n.title, body: n.body, url: n.data && n.data.url })))"""
        )
        page.wait_for_timeout(200)
    assert shown == [{"title": "Stem", "body": words, "url": url}]
    assert participant.display_name not in json.dumps(shown)
