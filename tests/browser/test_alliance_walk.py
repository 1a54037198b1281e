"""Issue 14's "done when", walked in a real Chromium, in English and Dutch: the participant, on a
390 px phone, words a goal, rewords it (both wordings kept) and rates it twice; the
physiotherapist, on a desktop, suggests a task linked to it; the participant answers "I have
doubts" and sends that; after an appointment whose check-in falls clearly below her own level
she is offered to write about it, writes, and shares the entry with the physiotherapist only.
The physiotherapist's preparation page shows, under "Working together", the goal's trend, the
task with the doubts, the trend of the check-ins sent to her and the flagged drop; the
psychologist of the same team sees none of it.

Only what the UI does not offer a participant is set up directly: the accounts, the team, the
appointments (a clinician plans them) and two earlier check-ins (more than a week ago, so no
longer offered), which set her own level."""

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from app.models import Appointment
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import PASSWORD, login, make_team, make_user

FIRST = "Walk my daughter to school."
SECOND = "Walk my daughter to school, with one rest on the bench."
TASK = "Walk to the corner and back after lunch."
WHY = "My knee hurts on the stairs at the corner."
NOTE = "Rushed; no time for my questions."
WRITTEN = "She looked at the clock while I talked about my knee."
WORDS = {
    "en": {
        "edited": "Your changes are saved.",
        "rated": "Your rating is saved.",
        "now": "Now 5 of 10",
        "first": "first 3",
        "suggested": "Task saved. The participant can see it and answer it.",
        "plan": "What my team suggests",
        "answered": "Your answer is saved. Only you can see it until you send it.",
        "sent_task": "Sent. They can see your answer and tries now.",
        "sent_answer": "Your answer “I have doubts”, sent",
        "offer": "How did your appointment with Lisa go?",
        "checked_in": "Saved. Only you can see it until you send it.",
        "write": "Would you like to write down what happened?",
        "send_check_in": "Let Lisa see how it went",
        "sent_check_in": "Sent. They can see how the appointment went for you.",
        "sent": "Sent",
        "about": "About my appointment with Lisa on",
        "saved": "Saved. It is private until you choose to share it.",
        "shared": "Shared. The people you chose can read it now.",
        "together": "Working together",
        "goal_now": "now 5 of 10 (first 3)",
        "doubts": "Has doubts",
        "doubts_count": "has doubts 1",
        "lower": "some answers were lower than usual: Listened and believed.",
        "latest": "Listened and believed 5",
    },
    "nl": {
        "edited": "Je wijzigingen zijn opgeslagen.",
        "rated": "Je cijfer is bewaard.",
        "now": "Nu 5 van de 10",
        "first": "eerst 3",
        "suggested": "Taak bewaard. De deelnemer ziet hem en kan erop antwoorden.",
        "plan": "Wat mijn team voorstelt",
        "answered": "Je antwoord is bewaard. Alleen jij ziet het, tot je het stuurt.",
        "sent_task": "Verstuurd. Ze zien je antwoord en pogingen nu.",
        "sent_answer": "Je antwoord “Ik twijfel”, verstuurd",
        "offer": "Hoe ging je afspraak met Lisa?",
        "checked_in": "Bewaard. Alleen jij ziet het, tot je het stuurt.",
        "write": "Wil je opschrijven wat er gebeurde?",
        "send_check_in": "Laat Lisa zien hoe het ging",
        "sent_check_in": "Verstuurd. Ze zien nu hoe de afspraak voor jou ging.",
        "sent": "Verstuurd",
        "about": "Over mijn afspraak met Lisa op",
        "saved": "Opgeslagen. Alleen jij kunt het zien, tot je kiest om het te delen.",
        "shared": "Gedeeld. De mensen die je koos, kunnen het nu lezen.",
        "together": "Samenwerking",
        "goal_now": "nu 5 van de 10 (eerst 3)",
        "doubts": "Twijfelt",
        "doubts_count": "twijfelt 1",
        "lower": "waren sommige antwoorden lager dan gewoonlijk: Geluisterd en geloofd.",
        "latest": "Geluisterd en geloofd 5",
    },
}
# Her own level with Lisa (two earlier check-ins, sent), then the one after this week's
# appointment: "listened and believed" 3 points below it, the rest as usual.
EARLIER = {"heard": 8, "goals": 7, "approach": 8, "voice": 7}
NOW = {"heard": 5, "goals": 7, "approach": 8, "voice": 7}


def _text(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def _done(page: Any, done: str) -> str:
    """The note a page shows after a save, on the page the save redirected to (its URL says
    which note), not the note an earlier save left on the page before."""
    page.wait_for_url(re.compile(f"[?&]done={done}\\b"))
    return _text(page.locator(".notice--done"))


def _appointment(db: Any, participant: Any, clinician: Any, days_ago: float) -> str:
    made = Appointment(
        participant_id=participant.id,
        clinician_id=clinician.id,
        starts_at=utcnow() - timedelta(days=days_ago),
    )
    db.add(made)
    db.commit()
    return str(made.id)


def _share_with(page: Any, entry_id: str, clinician: Any) -> None:
    """Through the entry page's share box: only the chosen person."""
    page.click("#sharing details.share-box summary")
    page.click("label[for='share-audience-people']")
    page.click(f"label[for='share-person-{clinician.id}']")
    page.click(f"form[action='/entries/{entry_id}/share'] button[type=submit]")


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_working_alliance_walked_on_a_phone_and_a_desktop(
    live_server, browser_context_factory, client_factory, db, locale
):
    words = WORDS[locale]
    team = make_team(db, f"Alliance team {locale}")
    ria = make_user(db, Role.participant, team=team, display_name="Ria", locale=locale)
    lisa = make_user(
        db,
        Role.clinician,
        team=team,
        display_name="Lisa",
        discipline=Discipline.physiotherapist,
        locale=locale,
    )
    omar = make_user(
        db, Role.clinician, team=team, display_name="Omar", discipline=Discipline.psychologist, locale=locale
    )
    ria_api = client_factory()
    login(ria_api, ria)
    for days_ago in (21, 14):
        appointment = _appointment(db, ria, lisa, days_ago)
        made = ria_api.post("/api/v1/me/check-ins", json={"appointment_id": appointment, **EARLIER})
        assert made.status_code == 201, made.text
        sent = ria_api.post(f"/api/v1/me/check-ins/{made.json()['id']}/send")
        assert sent.status_code == 200, sent.text
    _appointment(db, ria, lisa, days_ago=1)
    prep = f"{live_server}/clinician/participants/{ria.id}"

    # The participant words a goal, rewords it and rates it twice, on her phone.
    phone = browser_context_factory(PHONE, locale=locale).new_page()
    sign_in(phone, live_server, ria.username, PASSWORD)
    phone.goto(f"{live_server}/write")
    phone.click("label[for=write-kind-goal]")
    phone.fill("#write-body", FIRST)
    phone.click("form[action='/write'] button[type=submit]")
    phone.click("form[data-capture] [data-capture-result] a")
    phone.wait_for_url(re.compile(r"/entries/[0-9a-f-]{36}$"))
    goal_id = phone.url.rsplit("/", 1)[1]
    phone.click(f"a[href='/entries/{goal_id}/edit']")
    phone.fill("#edit-body", SECOND)
    phone.click("form[data-capture-edit] button[type=submit]")
    assert _done(phone, "edited") == words["edited"]
    ratings = phone.locator("#ratings svg.line-chart circle")
    for value, count in [(3, 1), (5, 2)]:
        phone.click(f"label[for='rate-{goal_id}-{value}']")
        phone.click(f"form[action='/goals/{goal_id}/ratings'] button[type=submit]")
        expect(ratings).to_have_count(count)
    assert _done(phone, "rated") == words["rated"]
    now = _text(phone.locator("#ratings .ratings__now"))
    assert words["now"] in now and words["first"] in now
    wordings = phone.locator("#wordings li.wording")
    expect(wordings).to_have_count(2)
    assert SECOND in _text(wordings.nth(0)) and FIRST in _text(wordings.nth(1))
    _share_with(phone, goal_id, lisa)
    assert _done(phone, "shared") == words["shared"]

    # The physiotherapist suggests a task linked to that goal, on her desktop.
    desk = browser_context_factory(DESKTOP, locale=locale).new_page()
    sign_in(desk, live_server, lisa.username, PASSWORD)
    desk.goto(f"{prep}#tasks")
    desk.fill("#task-body", TASK)
    desk.select_option("#task-goal_id", goal_id)
    desk.click(f"form[action='/clinician/participants/{ria.id}/tasks'] button[type=submit]")
    assert _done(desk, "task_suggested") == words["suggested"]

    # The participant finds it in her plan, linked to her goal, has doubts and sends them.
    phone.goto(f"{live_server}/plan")
    assert _text(phone.locator("h1")) == words["plan"]
    card = phone.locator(".tasks .task-card", has_text=TASK)
    assert SECOND in _text(card) and "Lisa" in _text(card)
    card.locator(".task-card__text a").click()
    phone.wait_for_url(re.compile(r"/plan/[0-9a-f-]{36}$"))
    task_id = phone.url.rsplit("/", 1)[1]
    phone.click("label[for=answer-doubts]")
    phone.fill("#answer-note", WHY)
    phone.click(f"form[action='/plan/{task_id}/answer'] button[type=submit]")
    assert _done(phone, "answered") == words["answered"]
    phone.click(f"form[action='/plan/{task_id}/send'] button[type=submit]")
    assert _done(phone, "task_sent") == words["sent_task"]
    assert words["sent_answer"] in _text(phone.locator("#sending"))

    # After yesterday's appointment the home page offers a check-in; it falls below her level.
    phone.goto(live_server)
    offer = phone.locator("section.card--ask", has_text=words["offer"])
    offer.locator("a.button").click()
    phone.wait_for_url(re.compile(r"/check-ins/new\?appointment="))
    for item, value in NOW.items():
        phone.click(f"label[for='check-in-{item}-{value}']")
    phone.fill("#check-in-note", NOTE)
    phone.click("form[action='/check-ins'] button[type=submit]")
    assert _done(phone, "checked_in") == words["checked_in"]
    check_in_id = phone.url.split("/check-ins/", 1)[1].split("?", 1)[0]
    assert _text(phone.locator("#write-title")) == words["write"]
    phone.click(f"form[action='/check-ins/{check_in_id}/send'] button[type=submit]")
    assert _done(phone, "check_in_sent") == words["sent_check_in"]

    # Her own trend: three check-ins about Lisa, the drop marked in the table.
    phone.goto(f"{live_server}/check-ins")
    trend = phone.locator(".check-in-trend")
    expect(trend.locator("svg.line-chart circle")).to_have_count(3)
    expect(trend.locator("tbody tr")).to_have_count(3)
    latest = trend.locator("tbody tr").first
    assert latest.locator("td.low").count() == 1 and words["sent"] in _text(latest)

    # The offer opens the write page filled in; she writes and shares it with Lisa only.
    latest.locator(f"a[href='/check-ins/{check_in_id}']").click()
    phone.click(f"a[href='/write?check_in={check_in_id}']")
    assert phone.is_checked("#write-kind-feeling")
    assert phone.input_value("#write-topic") == "working_with_professional"
    assert phone.input_value("#write-about") == f"clinician:{lisa.id}"
    prefilled = phone.input_value("#write-body")
    assert prefilled.startswith(words["about"])
    phone.fill("#write-body", prefilled + WRITTEN)
    phone.click("form[action='/write'] button[type=submit]")
    result = phone.locator("form[data-capture] [data-capture-result]")
    expect(result).to_contain_text(words["saved"])
    result.locator("a").click()
    phone.wait_for_url(re.compile(r"/entries/[0-9a-f-]{36}$"))
    entry_id = phone.url.rsplit("/", 1)[1]
    _share_with(phone, entry_id, lisa)
    assert _done(phone, "shared") == words["shared"]
    sharing = _text(phone.locator("#sharing"))
    assert "Lisa" in sharing and "Omar" not in sharing

    # The physiotherapist's preparation: working together, and the entry she was sent.
    desk.goto(prep)
    alliance = desk.locator("#alliance")
    assert _text(alliance.locator("h2")) == words["together"]
    flags = alliance.locator(".alliance__flag")
    expect(flags).to_have_count(2)
    drop = _text(flags.nth(0))
    assert words["lower"] in drop and NOTE in drop
    doubted = _text(flags.nth(1))
    assert doubted.startswith(words["doubts"]) and TASK in doubted and WHY in doubted
    parts = alliance.locator(".alliance__part")
    expect(parts).to_have_count(3)
    goals = _text(parts.nth(0))
    assert SECOND in goals and words["goal_now"] in goals
    assert words["doubts_count"] in _text(parts.nth(1))
    sessions = parts.nth(2)
    expect(sessions.locator("svg.line-chart circle")).to_have_count(3)
    assert words["latest"] in _text(sessions)
    task_card = desk.locator(f"#task-{task_id}")
    assert "task-card--flag" in (task_card.get_attribute("class") or "")
    assert words["doubts"] in _text(task_card.locator(".task-card__answer"))
    assert WRITTEN in _text(desk.locator(f"#entry-{entry_id}"))

    # The psychologist of the same team sees none of it.
    other = browser_context_factory(DESKTOP, locale=locale).new_page()
    sign_in(other, live_server, omar.username, PASSWORD)
    other.goto(prep)
    other.wait_for_selector("#tasks")
    content = other.content()
    assert other.locator("#alliance").count() == 0
    for private in (FIRST, SECOND, TASK, WHY, NOTE, WRITTEN):
        assert private not in content
    assert other.locator(f"#entry-{goal_id}, #entry-{entry_id}, #task-{task_id}").count() == 0
