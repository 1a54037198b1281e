"""Offline capture in a real Chromium on a phone: saves made without a connection wait in the
IndexedDB outbox ("waiting to be sent"), are sent when the connection is back or on the next start,
and arrive on the server exactly once. A save the server refuses on replay is shown with its
reason and its words are not lost."""

from typing import Any

from sqlmodel import Session, select

from app.models import Entry, User
from app.models.enums import Role
from tests.browser.conftest import sign_in, until_controlled, wait_until_outbox_empty
from tests.factories import PASSWORD, make_team, make_user

BODY = "#write-body"
RESULT = "[data-capture-result]"
SAVE = "form[data-capture] button[type=submit]"
WAITING = "[data-outbox-list] .outbox__item"


def bodies(db: Session, user: User) -> list[str]:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    found = [entry.body for entry in db.exec(select(Entry).where(Entry.author_id == user.id)).all()]
    db.commit()
    return sorted(found)


def open_write(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/write")
    page.wait_for_selector(BODY)
    # The service worker controls the page, so static files also come when offline.
    until_controlled(page)


def queued_count(page: Any) -> int:
    return int(page.locator(WAITING).count())


def wait_until_sent(page: Any, user: User) -> None:
    """Until the outbox on this device is empty (each record leaves it only once the server has
    answered it), then until this page's list says so too (other tabs tell it by broadcast)."""
    wait_until_outbox_empty(page, str(user.id))
    page.wait_for_function("() => document.querySelectorAll('[data-outbox-list] .outbox__item').length === 0")


def script_errors(page: Any, errors: list[str]) -> None:
    # A request that fails offline is logged by Chromium itself; that is expected here.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "ERR_INTERNET_DISCONNECTED" not in message.text
            else None
        ),
    )


def test_entries_written_offline_are_sent_once_when_back_online(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    errors: list[str] = []
    script_errors(page, errors)
    sign_in(page, live_server, user.username, PASSWORD)

    open_write(page, live_server)
    page.fill(BODY, "Written online")
    page.click(SAVE)
    page.wait_for_selector(f"{RESULT}:has-text('Saved.')")

    context.set_offline(True)
    for words in ["First on the train", "Second in the tunnel"]:
        page.fill(BODY, words)
        page.click(SAVE)
        page.wait_for_selector(f"{WAITING}:has-text('{words.split()[0]}')")
        page.wait_for_function(f"() => document.querySelector('{BODY}').value === ''")
    assert page.inner_text("[data-outbox]").count("waiting to be sent") == 2
    page.wait_for_selector(f"{RESULT}:has-text('sent as soon as there is a connection')")
    assert bodies(db, user) == ["Written online"]

    # Logging out now would lose them: the first press only warns.
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_selector("[data-outbox-warning-text]:has-text('not sent yet')")
    assert "/write" in page.url

    # Back online, a fresh start of the app sends what waited (the `online` event may already
    # have done so in this tab: the server's idempotent create keeps each entry single).
    context.set_offline(False)
    second = context.new_page()
    script_errors(second, errors)
    open_write(second, live_server)
    wait_until_sent(second, user)
    wait_until_sent(page, user)
    assert bodies(db, user) == ["First on the train", "Second in the tunnel", "Written online"]

    # Replaying again changes nothing.
    second.reload()
    second.wait_for_selector(BODY)
    assert second.evaluate("() => import('/static/js/outbox.js').then((outbox) => outbox.replay())") == 0
    assert bodies(db, user) == ["First on the train", "Second in the tunnel", "Written online"]
    second.goto(f"{live_server}/journal")
    second.wait_for_selector("text=Second in the tunnel")
    assert errors == []


def test_the_online_event_sends_the_outbox(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    open_write(page, live_server)
    context.set_offline(True)
    page.fill(BODY, "Sent when the connection is back")
    page.click(SAVE)
    page.wait_for_selector(f"{WAITING}:has-text('waiting to be sent')")
    context.set_offline(False)  # fires `online` in the page
    wait_until_sent(page, user)
    assert bodies(db, user) == ["Sent when the connection is back"]


def test_a_queued_entry_the_server_refuses_shows_why_and_keeps_the_words(
    live_server, browser_context_factory, db
):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    open_write(page, live_server)
    context.set_offline(True)
    page.evaluate(f"document.querySelector('{BODY}').value = 'y'.repeat(5001)")
    page.dispatch_event(BODY, "input")
    page.click(SAVE)
    page.wait_for_selector(f"{WAITING}:has-text('waiting to be sent')")
    assert page.input_value(BODY) == ""

    context.set_offline(False)
    page.wait_for_selector("[data-outbox-problems]:has-text('an entry can hold at most 5000')")
    page.wait_for_selector("[data-outbox-problems]:has-text('kept as a draft')")
    assert queued_count(page) == 0
    # The words are back in the form, and kept as a draft through a reload.
    assert len(page.input_value(BODY)) == 5001
    page.reload()
    page.wait_for_selector("[data-draft-status]:has-text('Your unsaved text is back')")
    assert len(page.input_value(BODY)) == 5001
    assert bodies(db, user) == []


def test_an_edit_made_offline_is_sent_when_back_online(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    open_write(page, live_server)
    page.fill(BODY, "Before the edit")
    page.click(SAVE)
    page.wait_for_selector(f"{RESULT}:has-text('Saved.')")
    entry_id = page.get_attribute(f"{RESULT} a", "href").rsplit("/", 1)[-1]

    page.goto(f"{live_server}/entries/{entry_id}/edit")
    page.wait_for_selector("#edit-body")
    context.set_offline(True)
    page.fill("#edit-body", "After the edit, made offline")
    page.click("form[data-capture-edit] button[type=submit]")
    page.wait_for_selector(f"{WAITING}:has-text('change waiting to be sent')")
    page.wait_for_selector("form[data-capture-edit] [data-capture-result]:has-text('sent as soon as')")
    assert bodies(db, user) == ["Before the edit"]

    context.set_offline(False)
    wait_until_sent(page, user)
    assert bodies(db, user) == ["After the edit, made offline"]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes(':edit:'))") == []
