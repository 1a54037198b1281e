"""The clinician's HTML pages through the real app: the participant list, the preparation page,
responses and appointments, and what they must never show."""

import html
import re
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Appointment, EntryResponse, User
from app.models.enums import Role
from tests.factories import login, make_team, make_user
from tests.sharing import conftest as sharing
from tests.sharing.conftest import CANARY, World, in_future
from tests.web.page_client import DATE_PROBLEM, message_shown

# The sharing tests' world: a care team with three disciplines, an outsider, and entries in every state.
world = sharing.world

HIDDEN_FROM_PHYSIO = ("private", "psych_only", "revoked", "deleted")


# --- helpers ----------------------------------------------------------------------------


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed: what a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def body_of(world: World, name: str) -> str:
    return str(world.entries[name]["body"])


def prep_url(world: World, who: str = "owner") -> str:
    return f"/clinician/participants/{world.users[who].id}"


def rows(db: Session, statement: Any) -> list[Any]:
    found = list(db.exec(statement).all())
    db.commit()  # end the read: an open transaction would block the app's writes on SQLite
    return found


def responses_stored(db: Session) -> list[EntryResponse]:
    return rows(db, select(EntryResponse))


@contextmanager
def as_browser(client: TestClient):
    """Post like an HTML form: the CSRF token in a form field, not in the API's header."""
    header = client.headers.pop("X-CSRF-Token", None)
    follow = client.follow_redirects
    client.follow_redirects = False
    try:
        yield
    finally:
        client.follow_redirects = follow
        if header is not None:
            client.headers["X-CSRF-Token"] = header


def form_post(client: TestClient, url: str, data: dict[str, str]) -> Any:
    token = client.get("/api/v1/me").json()["csrf_token"]
    with as_browser(client):
        return client.post(url, data={"csrf_token": token, **data})


def respond(client: TestClient, entry_id: str, **data: str) -> Any:
    return form_post(client, f"/clinician/entries/{entry_id}/responses", data)


def write_and_share(world: World, name: str, **fields: Any) -> str:
    """The owner writes an entry and shares it with the whole team; returns its id."""
    owner = world.clients["owner"]
    body = {"kind": "thought", "body": f"{name}: words"} | fields
    created = owner.post("/api/v1/entries", json=body)
    assert created.status_code == 201, created.text
    world.entries[name] = created.json()
    shared = owner.post(f"/api/v1/entries/{created.json()['id']}/shares", json={"audience": "team"})
    assert shared.status_code == 201, shared.text
    return str(created.json()["id"])


def section_of(page: str, section_id: str) -> str:
    """The HTML of one section of the preparation page."""
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert found, f"no section {section_id}"
    return found.group(0)


def dashboard_row(page: str, name: str) -> str:
    for row in re.findall(r"<tr>.*?</tr>", page, re.S):
        if f">{name}</a>" in row:
            return text_of(row)
    raise AssertionError(f"{name} is not in the list")


def plan(client: TestClient, participant: User, hours: int = 24) -> dict[str, Any]:
    response = client.post(
        "/api/v1/appointments", json={"participant_id": str(participant.id), "starts_at": in_future(hours)}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


# --- the participant list ---------------------------------------------------------------


def test_dashboard_lists_my_participants_with_unread_counts(world):
    physio, psych = world.clients["physio"], world.clients["psych"]
    owner, fellow = world.users["owner"], world.users["fellow"]
    page = physio.get("/clinician")
    assert page.status_code == 200
    assert "1 new" in dashboard_row(page.text, "Anna")
    assert "0" in dashboard_row(page.text, fellow.display_name)
    assert f'href="/clinician/participants/{owner.id}"' in page.text
    # The psychologist also has the entry shared with them alone.
    assert "2 new" in dashboard_row(psych.get("/clinician").text, "Anna")
    # Opening the preparation page counts as reading.
    assert physio.get(prep_url(world)).status_code == 200
    assert "0" in dashboard_row(physio.get("/clinician").text, "Anna")
    assert "new" not in dashboard_row(physio.get("/clinician").text, "Anna")


def test_dashboard_shows_no_one_of_another_team(world, db, client_factory):
    elsewhere = make_team(db, "Another clinic")
    make_user(db, Role.participant, team=elsewhere, display_name="Someone Elsewhere")
    their_clinician = make_user(db, Role.clinician, team=elsewhere)
    theirs = client_factory()
    login(theirs, their_clinician)
    page = theirs.get("/clinician").text
    assert "Someone Elsewhere" in page
    assert "Anna" not in page
    assert world.users["fellow"].display_name not in page
    assert "No participants in your teams yet." in world.clients["outsider"].get("/clinician").text
    assert "Someone Elsewhere" not in world.clients["psych"].get("/clinician").text


def test_dashboard_puts_the_next_appointment_first_then_unread(world, db):
    physio = world.clients["physio"]
    bram = make_user(db, Role.participant, team=world.team, display_name="Bram")
    make_user(db, Role.participant, team=world.team, display_name="Carla")
    plan(physio, world.users["fellow"], hours=48)
    plan(physio, bram, hours=24)
    plan(world.clients["psych"], world.users["owner"], hours=2)  # not with me: does not count
    page = physio.get("/clinician").text
    order = [
        page.index(f">{name}</a>") for name in ("Bram", world.users["fellow"].display_name, "Anna", "Carla")
    ]
    assert order == sorted(order)
    assert "Not planned" in dashboard_row(page, "Anna")


def test_dashboard_shows_times_in_my_time_zone_and_language(world, db):
    physio_user = db.get(User, world.users["physio"].id)
    physio_user.time_zone = "America/New_York"
    physio_user.locale = "nl"
    db.add(physio_user)
    db.commit()
    starts = plan(world.clients["physio"], world.users["owner"], hours=30)["starts_at"]
    local = datetime.fromisoformat(starts).astimezone(ZoneInfo("America/New_York"))
    expected = format_datetime(local, "EEE d MMM, HH:mm", locale="nl")
    page = world.clients["physio"].get("/clinician").text
    assert '<html lang="nl">' in page
    assert expected in dashboard_row(page, "Anna")


def test_clinician_home_points_to_the_list_and_keeps_invitations(world):
    page = world.clients["physio"].get("/").text
    assert 'href="/clinician"' in page
    assert 'action="/invite"' in page
    assert CANARY not in page


# --- what the preparation page shows ----------------------------------------------------


def test_preparation_shows_exactly_what_is_visible_to_the_physio(world):
    page = world.clients["physio"].get(prep_url(world))
    assert page.status_code == 200
    assert body_of(world, "team") in text_of(page.text)
    for hidden in HIDDEN_FROM_PHYSIO:
        assert body_of(world, hidden) not in page.text, hidden
        assert world.entry_id(hidden) not in page.text, hidden


def test_preparation_shows_personal_and_team_shares_to_the_psychologist(world):
    page = text_of(world.clients["psych"].get(prep_url(world)).text)
    assert body_of(world, "team") in page
    assert body_of(world, "psych_only") in page
    for hidden in ("private", "revoked", "deleted"):
        assert body_of(world, hidden) not in page, hidden


def test_the_canary_never_reaches_a_clinician_page(world):
    """A private entry's words appear on no clinician page, in any variant, for anyone."""
    plan(world.clients["physio"], world.users["owner"])
    urls = [
        "/",
        "/clinician",
        prep_url(world),
        f"{prep_url(world)}?print=1",
        f"{prep_url(world)}?new=1",
        *[
            f"{prep_url(world)}?kind={kind}"
            for kind in ("disagreement", "question", "goal", "thought", "feeling")
        ],
        f"{prep_url(world)}?kind=disagreement&print=1",
    ]
    checked = 0
    for actor in ("physio", "psych", "physician", "outsider", "fellow", "admin"):
        client = world.clients[actor]
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (actor, url)
            assert CANARY not in response.text, (actor, url)
            checked += 1
        refused = respond(client, world.entry_id("private"), kind="reply", body="hello")
        assert CANARY not in refused.text
    assert checked == 6 * len(urls)


def test_revoked_and_deleted_entries_disappear_on_the_next_load(world):
    owner, physio = world.clients["owner"], world.clients["physio"]
    entry_id = write_and_share(world, "soon_revoked", kind="question", body="Can we talk about my sleep?")
    gone_id = write_and_share(world, "soon_deleted", kind="goal", body="Walk to the bakery")
    page = text_of(physio.get(prep_url(world)).text)
    assert "Can we talk about my sleep?" in page
    assert "Walk to the bakery" in page
    share_id = owner.get(f"/api/v1/entries/{entry_id}/shares").json()[0]["id"]
    assert owner.delete(f"/api/v1/entries/{entry_id}/shares/{share_id}").status_code == 200
    assert owner.delete(f"/api/v1/entries/{gone_id}").status_code == 200
    page = physio.get(prep_url(world)).text
    assert "Can we talk about my sleep?" not in page
    assert "Walk to the bakery" not in page
    assert "new" not in dashboard_row(physio.get("/clinician").text, "Anna")


def test_sections_come_in_reading_order(world):
    physio = world.clients["physio"]
    on_agenda = write_and_share(world, "agenda_q", kind="question", body="AGENDA-ITEM about the pain")
    write_and_share(world, "disagree", kind="disagreement", body="DISAGREE-ITEM", topic="cause_of_pain")
    write_and_share(world, "goal", kind="goal", body="GOAL-ITEM", goal_status="active")
    write_and_share(world, "thought", kind="thought", body="THOUGHT-ITEM")
    write_and_share(world, "feeling", kind="feeling", body="FEELING-ITEM", intensity=7)
    appointment = plan(physio, world.users["owner"])
    agenda = world.clients["owner"].put(
        f"/api/v1/appointments/{appointment['id']}/agenda",
        json={"entry_ids": [on_agenda, world.entry_id("team")], "important_ids": [on_agenda]},
    )
    assert agenda.status_code == 200, agenda.text
    page = physio.get(prep_url(world)).text
    headings = [
        page.index(f'id="{section}-title"')
        for section in ("agenda", "disagreements", "questions", "goals", "thoughts")
    ]
    assert headings == sorted(headings)
    # (A goal is also named in "Working together", above the sections: the cards come in order.)
    items = [
        page.index(marker, headings[0])
        for marker in ("AGENDA-ITEM", "DISAGREE-ITEM", "GOAL-ITEM", "THOUGHT-ITEM")
    ]
    assert items == sorted(items)
    assert page.index("FEELING-ITEM") > headings[-1]
    agenda_html = section_of(page, "agenda")
    # In the participant's order, the first marked as what matters most.
    assert agenda_html.index("AGENDA-ITEM") < agenda_html.index(body_of(world, "team"))
    assert text_of(agenda_html).count("Matters most") == 1
    assert text_of(agenda_html).index("Matters most") < text_of(agenda_html).index("AGENDA-ITEM")
    # An entry on the agenda is not repeated in its own section.
    assert body_of(world, "team") not in section_of(page, "questions")
    assert "Cause of pain" in text_of(section_of(page, "disagreements"))


def test_each_entry_shows_its_details_and_colleagues_responses(world):
    owner, physio, psych = world.clients["owner"], world.clients["physio"], world.clients["psych"]
    feeling_id = write_and_share(
        world, "tired", kind="feeling", body="Tired after the sessions", intensity=8,
        importance="high", raise_next_session=True,
    )  # fmt: skip
    goal_id = write_and_share(world, "garden", kind="goal", body="Work in the garden", goal_status="achieved")
    edited = owner.patch(
        f"/api/v1/entries/{goal_id}",
        json={"body": "Work in the garden for an hour"},
        headers={"If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    reply = psych.post(
        f"/api/v1/entries/{feeling_id}/responses", json={"kind": "reply", "body": "Let us pace it."}
    )
    assert reply.status_code == 201
    page = physio.get(prep_url(world)).text
    feeling = text_of(re.search(rf'<article[^>]*id="entry-{feeling_id}".*?</article>', page, re.S).group(0))
    assert "Feeling" in feeling
    assert "Importance: High" in feeling
    assert "Intensity: 8 of 10" in feeling
    assert "Raise at next session" in feeling
    assert "New" in feeling
    assert "Shared with: whole team" in feeling
    assert "Let us pace it." in feeling
    assert f"{world.users['psych'].display_name} (Psychologist)" in feeling
    goal = text_of(re.search(rf'<article[^>]*id="entry-{goal_id}".*?</article>', page, re.S).group(0))
    assert "Work in the garden for an hour" in goal
    assert "Edited after sharing" in goal
    assert "Goal status: Achieved" in goal
    assert "Agreement: Not discussed yet" in goal
    # The psychologist sees with whom the personal share was made.
    psych_page = text_of(psych.get(prep_url(world)).text)
    assert f"Shared with: {world.users['psych'].display_name} (Psychologist)" in psych_page
    # Read once: no longer new on the next load.
    again = physio.get(prep_url(world)).text
    assert 'class="flag flag--new"' not in again


def test_filters_by_kind_and_new_since_last_look(world):
    physio = world.clients["physio"]
    write_and_share(world, "goal", kind="goal", body="GOAL-ONLY")
    write_and_share(world, "thought", kind="thought", body="THOUGHT-ONLY")
    goals = physio.get(prep_url(world), params={"kind": "goal"}).text
    assert "GOAL-ONLY" in goals
    assert "THOUGHT-ONLY" not in goals
    assert body_of(world, "team") not in goals
    assert f'href="{prep_url(world)}?kind=goal" aria-current="true"' in goals
    # Everything has been opened now (the goal just now, the rest below).
    assert "THOUGHT-ONLY" in physio.get(prep_url(world)).text
    nothing_new = physio.get(prep_url(world), params={"new": "1"}).text
    for marker in ("GOAL-ONLY", "THOUGHT-ONLY", body_of(world, "team")):
        assert marker not in nothing_new
    assert "Nothing matches this filter." in nothing_new
    write_and_share(world, "later", kind="question", body="LATER-QUESTION")
    new_only = physio.get(prep_url(world), params={"new": "1"}).text
    assert "LATER-QUESTION" in new_only
    assert "GOAL-ONLY" not in new_only
    # An unknown kind is no error: it shows everything.
    everything = physio.get(prep_url(world), params={"kind": "nonsense"})
    assert everything.status_code == 200
    assert "GOAL-ONLY" in everything.text


def test_print_view_has_no_forms_and_keeps_the_content(world):
    physio = world.clients["physio"]
    plan(physio, world.users["owner"])
    page = physio.get(prep_url(world), params={"print": "1"})
    assert page.status_code == 200
    assert "<form" not in page.text
    assert "csrf_token" not in page.text
    assert "<script" not in page.text
    assert body_of(world, "team") in text_of(page.text)
    assert 'href="/static/css/clinician.css"' in page.text
    assert "Next appointment:" in page.text
    normal = physio.get(prep_url(world)).text
    assert f'href="{prep_url(world)}?print=1"' in normal


def test_pages_load_the_clinician_stylesheet_and_no_inline_code(world):
    for url in ("/clinician", prep_url(world)):
        page = world.clients["physio"].get(url).text
        assert 'href="/static/css/clinician.css"' in page
        assert "style=" not in page
        assert "<style" not in page
        assert "onclick" not in page


def test_entry_bodies_and_replies_are_escaped(world):
    physio, psych = world.clients["physio"], world.clients["psych"]
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    entry_id = write_and_share(world, "attack", kind="question", body=attack)
    response = respond(physio, entry_id, kind="reply", body="<b>bold</b> <script>steal()</script>")
    assert response.status_code == 303
    for client in (physio, psych):
        page = client.get(prep_url(world)).text
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<script>steal" not in page
        assert "<b>bold</b>" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
        assert "&lt;b&gt;bold&lt;/b&gt;" in page


# --- responding -------------------------------------------------------------------------


def test_mark_seen_reply_and_discussed_with_an_outcome(world, db):
    physio = world.clients["physio"]
    question = world.entry_id("team")
    disagreement = write_and_share(world, "disagree", kind="disagreement", body="It is not in my head")
    goal = write_and_share(world, "goal", kind="goal", body="Cycle to work")

    seen = respond(physio, question, kind="seen")
    assert seen.status_code == 303
    assert seen.headers["location"] == f"{prep_url(world)}?done=seen&entry={question}#entry-{question}"
    page = physio.get(seen.headers["location"]).text
    assert "Marked as seen." in page
    assert "You marked this seen." in page

    reply = respond(physio, question, kind="reply", body="Yes, swimming is fine.\nStart slowly.")
    assert reply.status_code == 303
    page = physio.get(reply.headers["location"]).text
    assert "Reply sent. The participant can read it." in page
    assert "Yes, swimming is fine.\nStart slowly." in page

    partly = respond(
        physio, goal, kind="discussed", outcome="partly_agreed", body="Start with two days a week"
    )
    assert partly.status_code == 303
    page = text_of(physio.get(partly.headers["location"]).text)
    assert "Agreement: Partly agreed" in page
    assert "Start with two days a week" in page

    agreed = respond(physio, disagreement, kind="discussed", outcome="agreed", body="We agree on the plan")
    assert agreed.status_code == 303
    assert "done=resolved" in agreed.headers["location"]
    page = physio.get(agreed.headers["location"]).text
    assert "It no longer shows under disagreements." in page
    assert "It is not in my head" not in section_of(page, "disagreements")

    discussed_question = respond(physio, question, kind="discussed", body="Talked it through")
    assert discussed_question.status_code == 303

    stored = {(r.entry_id, r.kind, r.outcome, r.body) for r in responses_stored(db)}
    assert stored == {
        (uuid.UUID(question), "seen", None, None),
        (uuid.UUID(question), "reply", None, "Yes, swimming is fine.\nStart slowly."),
        (uuid.UUID(goal), "discussed", "partly_agreed", "Start with two days a week"),
        (uuid.UUID(disagreement), "discussed", "agreed", "We agree on the plan"),
        (uuid.UUID(question), "discussed", None, "Talked it through"),
    }
    # The participant sees the reply.
    mine = world.clients["owner"].get(f"/api/v1/entries/{question}/responses").json()
    assert [r["kind"] for r in mine] == ["seen", "reply", "discussed"]


def test_a_filtered_page_stays_filtered_after_responding(world):
    physio = world.clients["physio"]
    page = physio.get(prep_url(world), params={"kind": "question"}).text
    assert 'name="return_kind" value="question"' in page
    response = respond(physio, world.entry_id("team"), kind="seen", return_kind="question")
    assert response.headers["location"].startswith(f"{prep_url(world)}?kind=question&done=seen")


@pytest.mark.parametrize(
    ("entry", "data", "message", "field_id"),
    [
        ("team", {"kind": "reply", "body": "   "}, "Write a reply first.", "reply-{id}-body"),
        (
            "team",
            {"kind": "reply", "body": "x" * 4001},
            "This is too long (at most 4000 characters).",
            "reply-{id}-body",
        ),
        (
            "team",
            {"kind": "discussed", "outcome": "agreed"},
            "An outcome is recorded only when a disagreement or goal was discussed.",
            None,
        ),
        (
            "disagreement",
            {"kind": "discussed", "body": "talked"},
            "Choose how the discussion ended.",
            "discussed-{id}-outcome",
        ),
        (
            "disagreement",
            {"kind": "discussed", "outcome": "maybe"},
            "This is not one of the allowed choices.",
            "discussed-{id}-outcome",
        ),
        ("team", {"kind": "seen", "body": "a note"}, "Marking as seen takes no text or outcome.", None),
        ("team", {"kind": "applause"}, "This is not one of the allowed choices.", None),
    ],
)
def test_bad_responses_show_the_problem_and_store_nothing(world, db, entry, data, message, field_id):
    physio = world.clients["physio"]
    if entry == "disagreement":
        entry_id = write_and_share(world, "disagreement", kind="disagreement", body="Not what I was told")
    else:
        entry_id = world.entry_id(entry)
    response = respond(physio, entry_id, **data)
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert 'role="alert"' in response.text
    if field_id:
        assert f'id="{field_id.format(id=entry_id)}"' in response.text
        assert 'aria-invalid="true"' in response.text
    assert responses_stored(db) == []
    if data.get("kind") == "reply" and data["body"].strip():
        # A long reply is kept so that nothing typed is lost.
        assert data["body"] in response.text


@pytest.mark.parametrize("hidden", ["private", "psych_only", "revoked", "deleted", "unknown"])
def test_responding_to_an_entry_i_cannot_see_is_a_404_page(world, db, hidden):
    physio = world.clients["physio"]
    entry_id = str(uuid.uuid4()) if hidden == "unknown" else world.entry_id(hidden)
    for data in ({"kind": "seen"}, {"kind": "reply", "body": "hello"}, {"kind": "reply", "body": ""}):
        response = respond(physio, entry_id, **data)
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]
        assert "This entry does not exist" in response.text or "Not found" in response.text
    assert responses_stored(db) == []


def test_a_response_without_the_csrf_token_is_refused(world, db):
    physio = world.clients["physio"]
    with as_browser(physio):
        response = physio.post(
            f"/clinician/entries/{world.entry_id('team')}/responses", data={"kind": "reply", "body": "hi"}
        )
    assert response.status_code == 403
    assert responses_stored(db) == []


# --- appointments -----------------------------------------------------------------------


def test_plan_an_appointment_in_my_time_zone(world, db):
    physio = world.clients["physio"]
    day = (datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(days=3)).date()
    response = form_post(
        physio, f"{prep_url(world)}/appointments", {"date": day.isoformat(), "time": "14:30"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{prep_url(world)}?done=planned#appointments"
    stored = rows(db, select(Appointment))
    assert len(stored) == 1
    expected = datetime(day.year, day.month, day.day, 14, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert stored[0].starts_at == expected.astimezone(UTC)
    assert stored[0].clinician_id == world.users["physio"].id
    assert stored[0].participant_id == world.users["owner"].id
    page = physio.get(response.headers["location"]).text
    assert "Appointment planned." in page
    appointments = text_of(section_of(page, "appointments"))
    assert format_datetime(expected, "EEE d MMM y, HH:mm", locale="en") in appointments
    assert "Next appointment:" in page
    # Only mine are listed: a colleague's appointment with the same participant is not.
    plan(world.clients["psych"], world.users["owner"], hours=5)
    assert len(re.findall(r"<time", section_of(physio.get(prep_url(world)).text, "appointments"))) == 1


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"date": "", "time": "14:30"}, DATE_PROBLEM, "date"),
        ({"date": "2030-01-02", "time": ""}, "Choose a time, such as 14:30.", "time"),
        ({"date": "next tuesday", "time": "14:30"}, DATE_PROBLEM, "date"),
        ({"date": "2030-02-30", "time": "14:30"}, DATE_PROBLEM, "date"),
        ({"date": "2030-01-02", "time": "2 pm"}, "Choose a time, such as 14:30.", "time"),
        ({"date": "2020-01-02", "time": "14:30"}, "This appointment lies in the past.", "date"),
    ],
)
def test_bad_appointments_show_the_problem_and_store_nothing(world, db, data, message, field):
    response = form_post(world.clients["physio"], f"{prep_url(world)}/appointments", data)
    assert response.status_code == 422
    assert message_shown(message, text_of(response.text))
    assert f'id="appointment-{field}-error"' in response.text
    if data["date"]:
        assert f'value="{data["date"]}"' in response.text
    assert rows(db, select(Appointment)) == []


def test_no_appointment_with_a_participant_of_another_team(world, db):
    response = form_post(
        world.clients["outsider"], f"{prep_url(world)}/appointments", {"date": "2030-01-02", "time": "10:00"}
    )
    assert response.status_code == 404
    assert rows(db, select(Appointment)) == []


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize("actor", ["owner", "fellow", "admin"])
def test_participants_and_admins_are_refused(world, db, actor):
    client = world.clients[actor]
    for url in ("/clinician", prep_url(world), f"{prep_url(world)}?print=1"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "text/html" in response.headers["content-type"]
        assert body_of(world, "team") not in response.text
    assert respond(client, world.entry_id("team"), kind="reply", body="hi").status_code == 403
    planned = form_post(client, f"{prep_url(world)}/appointments", {"date": "2030-01-02", "time": "10:00"})
    assert planned.status_code == 403
    assert responses_stored(db) == []
    assert rows(db, select(Appointment)) == []


def test_anonymous_visitors_go_to_login(client, world):
    client.follow_redirects = False
    for url in ("/clinician", prep_url(world)):
        response = client.get(url)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?" + f"next={url.replace('/', '%2F')}"
    response = client.post(f"/clinician/entries/{world.entry_id('team')}/responses", data={"kind": "seen"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


@pytest.mark.parametrize("who", ["outsider_views_owner", "unknown", "clinician_id"])
def test_a_participant_not_in_my_teams_is_the_same_404_page(world, who):
    client = world.clients["outsider" if who == "outsider_views_owner" else "physio"]
    target = {
        "outsider_views_owner": world.users["owner"].id,
        "unknown": uuid.uuid4(),
        "clinician_id": world.users["psych"].id,
    }[who]
    response = client.get(f"/clinician/participants/{target}")
    assert response.status_code == 404
    assert "This participant does not exist, or is not in one of your teams." in response.text
    assert body_of(world, "team") not in response.text
    assert client.get(f"/clinician/participants/{target}?print=1").status_code == 404


def test_a_malformed_participant_id_is_not_a_server_error(world):
    response = world.clients["physio"].get("/clinician/participants/not-a-uuid")
    assert response.status_code in {404, 422}


def test_opening_the_preparation_is_recorded_for_the_participant(world):
    world.clients["physio"].get(prep_url(world))
    log = world.clients["owner"].get("/api/v1/me/access-log").json()
    assert {(item["entry_id"], item["clinician_name"]) for item in log} == {
        (world.entry_id("team"), world.users["physio"].display_name)
    }


def test_a_clinician_signed_in_after_login_sees_the_page(client_factory, world, db):
    """A second clinician of the team, on a fresh browser, through the normal login."""
    colleague = make_user(db, Role.clinician, team=world.team, display_name="Dr. New")
    # Dr. New joined after Anna shared with the whole team: Anna lets her read it.
    answer = world.clients["owner"].put(f"/api/v1/me/team-joiners/{colleague.id}", json={"allowed": True})
    assert answer.status_code == 200, answer.text
    browser = client_factory()
    login(browser, colleague)
    assert "1 new" in dashboard_row(browser.get("/clinician").text, "Anna")
    assert body_of(world, "team") in text_of(browser.get(prep_url(world)).text)
