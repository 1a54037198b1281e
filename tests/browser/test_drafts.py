"""A half-written entry is never lost on the page, in a real Chromium on a phone-sized screen:
kept on the device while typing, back after a reload or a closed tab, gone once the server has
confirmed the save, which happens exactly once."""

from typing import Any

from sqlmodel import Session, select

from app.models import Entry, User
from app.models.enums import Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, login, make_team, make_user

BODY = "#write-body"
STATUS = "form[data-draft-key='write'] [data-draft-status]"
RESULT = "[data-capture-result]"


def bodies(db: Session, user: User) -> list[str]:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    found = [entry.body for entry in db.exec(select(Entry).where(Entry.author_id == user.id)).all()]
    db.commit()
    return found


def open_write(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/write")
    page.wait_for_selector(BODY)


def type_words(page: Any, words: str) -> None:
    page.fill(BODY, words)
    page.wait_for_selector(f"{STATUS}:has-text('Draft kept on this device.')")


def test_a_draft_survives_reload_and_closed_tab_and_is_cleared_after_one_save(
    live_server, browser_context_factory, db
):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, user.username, PASSWORD)

    open_write(page, live_server)
    type_words(page, "Words typed\nbefore a reload")
    page.reload()
    page.wait_for_selector(f"{STATUS}:has-text('Your unsaved text is back')")
    assert page.input_value(BODY) == "Words typed\nbefore a reload"

    # The tab is closed without warning; a new tab on the same phone finds the words again.
    page.click("label[for=write-kind-question]")
    type_words(page, "Words typed before the tab closed")
    page.close()
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    open_write(page, live_server)
    page.wait_for_selector(f"{STATUS}:has-text('Your unsaved text is back')")
    assert page.input_value(BODY) == "Words typed before the tab closed"
    assert page.is_checked("#write-kind-question")

    # Saved once, even when the button is pressed twice; the draft is gone and the form is ready.
    page.click("form[data-capture] button[type=submit]")
    page.click("form[data-capture] button[type=submit]")
    page.wait_for_selector(f"{RESULT}:has-text('Saved.')")
    assert page.input_value(BODY) == ""
    assert page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':write'))") == []
    assert bodies(db, user) == ["Words typed before the tab closed"]
    page.reload()
    page.wait_for_selector(BODY)
    assert page.input_value(BODY) == ""

    # Only a choice made, no words typed: it comes back, and the page does not speak of text.
    page.click("label[for=write-kind-feeling]")
    page.wait_for_selector(f"{STATUS}:has-text('Draft kept on this device.')")
    page.reload()
    page.wait_for_selector(f"{STATUS}:has-text('Your unsaved choices are back')")
    assert page.is_checked("#write-kind-feeling")
    assert "text" not in page.inner_text(STATUS)
    assert errors == []  # no CSP violations or script errors


def test_without_a_connection_the_words_stay_and_are_sent_later(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    page = browser_context_factory().new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    open_write(page, live_server)
    type_words(page, "Written on the train")

    page.route("**/api/v1/entries", lambda route: route.abort("internetdisconnected"))
    page.click("form[data-capture] button[type=submit]")
    page.wait_for_selector(f"{RESULT}:has-text('Not sent yet')")
    assert page.input_value(BODY) == "Written on the train"
    assert page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':write'))") != []
    assert bodies(db, user) == []

    page.unroute("**/api/v1/entries")
    page.click("form[data-capture] button[type=submit]")
    page.wait_for_selector(f"{RESULT}:has-text('Saved.')")
    assert bodies(db, user) == ["Written on the train"]


def test_a_refused_save_shows_the_reason_and_keeps_the_words(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    page = browser_context_factory().new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    open_write(page, live_server)
    type_words(page, "x" * 5001)
    page.click("form[data-capture] button[type=submit]")
    page.wait_for_selector(f"{RESULT}:has-text('an entry can hold at most 5000')")
    assert len(page.input_value(BODY)) == 5001
    assert bodies(db, user) == []


def test_without_javascript_the_form_saves_and_the_journal_says_so(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    page = browser_context_factory(java_script_enabled=False).new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    open_write(page, live_server)
    page.fill(BODY, "No scripts needed")
    page.click("form[data-capture] button[type=submit]")
    page.wait_for_url("**/journal?done=saved*")
    assert "Saved. It is private until you choose to share it." in page.content()
    assert bodies(db, user) == ["No scripts needed"]


def test_an_edit_that_lost_a_race_is_kept_on_the_device_too(
    live_server, browser_context_factory, client_factory, db
):
    user = make_user(db, Role.participant, team=make_team(db))
    phone = client_factory()
    login(phone, user)
    entry = phone.post("/api/v1/entries", json={"kind": "thought", "body": "First words"}).json()
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/entries/{entry['id']}/edit")
    page.fill("#edit-body", "Typed on my laptop")
    # Meanwhile the phone saves another version.
    assert (
        phone.patch(
            f"/api/v1/entries/{entry['id']}", json={"body": "Saved on my phone"}, headers={"If-Match": '"1"'}
        ).status_code
        == 200
    )
    page.click("form[data-draft-key] button[type=submit]")
    page.wait_for_selector("text=This entry was changed somewhere else")
    assert "Saved on my phone" in page.inner_text(".entry-text--saved")
    assert page.input_value("#edit-body") == "Typed on my laptop"
    page.wait_for_selector("[data-draft-status]:has-text('Draft kept on this device.')")

    # Even if this tab is closed now, the laptop's words come back on the next edit.
    page.close()
    page = context.new_page()
    page.goto(f"{live_server}/entries/{entry['id']}/edit")
    page.wait_for_selector("[data-draft-status]:has-text('Your unsaved text is back')")
    assert page.input_value("#edit-body") == "Typed on my laptop"
    page.click("form[data-draft-key] button[type=submit]")
    page.wait_for_url(f"**/entries/{entry['id']}?done=edited")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes(':edit:'))") == []
    assert bodies(db, user) == ["Typed on my laptop"]


def test_someone_else_signing_in_on_the_device_never_sees_the_draft(live_server, browser_context_factory, db):
    team = make_team(db)
    first, second = make_user(db, Role.participant, team=team), make_user(db, Role.participant, team=team)
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, first.username, PASSWORD)
    open_write(page, live_server)
    type_words(page, "private words of the first person")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.endsWith(':write'))")
    context.clear_cookies()  # the session ran out; nobody logged out
    sign_in(page, live_server, second.username, PASSWORD)
    open_write(page, live_server)
    assert page.locator("textarea[name=body]").input_value() == ""
    assert "private words" not in page.content()
