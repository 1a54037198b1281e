"""Issue 14, item 2, in a real Chromium, in English and Dutch: the physiotherapist suggests a task
on the preparation page (desktop), linked to a goal the participant shared with her; the
participant finds it under "What my team suggests" on a phone, answers "I have doubts" with a
why and logs a try that hurt. Nothing of that reaches the physiotherapist until the participant
lets her see it; then she sees the answer and the try, flagged. The psychologist of the same team
sees nothing of the task. Taken back, it is gone from her page again; and the doubts go on the
agenda of the next appointment in one step."""

from datetime import date, timedelta
from typing import Any

import pytest

from app.models.enums import Discipline, Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import PASSWORD, login, make_team, make_user
from tests.sharing.conftest import in_future

GOAL = "Walk my daughter to school."
TASK = "Walk to the corner and back after lunch."
HOW_OFTEN = {"en": "Every day", "nl": "Elke dag"}
WHY = "My knee hurts on the stairs."
TRY_NOTE = "Two streets, then I stopped."
WORDS = {
    "en": {
        "plan": "What my team suggests",
        "answered": "Your answer is saved. Only you can see it until you send it.",
        "tried": "Your try is saved. Only you can see it until you send it.",
        "hurt": "It hurt too much",
        "only_you": "Only you",
        "nothing_yet": "Nothing yet. Lisa sees the task, not your answer or tries, until you send them.",
        "send": "Let Lisa see my answer",
        "sent": "Sent. They can see your answer and tries now.",
        "sent_answer": "Your answer “I have doubts”, sent",
        "unsend": "Take back what I sent",
        "unsent": "Taken back. Your answer and tries are private again.",
        "agenda": "Put it on the agenda",
        "raised": "Shared with the person you chose, and on the agenda of your next appointment with them.",
        "suggested": "Task saved. The participant can see it and answer it.",
        "doubts": "Has doubts",
        "no_answer": "No answer sent to you.",
        "one_item": "1 item on the agenda",
    },
    "nl": {
        "plan": "Wat mijn team voorstelt",
        "answered": "Je antwoord is bewaard. Alleen jij ziet het, tot je het stuurt.",
        "tried": "Je poging is bewaard. Alleen jij ziet hem, tot je hem stuurt.",
        "hurt": "Het deed te veel pijn",
        "only_you": "Alleen jij",
        "nothing_yet": "Nog niets. Lisa ziet de taak, niet je antwoord of pogingen, tot je die stuurt.",
        "send": "Laat Lisa mijn antwoord zien",
        "sent": "Verstuurd. Ze zien je antwoord en pogingen nu.",
        "sent_answer": "Je antwoord “Ik twijfel”, verstuurd",
        "unsend": "Terugnemen wat ik stuurde",
        "unsent": "Teruggenomen. Je antwoord en pogingen zijn weer alleen van jou.",
        "agenda": "Op de agenda zetten",
        "raised": "Gedeeld met de persoon die je koos, en op de agenda van je volgende afspraak met die persoon gezet.",
        "suggested": "Taak bewaard. De deelnemer ziet hem en kan erop antwoorden.",
        "doubts": "Twijfelt",
        "no_answer": "Geen antwoord naar je gestuurd.",
        "one_item": "1 punt op de agenda",
    },
}


def _text(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def _done(page: Any, done: str) -> str:
    """The note a page shows after a save: waits for the page the save redirected to (its URL
    says which note), not for the note an earlier save left on the page before."""
    page.wait_for_url(lambda url: f"done={done}" in url)
    return _text(page.locator(".notice--done"))


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_task_suggested_answered_sent_taken_back_and_raised(
    live_server, browser_context_factory, client_factory, db, locale
):
    words = WORDS[locale]
    team = make_team(db, f"Task team {locale}")
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
    goal = ria_api.post("/api/v1/entries", json={"kind": "goal", "body": GOAL})
    assert goal.status_code == 201, goal.text
    goal_id = goal.json()["id"]
    shared = ria_api.post(f"/api/v1/entries/{goal_id}/shares", json={"clinician_ids": [str(lisa.id)]})
    assert shared.status_code == 201, shared.text
    appointment = ria_api.post(
        "/api/v1/appointments", json={"clinician_id": str(lisa.id), "starts_at": in_future(72)}
    )
    assert appointment.status_code == 201, appointment.text
    until = (date.today() + timedelta(days=28)).isoformat()

    # The physiotherapist suggests the task, on her desktop.
    desk = browser_context_factory(DESKTOP).new_page()
    sign_in(desk, live_server, lisa.username, PASSWORD)
    prep = f"{live_server}/clinician/participants/{ria.id}"
    desk.goto(f"{prep}#tasks")
    desk.fill("#task-body", TASK)
    desk.fill("#task-how_often", HOW_OFTEN[locale])
    desk.fill("#task-until", until)
    desk.select_option("#task-goal_id", goal_id)
    desk.click(f"form[action='/clinician/participants/{ria.id}/tasks'] button[type=submit]")
    assert _done(desk, "task_suggested") == words["suggested"]
    tasks = ria_api.get("/api/v1/me/tasks").json()
    assert [(task["body"], task["how_often"], task["until"], task["goal_id"]) for task in tasks] == [
        (TASK, HOW_OFTEN[locale], until, goal_id)
    ]
    task_id = tasks[0]["id"]
    card = desk.locator(f"#task-{task_id}")
    assert TASK in _text(card) and GOAL in _text(card) and HOW_OFTEN[locale] in _text(card)
    assert words["no_answer"] in _text(card)

    # The participant, on her phone, finds it from the journal's menu.
    phone = browser_context_factory(PHONE).new_page()
    sign_in(phone, live_server, ria.username, PASSWORD)
    phone.goto(f"{live_server}/journal")
    phone.click("nav.journal-nav a[href='/plan']")
    phone.wait_for_url(f"{live_server}/plan")
    assert _text(phone.locator("h1")) == words["plan"]
    summary = phone.locator(f"#task-{task_id}")
    assert TASK in _text(summary) and "Lisa" in _text(summary) and GOAL in _text(summary)
    summary.locator(".task-card__text a").click()
    phone.wait_for_url(f"{live_server}/plan/{task_id}")

    phone.click("label[for=answer-doubts]")
    phone.fill("#answer-note", WHY)
    phone.click(f"form[action='/plan/{task_id}/answer'] button[type=submit]")
    assert _done(phone, "answered") == words["answered"]
    assert phone.locator("#answer-doubts").is_checked()

    phone.click("label[for=try-too_painful]")
    phone.fill("#try-note", TRY_NOTE)
    phone.click(f"form[action='/plan/{task_id}/tries'] button[type=submit]")
    assert _done(phone, "tried") == words["tried"]
    rows = phone.locator("#tries tbody tr")
    assert rows.count() == 1
    row = _text(rows.first)
    assert words["hurt"] in row and TRY_NOTE in row and words["only_you"] in row
    assert words["nothing_yet"] in _text(phone.locator("#sending"))

    # Not sent yet: the physiotherapist sees her task, not the answer or the try.
    desk.reload()
    card = desk.locator(f"#task-{task_id}")
    assert TASK in _text(card) and WHY not in desk.content() and TRY_NOTE not in desk.content()

    send = phone.locator(f"form[action='/plan/{task_id}/send'] button[type=submit]")
    assert _text(send) == words["send"]
    send.click()
    assert _done(phone, "task_sent") == words["sent"]
    assert words["sent_answer"] in _text(phone.locator("#sending"))
    assert phone.locator(f"form[action='/plan/{task_id}/send']").count() == 0

    desk.reload()
    card = desk.locator(f"#task-{task_id}")
    assert "task-card--flag" in (card.get_attribute("class") or "")
    answer = _text(card.locator(".task-card__answer"))
    assert words["doubts"] in answer and WHY in answer
    tried = _text(card.locator(".task-card__tries"))
    assert words["hurt"] in tried and TRY_NOTE in tried

    # The psychologist of the same team sees nothing of the physiotherapist's task.
    other = browser_context_factory(DESKTOP).new_page()
    sign_in(other, live_server, omar.username, PASSWORD)
    other.goto(prep)
    other.wait_for_selector("#tasks")
    content = other.content()
    assert other.locator(f"#task-{task_id}").count() == 0
    assert TASK not in content and WHY not in content and TRY_NOTE not in content

    # Taken back: gone from the physiotherapist's page at once.
    unsend = phone.locator(f"form[action='/plan/{task_id}/unsend'] button[type=submit]")
    assert _text(unsend) == words["unsend"]
    unsend.click()
    assert _done(phone, "task_unsent") == words["unsent"]
    assert words["nothing_yet"] in _text(phone.locator("#sending"))
    desk.reload()
    card = desk.locator(f"#task-{task_id}")
    assert "task-card--flag" not in (card.get_attribute("class") or "")
    assert words["no_answer"] in _text(card)
    assert WHY not in desk.content() and TRY_NOTE not in desk.content()

    # The doubts, on the agenda of the next appointment with her, in one step.
    phone.click("#raise summary")
    assert WHY in phone.input_value("#raise-body")
    raise_button = phone.locator(f"form[action='/plan/{task_id}/raise'] button[type=submit]")
    assert _text(raise_button) == words["agenda"]
    raise_button.click()
    assert _done(phone, "raised_agenda") == words["raised"]
    entry_id = phone.url.split("/entries/", 1)[1].split("?", 1)[0]
    agenda = ria_api.get(f"/api/v1/appointments/{appointment.json()['id']}").json()["agenda"]
    assert [item["entry_id"] for item in agenda] == [entry_id]

    desk.reload()
    assert WHY in _text(desk.locator(f"#entry-{entry_id}"))
    assert words["one_item"] in _text(desk.locator("#appointments"))
    other.reload()
    other.wait_for_selector("#tasks")
    assert WHY not in other.content()
