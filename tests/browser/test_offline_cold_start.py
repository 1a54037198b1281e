"""Offline from a cold start: a participant who opens Stem without a connection gets a form to
write with (from the service worker's shell, which holds nothing personal), sees what waits, and
each entry arrives once when the connection is back. Nobody else on the device sees any of it."""

from typing import Any

from sqlmodel import Session, select

from app.models import Entry, User
from app.models.enums import Role
from tests.browser.conftest import (
    evaluate_when_settled,
    outbox_records,
    sign_in,
    until_controlled,
    wait_until_outbox_empty,
)
from tests.factories import PASSWORD, make_team, make_user

SHELL_FORM = "[data-offline-writer]:not([hidden]) form[data-offline-capture]"
WAITING = "[data-outbox-list] .outbox__item"


def bodies(db: Session, user: User) -> list[str]:
    db.commit()
    db.expire_all()
    found = sorted(entry.body for entry in db.exec(select(Entry).where(Entry.author_id == user.id)).all())
    db.commit()
    return found


def controlled(page: Any, base_url: str) -> None:
    """Until the service worker controls this page (its shell is then in the cache)."""
    page.goto(f"{base_url}/write")
    until_controlled(page)


def test_a_participant_writes_from_a_cold_start_offline(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    controlled(page, live_server)
    page.close()

    context.set_offline(True)
    cold = context.new_page()
    cold.goto(f"{live_server}/")  # the start URL, opened without a connection
    cold.wait_for_selector(SHELL_FORM)
    assert cold.locator("h1").inner_text() == "You are offline"
    html = cold.content()
    assert user.username not in html and user.display_name not in html  # nothing personal in the shell
    for words in ["Written on the train", "Written in the waiting room"]:
        cold.fill("#write-body", words)
        cold.click(f"{SHELL_FORM} button[type=submit]")
        cold.wait_for_selector(f"{WAITING}:has-text('{words.split()[-1]}')")
        cold.wait_for_function("() => document.querySelector('#write-body').value === ''")
    assert len(outbox_records(cold, str(user.id))) == 2
    ids = {record["id"] for record in outbox_records(cold, str(user.id))}
    assert len(ids) == 2  # each save its own id

    cold.reload()  # still offline: both are listed as waiting
    cold.wait_for_selector(SHELL_FORM)
    cold.wait_for_function("() => document.querySelectorAll('[data-outbox-list] .outbox__item').length === 2")
    assert bodies(db, user) == []

    context.set_offline(False)  # the shell reloads into the real page, which sends the outbox
    cold.wait_for_function("() => !document.querySelector('meta[name=stem-offline-shell]')")
    wait_until_outbox_empty(cold, str(user.id))
    assert bodies(db, user) == ["Written in the waiting room", "Written on the train"]
    # A second start sends nothing twice. (Home may still load itself again to show what
    # arrived: the second start is a tab of its own.)
    again = context.new_page()
    again.goto(f"{live_server}/write")
    again.wait_for_selector("#write-body")
    replay = "() => import('/static/js/outbox.js').then((outbox) => outbox.replay())"
    assert evaluate_when_settled(again, replay) == 0
    assert bodies(db, user) == ["Written in the waiting room", "Written on the train"]


def test_the_shell_offers_nothing_to_write_to_anyone_else(live_server, browser_context_factory, db):
    team = make_team(db)
    first = make_user(db, Role.participant, team=team)
    clinician = make_user(db, Role.clinician, team=team)
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, first.username, PASSWORD)
    controlled(page, live_server)
    context.set_offline(True)
    page.goto(f"{live_server}/journal")
    page.wait_for_selector(SHELL_FORM)
    page.fill("#write-body", "Only mine")
    page.click(f"{SHELL_FORM} button[type=submit]")
    page.wait_for_selector(f"{WAITING}:has-text('Only mine')")
    context.set_offline(False)
    page.wait_for_function("() => !document.querySelector('meta[name=stem-offline-shell]')")
    wait_until_outbox_empty(page, str(first.id))
    # (The journal may still load itself again to show what arrived: go on in a tab of its own.)
    page.close()
    page = context.new_page()

    # A clinician signs in on the same device: offline, the shell names nobody and offers no form.
    page.goto(f"{live_server}/account")
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url(lambda url: "/login" in url or url.rstrip("/") == live_server)
    sign_in(page, live_server, clinician.username, PASSWORD)
    page.goto(f"{live_server}/clinician")
    until_controlled(page)
    context.set_offline(True)
    page.goto(f"{live_server}/write")
    page.wait_for_selector("[data-offline-nobody]:not([hidden])")
    assert page.locator("[data-offline-writer]").is_hidden()
    assert "Only mine" not in page.content()
    context.set_offline(False)


def test_every_open_page_says_sent_and_the_journal_shows_what_arrived(
    live_server, browser_context_factory, db
):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    writer = context.new_page()
    sign_in(writer, live_server, user.username, PASSWORD)
    controlled(writer, live_server)
    journal = context.new_page()
    journal.goto(f"{live_server}/journal")
    journal.wait_for_selector("h1")

    context.set_offline(True)
    writer.fill("#write-body", "Written where there was no signal")
    writer.click("form[data-capture] button[type=submit]")
    writer.wait_for_selector(f"{WAITING}:has-text('waiting to be sent')")
    writer.wait_for_selector("[data-capture-result]:has-text('kept on this device')")
    # The journal tab hears of it from the other tab.
    journal.wait_for_selector(f"{WAITING}:has-text('no signal')")

    context.set_offline(False)  # `online`: the writing tab sends the outbox
    wait_until_outbox_empty(writer, str(user.id))
    assert bodies(db, user) == ["Written where there was no signal"]
    writer.wait_for_selector("[data-outbox-sent]:has-text('Sent. Your entries are in your journal.')")
    writer.wait_for_selector("[data-capture-result]:has-text('Sent.')")
    assert "kept on this device" not in writer.inner_text("main")
    assert writer.locator(WAITING).count() == 0
    # The journal loads itself again: the entry is there, and it says "Sent".
    journal.wait_for_selector("text=Written where there was no signal")
    journal.wait_for_selector("[data-outbox-sent]:has-text('Sent.')")
    assert journal.locator(WAITING).count() == 0
    assert "kept on this device" not in journal.inner_text("main")


def test_the_shell_speaks_the_participants_language_and_follows_a_change(
    live_server, browser_context_factory, db
):
    """A Dutch participant on an English browser gets the offline shell in Dutch, on a 390 px
    phone; after they switch to English, the next offline start is in English."""
    user = make_user(db, Role.participant, team=make_team(db), locale="nl")
    context = browser_context_factory(locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    controlled(page, live_server)
    page.close()

    context.set_offline(True)
    cold = context.new_page()
    cold.goto(f"{live_server}/write")
    cold.wait_for_selector(SHELL_FORM)
    assert cold.locator("html").get_attribute("lang") == "nl"
    assert cold.locator("h1").inner_text() == "Je bent offline"
    assert cold.locator("label[for=write-body]").inner_text().startswith("Jouw woorden")
    cold.fill("#write-body", "Geschreven in de trein")
    cold.click(f"{SHELL_FORM} button[type=submit]:has-text('Bewaren op dit apparaat')")
    cold.wait_for_selector(f"{WAITING}:has-text('trein')")
    assert "wacht op verzenden" in cold.inner_text(WAITING).lower()
    assert cold.evaluate("() => document.scrollingElement.scrollWidth") <= 390

    context.set_offline(False)
    cold.wait_for_function("() => !document.querySelector('meta[name=stem-offline-shell]')")
    wait_until_outbox_empty(cold, str(user.id))
    assert bodies(db, user) == ["Geschreven in de trein"]
    cold.wait_for_selector("[data-outbox-sent]:has-text('Verstuurd. Je notities staan in je dagboek.')")

    # They choose English; the shell on this device follows.
    cold.click(".language-switch button[value=en]")
    cold.wait_for_selector("html[lang=en]")
    # The page loaded after the change tells the service worker, which renews its copies.
    cold.wait_for_function(
        """() => caches.match('/offline').then((shell) => shell?.headers.get('Content-Language') === 'en')"""
    )
    cold.wait_for_function(
        """() => caches.match('/help').then((help) => help?.headers.get('Content-Language') === 'en')"""
    )
    context.set_offline(True)
    later = context.new_page()
    later.goto(f"{live_server}/")
    later.wait_for_selector(SHELL_FORM)
    assert later.locator("h1").inner_text() == "You are offline"


def test_sent_is_still_said_when_the_journal_meets_the_offline_page_on_its_way_back(
    live_server, browser_context_factory, db
):
    """The journal loads itself again to show what another tab sent, flagging "just sent" for
    the load that comes. When that load meets a connection that is not quite back (the browser's
    network for the service worker can lag a page's), the offline page stands in; once the
    server answers it goes back to the journal, which must still say "Sent." (the flag is
    carried across, not used up by the offline page). The send itself is the other test's; here
    the journal's flag is set as outbox.js sets it, and its load meets the offline page."""
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    journal = context.new_page()
    sign_in(journal, live_server, user.username, PASSWORD)
    controlled(journal, live_server)
    journal.goto(f"{live_server}/journal")
    journal.wait_for_selector("h1")

    context.set_offline(True)
    journal.evaluate("(owner) => sessionStorage.setItem(`stem:just-sent:${owner}`, '1')", str(user.id))
    journal.reload()
    journal.wait_for_selector("meta[name=stem-offline-shell]", state="attached")

    context.set_offline(False)
    journal.wait_for_function("() => !document.querySelector('meta[name=stem-offline-shell]')")
    journal.wait_for_selector("[data-outbox-sent]:has-text('Sent. Your entries are in your journal.')")
    assert journal.locator(WAITING).count() == 0
    # Said once: the next page in this tab does not say it again.
    journal.goto(f"{live_server}/journal")
    journal.wait_for_selector("h1")
    assert journal.locator("[data-outbox-sent]").is_hidden()
