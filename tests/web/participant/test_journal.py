"""The journal's HTML pages through the real app, as a browser without JavaScript uses them:
forms in (with the page's CSRF token), pages and redirects out."""

import html
import re
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlmodel import Session, select

from app.models import Entry, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import login, make_team, make_user
from tests.web.page_client import SCRIPT, Browser, hidden_id_of, text_of, textarea_of


def entries_of(db: Session, user: User) -> list[Entry]:
    db.commit()  # ends an older read snapshot, which would hide what the app wrote since
    db.expire_all()
    found = list(db.exec(select(Entry).where(Entry.author_id == user.id)).all())
    db.commit()
    return found


@pytest.fixture
def team(db):
    return make_team(db, "Rehab team")


@pytest.fixture
def anna(db, team) -> User:
    return make_user(db, Role.participant, team=team, display_name="Anna")


@pytest.fixture
def browser(client_factory, anna) -> Browser:
    return Browser(client_factory(), anna)


@pytest.fixture
def other(client_factory, db, team) -> Browser:
    return Browser(client_factory(), make_user(db, Role.participant, team=team, display_name="Bram"))


# --- who may see the pages ----------------------------------------------------------------

PAGES = ["/journal", "/write", "/trash", "/entries/{id}", "/entries/{id}/edit", "/entries/{id}/delete"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_go_to_the_login_page(client, browser, path):
    entry_id = browser.write()
    client.follow_redirects = False
    response = client.get(path.format(id=entry_id))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [Role.clinician, Role.admin])
@pytest.mark.parametrize("path", PAGES)
def test_clinicians_and_admins_are_not_allowed(client_factory, db, team, browser, role, path):
    entry_id = browser.write("Private words of Anna")
    staff = Browser(client_factory(), make_user(db, role, team=team if role == Role.clinician else None))
    response = staff.get(path.format(id=entry_id))
    assert response.status_code == 403
    assert "Private words of Anna" not in response.text


@pytest.mark.parametrize(
    "action",
    [
        ("get", "/entries/{id}"),
        ("get", "/entries/{id}/edit"),
        ("get", "/entries/{id}/delete"),
        ("post", "/entries/{id}/edit"),
        ("post", "/entries/{id}/delete"),
        ("post", "/entries/{id}/restore"),
    ],
)
def test_another_participants_entry_is_not_found_like_a_missing_one(browser, other, db, anna, action):
    entry_id = browser.write("Only mine")
    method, path = action
    data = {"version": "1", "kind": "thought", "body": "Taken over"}

    def call(target: str) -> Any:
        return other.post(target, data) if method == "post" else other.get(target)

    foreign = call(path.format(id=entry_id))
    missing = call(path.format(id=uuid.uuid4()))
    malformed = call(path.format(id="not-a-uuid"))
    assert foreign.status_code == missing.status_code == malformed.status_code == 404
    assert text_of(foreign.text) == text_of(missing.text) == text_of(malformed.text)
    assert "Only mine" not in foreign.text
    (entry,) = entries_of(db, anna)
    assert entry.body == "Only mine"
    assert entry.deleted_at is None
    assert entry.version == 1


def test_a_form_without_the_csrf_token_is_refused(browser, db, anna):
    page = browser.get("/write").text
    response = browser.post("/write", {"id": hidden_id_of(page), "kind": "thought", "body": "x"}, csrf=False)
    assert response.status_code == 403
    assert entries_of(db, anna) == []


# --- quick capture ------------------------------------------------------------------------


def test_write_page_is_one_accessible_form_that_works_without_scripts(browser, team, db):
    make_user(db, Role.clinician, team=team, display_name="Dr. Visser", discipline=Discipline.psychologist)
    response = browser.get("/write")
    assert response.status_code == 200
    page = response.text
    uuid.UUID(hidden_id_of(page))
    for kind in ("thought", "feeling", "disagreement", "question", "goal"):
        assert f'<input type="radio" id="write-kind-{kind}" name="kind" value="{kind}"' in page
        assert f'<label for="write-kind-{kind}"' in page
    assert 'value="thought" checked' in page
    assert '<label for="write-body">' in page
    assert 'autocapitalize="sentences"' in page
    assert 'spellcheck="true"' in page
    assert "<details" in page
    assert (
        "What do you see differently about your diagnosis, your plan, your goals or your exercises?" in page
    )
    assert "Dr. Visser (psychologist)" in page
    assert 'value="discipline:psychologist"' in page
    assert '<meta name="csrf-token"' in page
    assert 'href="/static/css/journal.css"' in page
    assert '<script type="module" src="/static/js/draft.js"></script>' in page
    assert 'data-draft-key="write"' in page
    # The CSP forbids inline code, handlers and styles.
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert " style=" not in page
    assert "<style" not in page
    assert re.search(r"\son[a-z]+=", page) is None
    assert 'aria-current="page"' in page and 'href="/write" aria-current="page"' in page


def test_every_visit_to_the_write_page_gets_a_new_id(browser):
    assert hidden_id_of(browser.get("/write").text) != hidden_id_of(browser.get("/write").text)


def test_write_saves_privately_and_lands_on_the_journal_with_a_calm_note(browser, db, anna):
    entry_id = hidden_id_of(browser.get("/write").text)
    response = browser.post("/write", {"id": entry_id, "kind": "question", "body": "May I swim?"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/journal?done=saved&draft={entry_id}"
    (entry,) = entries_of(db, anna)
    assert str(entry.id) == entry_id
    assert entry.kind == "question"
    assert entry.body == "May I swim?"
    journal = browser.get(response.headers["location"])
    assert "Saved. It is private until you choose to share it." in journal.text
    # The page after the confirmed save tells draft.js which draft can go.
    assert f'data-saved-draft="write" data-saved-id="{entry_id}"' in journal.text
    assert "May I swim?" in journal.text


def test_a_double_submitted_form_saves_one_entry(browser, db, anna):
    page = browser.get("/write").text
    form = {"id": hidden_id_of(page), "kind": "feeling", "body": "Tired today", "intensity": "6"}
    first = browser.post("/write", form)
    second = browser.post("/write", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    (entry,) = entries_of(db, anna)
    assert entry.intensity == 6


def test_a_reused_id_with_other_words_is_saved_as_a_new_entry_nothing_lost(browser, db, anna):
    entry_id = browser.write("The first words")
    response = browser.post("/write", {"id": entry_id, "kind": "thought", "body": "Other words"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/journal?done=saved&draft={entry_id}"
    assert sorted(entry.body for entry in entries_of(db, anna)) == ["Other words", "The first words"]


def test_write_with_all_details(browser, db, team, anna):
    psych = make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    browser.write(
        "I do not think it is all in my head",
        kind="disagreement",
        topic="cause_of_pain",
        about=f"clinician:{psych.id}",
        importance="high",
        raise_next_session="true",
    )
    browser.write(
        "Walk to the market", kind="goal", goal_status="achieved", about="discipline:physiotherapist"
    )
    disagreement, goal = sorted(entries_of(db, anna), key=lambda entry: entry.kind != "disagreement")
    assert disagreement.topic == "cause_of_pain"
    assert disagreement.about_clinician_id == psych.id
    assert disagreement.importance == "high"
    assert disagreement.raise_next_session is True
    assert goal.goal_status == "achieved"
    assert goal.about_discipline == "physiotherapist"


def test_details_of_another_kind_are_left_out_not_refused(browser, db, anna):
    browser.write("Just a thought", kind="thought", intensity="8", goal_status="let_go")
    (entry,) = entries_of(db, anna)
    assert entry.intensity is None
    assert entry.goal_status is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": ""}, "body", "Write something first. Even a few words are enough."),
        ({"body": "   \n\t "}, "body", "Write something first. Even a few words are enough."),
        ({"body": "x" * 5001}, "body", "This is 5001 characters; an entry can hold at most 5000."),
        ({"body": "y" * 12000}, "body", "This is 12000 characters; an entry can hold at most 5000."),
        ({"kind": "rant"}, "kind", "This is not one of the allowed choices."),
        ({"topic": "astrology"}, "topic", "This is not one of the allowed choices."),
        ({"importance": "urgent"}, "importance", "This is not one of the allowed choices."),
        ({"about": "someone"}, "about", "This is not one of the allowed choices."),
        ({"kind": "feeling", "intensity": "11"}, "intensity", "This must be at most 10."),
        ({"kind": "feeling", "intensity": "a lot"}, "intensity", "This must be a whole number."),
    ],
    ids=[
        "empty",
        "whitespace",
        "too-long",
        "far-too-long",
        "kind",
        "topic",
        "importance",
        "about",
        "intensity-high",
        "intensity-text",
    ],
)
def test_bad_input_shows_the_problem_next_to_the_field_and_keeps_the_text(
    browser, db, anna, fields, field, message
):
    page = browser.get("/write").text
    form = {
        "id": hidden_id_of(page),
        "kind": "thought",
        "body": "Keep\r\n  these words <b>exactly</b>",
    } | fields
    response = browser.post("/write", form)
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert f'id="write-{field}-error"' in response.text
    assert message in text_of(response.text)
    assert textarea_of(response.text) == form["body"].replace("\r\n", "\n")
    assert hidden_id_of(response.text) == form["id"]
    assert 'data-draft-restore="false"' in response.text
    assert entries_of(db, anna) == []


def test_the_text_comes_back_exactly_even_with_markup_and_a_leading_empty_line(browser):
    body = "\nFirst line was empty.\n" + SCRIPT + "\n  indented ✓ — 🙂"
    response = browser.post("/write", {"id": str(uuid.uuid4()), "kind": "nope", "body": body})
    assert response.status_code == 422
    assert textarea_of(response.text) == body
    assert "<script>alert" not in response.text


def test_a_person_outside_the_team_cannot_be_chosen(browser, db, anna):
    stranger = make_user(db, Role.clinician, team=make_team(db))
    response = browser.post(
        "/write",
        {"id": str(uuid.uuid4()), "kind": "thought", "body": "x", "about": f"clinician:{stranger.id}"},
    )
    assert response.status_code == 422
    assert "Choose someone from your own care team." in response.text
    assert 'id="write-about-error"' in response.text
    assert entries_of(db, anna) == []


def test_a_malformed_id_gets_a_clear_message_and_a_fresh_id(browser, db, anna):
    response = browser.post("/write", {"id": "not-a-uuid", "kind": "thought", "body": "Still here"})
    assert response.status_code == 422
    assert "This is not a valid identifier." in response.text
    uuid.UUID(hidden_id_of(response.text))
    assert textarea_of(response.text) == "Still here"
    assert entries_of(db, anna) == []


def test_the_write_page_can_start_with_a_kind(browser):
    assert 'value="goal" checked' in browser.get("/write?kind=goal").text
    assert 'value="thought" checked' in browser.get("/write?kind=<script>").text


# --- the journal --------------------------------------------------------------------------


def test_empty_journal_invites_to_write(browser):
    page = browser.get("/journal")
    assert page.status_code == 200
    assert "Write your first entry" in page.text
    assert 'href="/write"' in page.text


def test_journal_shows_entries_with_their_facts(browser, db, team):
    psych = make_user(
        db, Role.clinician, team=team, display_name="Dr. Visser", discipline=Discipline.psychologist
    )
    entry_id = browser.write(
        "Nobody asked how I sleep",
        kind="disagreement",
        topic="treatment_plan",
        importance="high",
        raise_next_session="true",
    )
    browser.write("A feeling", kind="feeling", intensity="7")
    browser.post(f"/entries/{entry_id}/share", {"audience": "people", "clinician_ids": str(psych.id)})
    page = browser.get("/journal").text
    text = text_of(page)
    assert "Today" in text
    assert "Disagreement" in text
    assert "The treatment plan" in text
    assert "Matters a lot to me" in text
    assert "For my next session" in text
    assert "Shared with Dr. Visser" in text
    assert "Intensity 7 of 10" in text
    assert f'href="/entries/{entry_id}"' in page
    assert text.index("A feeling") < text.index("Nobody asked")  # newest first


def test_markup_in_an_entry_is_shown_as_text_on_the_journal(browser):
    browser.write(SCRIPT)
    page = browser.get("/journal").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert SCRIPT in text_of(page)


def test_days_are_in_the_readers_time_zone_and_language(client_factory, db, team):
    # 23:30 UTC is already the next day in Amsterdam (UTC+1 or +2).
    late = (utcnow() - timedelta(days=5)).replace(hour=23, minute=30, second=0, microsecond=0)
    user = make_user(db, Role.participant, team=team, locale="nl")
    api = client_factory()
    login(api, user)
    response = api.post(
        "/api/v1/entries",
        json={"kind": "thought", "body": "Laat op de avond", "written_at": late.isoformat()},
    )
    assert response.status_code == 201
    page = Browser(client_factory(), user).get("/journal").text
    local_day = late.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    assert local_day != late.date()
    weekday = format_date(local_day, "EEEE", locale="nl")
    assert weekday in text_of(page)
    assert format_date(local_day, "d MMMM", locale="nl") in text_of(page)
    assert "00:30" in page or "01:30" in page


def test_journal_pages_with_older_entries(client_factory, db, anna, browser):
    api = client_factory()
    login(api, anna)
    start = utcnow() - timedelta(days=40)
    for number in range(35):
        written = (start + timedelta(days=number)).isoformat()
        assert (
            api.post(
                "/api/v1/entries",
                json={"kind": "thought", "body": f"Entry number {number:02d}", "written_at": written},
            ).status_code
            == 201
        )
    first = browser.get("/journal").text
    assert "Entry number 34" in first
    assert "Entry number 04" not in first
    older = re.search(r'<a class="button" href="(/journal\?cursor=[^"]+)">Older entries</a>', first)
    assert older
    second = browser.get(html.unescape(older.group(1))).text
    assert "Entry number 04" in second
    assert "Entry number 00" in second
    assert "Entry number 34" not in second
    assert "Older entries" not in second


def test_a_broken_page_link_shows_a_clear_page_not_an_error(browser):
    response = browser.get("/journal?cursor=broken!!")
    assert response.status_code == 422
    assert "This page link is not valid. Start again from the top." in response.text


def test_filters_by_kind_flag_and_search(browser):
    browser.write("A question about swimming", kind="question")
    browser.write("A feeling of relief", kind="feeling", raise_next_session="true")
    browser.write("Another thought about Swimming pools", kind="thought")

    by_kind = browser.get("/journal?kind=question").text
    assert "A question about swimming" in by_kind
    assert "A feeling of relief" not in by_kind
    assert '<a class="chip" href="/journal?kind=question" aria-current="true">' in by_kind

    flagged = browser.get("/journal?flagged=1").text
    assert "A feeling of relief" in flagged
    assert "A question about swimming" not in flagged

    found = browser.get("/journal?q=SWIMMING").text
    assert "A question about swimming" in found
    assert "Another thought about Swimming pools" in found
    assert "A feeling of relief" not in found
    assert 'value="SWIMMING"' in found

    nothing = browser.get("/journal?q=elephant")
    assert "Nothing found with these choices." in nothing.text
    # An unknown kind is no filter at all, not an error.
    assert browser.get("/journal?kind=rant").status_code == 200


# --- one entry, editing -------------------------------------------------------------------


def test_entry_page_shows_the_full_text_inert_with_line_breaks_and_details(browser):
    body = "Line one\nLine two\n" + SCRIPT
    entry_id = browser.write(body, kind="goal", topic="daily_life")
    page = browser.get(f"/entries/{entry_id}").text
    assert '<div class="entry-text">Line one\nLine two\n&lt;script&gt;' in page
    assert "<script>alert" not in page
    text = text_of(page)
    assert "Daily life" in text
    assert "Working on it" in text
    assert "Version" not in text  # a counter for the app, not words for the participant
    assert "Only you can see this entry." in text
    assert f'href="/entries/{entry_id}/edit"' in page
    assert f'href="/entries/{entry_id}/delete"' in page


def test_edit_saves_a_new_version(browser, db, anna):
    entry_id = browser.write("First wording")
    form = browser.get(f"/entries/{entry_id}/edit").text
    assert textarea_of(form) == "First wording"
    assert f'data-draft-key="edit:{entry_id}:1"' in form
    assert '<input type="hidden" name="version" value="1">' in form
    response = browser.post(
        f"/entries/{entry_id}/edit",
        {"version": "1", "kind": "question", "body": "Better wording", "raise_next_session": "true"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/entries/{entry_id}?done=edited"
    (entry,) = entries_of(db, anna)
    assert (entry.body, entry.kind, entry.version, entry.raise_next_session) == (
        "Better wording",
        "question",
        2,
        True,
    )
    page = browser.get(response.headers["location"]).text
    assert "Your changes are saved." in page
    assert f'data-saved-draft="edit:{entry_id}"' in page


def test_a_stale_edit_shows_both_texts_and_loses_nothing(browser, db, anna):
    entry_id = browser.write("Original")
    assert (
        browser.post(
            f"/entries/{entry_id}/edit", {"version": "1", "kind": "thought", "body": "Saved on my phone"}
        ).status_code
        == 303
    )
    # The laptop still has version 1 open.
    response = browser.post(
        f"/entries/{entry_id}/edit", {"version": "1", "kind": "thought", "body": "Typed on my laptop"}
    )
    assert response.status_code == 412
    page = response.text
    assert "This entry was changed somewhere else" in page
    assert '<div class="entry-text entry-text--saved">Saved on my phone</div>' in page
    assert textarea_of(page) == "Typed on my laptop"
    assert '<input type="hidden" name="version" value="2">' in page
    assert 'data-draft-restore="false"' in page
    (entry,) = entries_of(db, anna)
    assert (entry.body, entry.version) == ("Saved on my phone", 2)
    # Saving again on top of the version now shown works.
    again = browser.post(
        f"/entries/{entry_id}/edit", {"version": "2", "kind": "thought", "body": "Typed on my laptop"}
    )
    assert again.status_code == 303
    (entry,) = entries_of(db, anna)
    assert (entry.body, entry.version) == ("Typed on my laptop", 3)


def test_an_empty_edit_keeps_the_form_and_the_saved_text(browser, db, anna):
    entry_id = browser.write("Keep me")
    response = browser.post(f"/entries/{entry_id}/edit", {"version": "1", "kind": "thought", "body": "  "})
    assert response.status_code == 422
    assert 'id="edit-body-error"' in response.text
    (entry,) = entries_of(db, anna)
    assert entry.body == "Keep me"


def test_an_edit_without_a_version_is_refused_clearly(browser, db, anna):
    entry_id = browser.write("Keep me")
    response = browser.post(f"/entries/{entry_id}/edit", {"kind": "thought", "body": "New"})
    assert response.status_code == 428
    assert "so that no change is overwritten" in response.text
    assert textarea_of(response.text) == "New"


# --- trash --------------------------------------------------------------------------------


def test_delete_asks_first_then_moves_to_the_trash_and_restore_brings_it_back(browser, db, anna):
    entry_id = browser.write("Maybe later")
    confirm = browser.get(f"/entries/{entry_id}/delete")
    assert confirm.status_code == 200
    assert "Move this entry to the trash?" in confirm.text
    assert f'action="/entries/{entry_id}/delete"' in confirm.text
    (entry,) = entries_of(db, anna)
    assert entry.deleted_at is None  # asking changes nothing

    response = browser.post(f"/entries/{entry_id}/delete")
    assert response.status_code == 303
    assert response.headers["location"] == "/journal?done=deleted"
    assert "Maybe later" not in browser.get("/journal").text

    trash = browser.get("/trash").text
    assert "Maybe later" in trash
    assert "30 days left" in trash
    entry_page = browser.get(f"/entries/{entry_id}").text
    assert "This entry is in the trash." in entry_page
    assert browser.get(f"/entries/{entry_id}/edit").status_code == 303

    restored = browser.post(f"/entries/{entry_id}/restore", {"next": "/trash"})
    assert restored.status_code == 303
    assert restored.headers["location"] == "/trash?done=restored"
    assert "The trash is empty." in browser.get("/trash").text
    assert "Maybe later" in browser.get("/journal").text


def test_restore_never_redirects_elsewhere(browser):
    entry_id = browser.write("x")
    browser.post(f"/entries/{entry_id}/delete")
    response = browser.post(f"/entries/{entry_id}/restore", {"next": "//evil.example"})
    assert response.headers["location"] == f"/entries/{entry_id}?done=restored"


def test_days_left_in_the_trash_count_down(browser, db, anna):
    entry_id = browser.write("Old news")
    browser.post(f"/entries/{entry_id}/delete")
    (entry,) = entries_of(db, anna)
    entry.deleted_at = utcnow() - timedelta(days=29, hours=12)
    db.add(entry)
    db.commit()
    assert "1 day left" in browser.get("/trash").text


def test_the_journal_page_costs_the_same_few_queries_for_3_or_30_entries(client_factory, db, team):
    from tests.journal.test_list_cost import counted_queries, fill_journal

    psych = make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    clinician = client_factory()
    login(clinician, psych)
    costs = []
    for count in (3, 40):
        user = make_user(db, Role.participant, team=team)
        fill_journal(db, user.id, count)
        reader = Browser(client_factory(), user)
        api = client_factory()
        login(api, user)
        for entry in api.get("/api/v1/entries", params={"limit": 3}).json()["items"]:
            api.post(f"/api/v1/entries/{entry['id']}/shares", json={"audience": "team"})
            clinician.post(f"/api/v1/entries/{entry['id']}/responses", json={"kind": "reply", "body": "Hi"})
        reader.get("/journal")  # warm-up: the session's last-seen refresh may add a write
        with counted_queries() as statements:
            page = reader.get("/journal")
        assert page.status_code == 200
        assert page.text.count('class="entry-card ') == min(count, 30)
        assert page.text.count("1 reply from your team") == 3
        costs.append(len(statements))
    assert costs[0] == costs[1]
    assert costs[1] <= 8
