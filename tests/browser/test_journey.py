"""Whole journeys in a real Chromium against the real server, checked in the server's database.

- A participant joins by invitation on a phone, writes one entry of each kind, loses the
  connection, writes two more and edits one, reloads without a connection, and comes back:
  every entry is on the server exactly once, with the edited words.
- A participant shares two entries with the psychologist only; the psychologist (on a desktop)
  sees exactly those two, the physiotherapist none; a revoked share is gone on the next page load.
"""

from typing import Any

from sqlmodel import Session, select

from app.models import Entry, Share, User
from app.models.enums import Discipline, Role
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    outbox_records,
    sign_in,
    until_controlled,
    wait_until_outbox_empty,
)
from tests.factories import PASSWORD, login, make_invitation, make_team, make_user

KINDS = ["thought", "feeling", "disagreement", "question", "goal"]
BODY = "#write-body"
SAVE = "form[data-capture] button[type=submit]"
RESULT = "form[data-capture] [data-capture-result]"
WAITING = "[data-outbox-list] .outbox__item"


def fresh(db: Session) -> None:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()


def entries_of(db: Session, user_id: Any) -> list[Entry]:
    fresh(db)
    found = list(db.exec(select(Entry).where(Entry.author_id == user_id)).all())
    db.commit()
    return found


def collect_script_errors(page: Any, errors: list[str]) -> None:
    # A request that fails offline is logged by Chromium itself; that is expected here.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error"
            and "ERR_INTERNET_DISCONNECTED" not in message.text
            and "Failed to load resource" not in message.text
            else None
        ),
    )


def write_entry(page: Any, kind: str, words: str) -> None:
    page.click(f"label[for=write-kind-{kind}]")
    assert page.is_checked(f"#write-kind-{kind}")
    page.fill(BODY, words)
    page.click(SAVE)


def test_a_phone_journey_from_invitation_through_offline_and_back(live_server, browser_context_factory, db):
    team = make_team(db, "Journey team")
    psychologist = make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    _invitation, code = make_invitation(db, team, created_by=psychologist)
    context = browser_context_factory(PHONE)
    page = context.new_page()
    errors: list[str] = []
    collect_script_errors(page, errors)

    # Joining, through the invitation link a participant is given.
    page.goto(f"{live_server}/join?code={code}")
    page.wait_for_selector("text=Journey team")
    assert page.input_value("#join-invitation_code") == code
    page.fill("#join-username", "journey.jo")
    page.fill("#join-display_name", "Jo Journey")
    page.fill("#join-password", PASSWORD)
    page.click("form[action='/join'] button[type=submit]")
    page.wait_for_url(f"{live_server}/?done=joined")
    assert "Jo Journey" in page.content()
    assert page.locator("a[href='/account#recovery-title']").count() == 1  # recovery codes offered
    fresh(db)
    owner = db.exec(select(User).where(User.username == "journey.jo")).one()
    owner_id = str(owner.id)
    db.commit()

    # One entry of each kind, with the quick-capture form: the page stays, ready for the next.
    page.goto(f"{live_server}/write")
    until_controlled(page)
    written = {kind: f"My {kind}, written online" for kind in KINDS}
    for kind, words in written.items():
        write_entry(page, kind, words)
        page.wait_for_selector(f"{RESULT}:has-text('Saved.')")
        assert page.input_value(BODY) == ""
    saved = {entry.body: entry for entry in entries_of(db, owner.id)}
    assert sorted(saved) == sorted(written.values())
    assert {saved[words].kind.value for words in written.values()} == set(KINDS)
    question_id = str(saved[written["question"]].id)

    # A second tab holds the question's edit page, opened while there is a connection.
    edit_tab = context.new_page()
    collect_script_errors(edit_tab, errors)
    edit_tab.goto(f"{live_server}/entries/{question_id}/edit")
    edit_tab.wait_for_selector("#edit-body")
    assert edit_tab.input_value("#edit-body") == written["question"]

    # The connection drops: two more entries and one edit, each "waiting to be sent".
    context.set_offline(True)
    offline_words = ["Offline one: on the train", "Offline two: in the tunnel"]
    write_entry(page, "thought", offline_words[0])
    page.wait_for_selector(f"{WAITING}:has-text('Offline one')")
    write_entry(page, "goal", offline_words[1])
    page.wait_for_selector(f"{WAITING}:has-text('Offline two')")
    assert page.locator(WAITING).count() == 2
    assert page.locator(f"{WAITING}:has-text('waiting to be sent')").count() == 2
    page.wait_for_selector(f"{RESULT}:has-text('sent as soon as there is a connection')")

    edited = "My question, changed without a connection: may I cycle?"
    edit_tab.fill("#edit-body", edited)
    edit_tab.click("form[data-capture-edit] button[type=submit]")
    edit_tab.wait_for_selector(f"{WAITING}:has-text('change waiting to be sent')")
    edit_tab.wait_for_selector("form[data-capture-edit] [data-capture-result]:has-text('sent as soon as')")

    # Nothing reached the server yet.
    assert sorted(entry.body for entry in entries_of(db, owner.id)) == sorted(written.values())

    # A reload without a connection shows the offline page; the outbox on the device keeps all three.
    page.reload()
    page.wait_for_selector("h1:has-text('You are offline')")
    waiting = outbox_records(page, owner_id)
    assert sorted((record["kind"], record["body"]) for record in waiting) == sorted(
        [("create", offline_words[0]), ("create", offline_words[1]), ("edit", edited)]
    )

    # Back online: the edit tab sends on `online`; a fresh start of the write page sends too.
    # Each entry arrives exactly once, whichever tab gets there first.
    context.set_offline(False)
    # The offline page goes back to the real page by itself once the server answers; a
    # navigation of our own at the same moment would be cut off by it.
    page.wait_for_function("() => !document.querySelector('meta[name=stem-offline-shell]')")
    page.goto(f"{live_server}/write")
    page.wait_for_selector(BODY)
    wait_until_outbox_empty(page, owner_id)
    wait_until_outbox_empty(edit_tab, owner_id)
    # Two tabs sending the same edit must not take each other's save for a conflict.
    problems = "Object.keys(localStorage).filter((k) => k.startsWith('stem:outbox-problems:'))"
    assert page.evaluate(problems) == [] and edit_tab.evaluate(problems) == []

    final = entries_of(db, owner.id)
    bodies = [entry.body for entry in final]
    expected = sorted([*(w for k, w in written.items() if k != "question"), *offline_words, edited])
    assert sorted(bodies) == expected
    assert len(bodies) == len(set(bodies)) == 7
    question = next(entry for entry in final if str(entry.id) == question_id)
    assert question.body == edited
    assert question.version == 2
    assert {entry.body: entry.kind.value for entry in final}[offline_words[1]] == "goal"

    # And the journal shows them, with nothing left waiting.
    page.goto(f"{live_server}/journal")
    for words in [edited, *offline_words]:
        page.wait_for_selector(f"text={words[:20]}")
    assert errors == []


def _share_rows(db: Session, entry_ids: list[str]) -> list[Share]:
    fresh(db)
    rows = [share for share in db.exec(select(Share)).all() if str(share.entry_id) in entry_ids]
    db.commit()
    return rows


def test_sharing_with_the_psychologist_only_then_revoking(
    live_server, browser_context_factory, client_factory, db
):
    team = make_team(db, "Sharing team")
    owner = make_user(db, Role.participant, team=team, display_name="Sam Sharer")
    psychologist = make_user(
        db, Role.clinician, team=team, discipline=Discipline.psychologist, display_name="Pat Psych"
    )
    physio = make_user(
        db, Role.clinician, team=team, discipline=Discipline.physiotherapist, display_name="Phil Physio"
    )
    api = client_factory()
    login(api, owner)
    texts = {
        "first": "For the psychologist: I sleep badly before sessions",
        "second": "For the psychologist: what does the scan mean?",
        "private": "Private-words-never-shared-9d1c",
    }
    kinds = {"first": "feeling", "second": "question", "private": "disagreement"}
    ids: dict[str, str] = {}
    for name, words in texts.items():
        response = api.post("/api/v1/entries", json={"kind": kinds[name], "body": words})
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]

    # The participant, on a phone, picks two entries and the psychologist only.
    phone = browser_context_factory(PHONE).new_page()
    sign_in(phone, live_server, owner.username, PASSWORD)
    phone.goto(f"{live_server}/share")
    phone.click(f"label[for='pick-{ids['first']}']")
    phone.click(f"label[for='pick-{ids['second']}']")
    phone.click("label[for=share-audience-people]")
    phone.click(f"label[for='share-person-{psychologist.id}']")
    assert phone.is_checked(f"#pick-{ids['first']}") and not phone.is_checked(f"#pick-{ids['private']}")
    assert not phone.is_checked(f"#share-person-{physio.id}")
    phone.click("form[action='/share'] button[type=submit]")
    phone.wait_for_selector(".notice--done")
    shares = _share_rows(db, list(ids.values()))
    assert sorted((str(share.entry_id), str(share.clinician_id)) for share in shares) == sorted(
        [(ids["first"], str(psychologist.id)), (ids["second"], str(psychologist.id))]
    )

    preparation = f"{live_server}/clinician/participants/{owner.id}"

    def shown_to(page: Any) -> list[str]:
        page.goto(preparation)
        page.wait_for_selector("h1")
        found = page.locator("article.entry .entry__body").all_inner_texts()
        assert texts["private"] not in page.content()
        return sorted(found)

    # The psychologist on a desktop sees exactly those two.
    psych_page = browser_context_factory(DESKTOP).new_page()
    sign_in(psych_page, live_server, psychologist.username, PASSWORD)
    assert shown_to(psych_page) == sorted([texts["first"], texts["second"]])

    # The physiotherapist sees none of it, on the preparation page nor on the dashboard.
    physio_page = browser_context_factory(DESKTOP).new_page()
    sign_in(physio_page, live_server, physio.username, PASSWORD)
    physio_page.goto(preparation)
    physio_content = physio_page.content()
    assert physio_page.locator("article.entry").count() == 0
    physio_page.goto(f"{live_server}/clinician")
    physio_content += physio_page.content()
    for words in texts.values():
        assert words not in physio_content

    # The participant stops sharing the first one, from the entry's page.
    phone.goto(f"{live_server}/entries/{ids['first']}")
    phone.click("#sharing form[action*='/revoke'] button[type=submit]")
    phone.wait_for_selector("#sharing >> text=Only you can see this entry.")
    active = [share for share in _share_rows(db, list(ids.values())) if share.revoked_at is None]
    assert [str(share.entry_id) for share in active] == [ids["second"]]

    # Gone from the psychologist's next page load.
    assert shown_to(psych_page) == [texts["second"]]
    assert texts["first"] not in psych_page.content()
