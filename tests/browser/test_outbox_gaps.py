"""What the outbox does when a save made offline cannot simply be sent later, in a real Chromium:

- an edit made offline meets a newer version on the server (412): the participant is shown both
  texts, the newer one stays on the server, and their own words are kept — never dropped;
- a new entry the server refuses (4xx) while the outbox is sent from another page (the home page,
  where the installed app starts) is still shown, with its reason, on the next page that lists the
  outbox, and its words can be read back in full, even when another draft has taken the form.
"""

from typing import Any

from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import Entry, User
from app.models.enums import Role
from tests.browser.conftest import sign_in, until_controlled, wait_until_outbox_empty
from tests.factories import PASSWORD, login, make_team, make_user

PROBLEMS = "[data-outbox-problems] .outbox__problem"


def entries(db: Session, user: User) -> list[Entry]:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    found = list(db.exec(select(Entry).where(Entry.author_id == user.id)).all())
    db.commit()
    return found


def test_an_offline_edit_that_meets_a_newer_version_shows_both_texts_and_loses_neither(
    live_server, browser_context_factory, client_factory, db
):
    user = make_user(db, Role.participant, team=make_team(db))
    phone = client_factory()
    login(phone, user)
    entry = phone.post("/api/v1/entries", json={"kind": "question", "body": "First words"}).json()

    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/entries/{entry['id']}/edit")
    page.wait_for_selector("#edit-body")
    until_controlled(page)

    context.set_offline(True)
    mine = "Rewritten on the laptop, without a connection"
    page.fill("#edit-body", mine)
    page.click("form[data-capture-edit] button[type=submit]")
    page.wait_for_selector("[data-outbox-list] .outbox__item:has-text('change waiting to be sent')")

    # Meanwhile the phone saves a newer version.
    theirs = "Saved on my phone in the meantime"
    response = phone.patch(
        f"/api/v1/entries/{entry['id']}", json={"body": theirs}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text

    context.set_offline(False)  # `online`: the outbox is sent, and the server answers 412
    problem = page.locator(PROBLEMS)
    problem.wait_for()
    wait_until_outbox_empty(page, str(user.id))
    text = problem.inner_text()
    assert "changed somewhere else" in text
    assert problem.locator(".outbox__version--saved").inner_text().strip() == theirs
    assert problem.locator(".outbox__version--mine").inner_text().strip() == mine
    # The newer version stays; nothing was overwritten or duplicated.
    [stored] = entries(db, user)
    assert (stored.body, stored.version) == (theirs, 2)

    # The notice stays until the participant has seen it: on the journal too, after navigating.
    page.goto(f"{live_server}/journal")
    page.wait_for_selector(f"{PROBLEMS} .outbox__version--mine")
    assert page.locator(f"{PROBLEMS} .outbox__version--saved").inner_text().strip() == theirs

    # Their words come back in the form on the current version, to merge and save.
    page.locator(PROBLEMS).get_by_role("link").click()
    page.wait_for_url(f"**/entries/{entry['id']}/edit")
    page.wait_for_selector("[data-draft-status]:has-text('Your unsaved text is back')")
    assert page.input_value("#edit-body") == mine
    merged = f"{theirs}\n{mine}"
    page.fill("#edit-body", merged)
    page.click("form[data-capture-edit] button[type=submit]")
    page.wait_for_url(f"**/entries/{entry['id']}?done=edited")
    [stored] = entries(db, user)
    assert (stored.body, stored.version) == (merged, 3)

    # Once read, the notice can be put away.
    page.goto(f"{live_server}/journal")
    page.locator(PROBLEMS).get_by_role("button").click()
    expect(page.locator(PROBLEMS)).to_have_count(0)
    assert (
        page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('stem:outbox-problems:'))") == []
    )
    page.reload()
    page.wait_for_selector("h1")
    page.evaluate("() => import('/static/js/outbox.js').then((outbox) => outbox.render())")  # settled
    assert page.locator(PROBLEMS).count() == 0


def test_a_refused_offline_entry_sent_from_the_home_page_is_shown_later_with_its_words(
    live_server, browser_context_factory, db
):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/write")
    page.wait_for_selector("#write-body")
    until_controlled(page)

    context.set_offline(True)
    too_long = "A long day, written down in full. " * 150  # over the 5000-character limit
    assert len(too_long) > 5000
    page.evaluate("(words) => { document.querySelector('#write-body').value = words; }", too_long)
    page.dispatch_event("#write-body", "input")
    page.click("form[data-capture] button[type=submit]")
    page.wait_for_selector("[data-outbox-list] .outbox__item:has-text('waiting to be sent')")
    # The next thought is already being typed: the form's draft slot is taken.
    page.fill("#write-body", "Another thought, half written")
    page.wait_for_selector("[data-draft-status]:has-text('Draft kept on this device.')")
    page.close()

    # Back online, the app is started from its home page: the outbox is sent from there.
    context.set_offline(False)
    home = context.new_page()
    home.goto(f"{live_server}/")
    home.wait_for_selector("h1")
    wait_until_outbox_empty(home, str(user.id))
    assert entries(db, user) == []
    # The home page says so at once.
    home.wait_for_selector(f"{PROBLEMS}:has-text('an entry can hold at most 5000')")

    # And the write page too, later, with the words in full; the half-written draft is intact.
    home.goto(f"{live_server}/write")
    problem = home.locator(PROBLEMS)
    problem.wait_for()
    assert "an entry can hold at most 5000" in problem.inner_text()
    assert problem.locator(".outbox__version--mine").inner_text().strip() == too_long.strip()
    assert home.input_value("#write-body") == "Another thought, half written"
    assert entries(db, user) == []


def test_an_edit_whose_answer_was_lost_is_not_taken_for_a_conflict(
    live_server, browser_context_factory, client_factory, db
):
    user = make_user(db, Role.participant, team=make_team(db))
    api = client_factory()
    login(api, user)
    entry = api.post("/api/v1/entries", json={"kind": "goal", "body": "Walk to the shop"}).json()
    page = browser_context_factory().new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/entries/{entry['id']}/edit")
    page.wait_for_selector("#edit-body")

    # The server saves the edit (the same request, sent on by the test), but its answer never
    # reaches the phone: the tunnel.
    answers: list[int] = []

    def lose_the_answer(route: Any) -> None:
        if route.request.method != "PATCH":
            route.continue_()
            return
        headers = {"If-Match": route.request.headers["if-match"], "Content-Type": "application/json"}
        answers.append(
            api.patch(
                f"/api/v1/entries/{entry['id']}", content=route.request.post_data, headers=headers
            ).status_code
        )
        route.abort("internetdisconnected")

    page.route(f"**/api/v1/entries/{entry['id']}", lose_the_answer)
    words = "Walk to the shop and back, twice a week"
    page.fill("#edit-body", words)
    page.click("form[data-capture-edit] button[type=submit]")
    page.wait_for_selector("[data-outbox-list] .outbox__item:has-text('change waiting to be sent')")
    assert answers[0] == 200
    [stored] = entries(db, user)
    assert (stored.body, stored.version) == (words, 2)

    # Sent again, the server answers 412 with exactly these words: delivered, not a conflict.
    # (Background Sync may already have sent it again, to a lost answer again: a 412 each time.)
    assert set(answers[1:]) <= {412}
    page.unroute(f"**/api/v1/entries/{entry['id']}")
    # A whole run after the tunnel, even if one was still under way.
    page.evaluate(
        "() => import('/static/js/outbox.js').then((outbox) => outbox.replay().then(() => outbox.replay()))"
    )
    wait_until_outbox_empty(page, str(user.id))
    assert page.locator(PROBLEMS).count() == 0
    assert (
        page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('stem:outbox-problems:'))") == []
    )
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.includes(':edit:'))") == []
    [stored] = entries(db, user)
    assert (stored.body, stored.version) == (words, 2)
