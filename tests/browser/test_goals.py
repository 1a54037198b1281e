"""Issue 14, item 1, in a real Chromium, in English and Dutch: a participant writes a goal on a
phone, shares it with the physiotherapist, who agrees in part with the wording; the participant
rates it, rewords it and rates it again. Both wordings stay, the team's agreement stays with the
words it was about, the ratings draw a line; the physiotherapist sees the trend and the earlier
wording with their agreement; the psychologist, who was not chosen, sees nothing of it."""

from typing import Any

import pytest

from app.models.enums import Discipline, Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import PASSWORD, login, make_team, make_user

FIRST = "Walk my daughter to school."
SECOND = "Walk my daughter to school, with one rest on the bench."
WORDS = {
    "en": {
        "now": "Now 5 of 10",
        "first": "first 3",
        "rated": "Rated 5 of 10 on",
        "partly": "We partly agreed",
        "partly_desk": "Partly agreed",
    },
    "nl": {
        "now": "Nu 5 van de 10",
        "first": "eerst 3",
        "rated": "Cijfer 5 van de 10 op",
        "partly": "We zijn het deels eens geworden",
        "partly_desk": "Deels eens geworden",
    },
}


def _rate(page: Any, goal_id: str, value: int) -> None:
    page.click(f"label[for='rate-{goal_id}-{value}']")
    page.click(f"form[action='/goals/{goal_id}/ratings'] button[type=submit]")
    page.wait_for_selector(".notice--done")


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_goal_worded_reworded_and_rated_keeps_its_history(
    live_server, browser_context_factory, client_factory, db, locale
):
    team = make_team(db, f"Goal team {locale}")
    ria = make_user(db, Role.participant, team=team, display_name="Ria", locale=locale)
    physio = make_user(
        db,
        Role.clinician,
        team=team,
        display_name="Phil",
        discipline=Discipline.physiotherapist,
        locale=locale,
    )
    psych = make_user(
        db, Role.clinician, team=team, display_name="Pat", discipline=Discipline.psychologist, locale=locale
    )
    ria_api, physio_api = client_factory(), client_factory()
    login(ria_api, ria)
    login(physio_api, physio)

    phone = browser_context_factory(PHONE).new_page()
    sign_in(phone, live_server, ria.username, PASSWORD)
    phone.goto(f"{live_server}/write")
    phone.click("label[for=write-kind-goal]")
    phone.fill("#write-body", FIRST)
    phone.click("form[action='/write'] button[type=submit]")
    phone.wait_for_selector("[data-capture-result] a")
    goals = ria_api.get("/api/v1/me/goals").json()
    assert [goal["body"] for goal in goals] == [FIRST]
    goal_id = goals[0]["id"]

    shared = ria_api.post(f"/api/v1/entries/{goal_id}/shares", json={"clinician_ids": [str(physio.id)]})
    assert shared.status_code == 201, shared.text
    agreed = physio_api.post(
        f"/api/v1/entries/{goal_id}/responses",
        json={"kind": "discussed", "outcome": "partly_agreed", "body": "Start with half the way."},
    )
    assert agreed.status_code == 201, agreed.text

    phone.goto(f"{live_server}/goals")
    _rate(phone, goal_id, 3)
    phone.goto(f"{live_server}/entries/{goal_id}/edit")
    phone.fill("#edit-body", SECOND)
    phone.click("form[data-capture-edit] button[type=submit]")
    phone.wait_for_selector(".notice--done")
    phone.goto(f"{live_server}/entries/{goal_id}")
    _rate(phone, goal_id, 5)

    ratings = phone.locator("#ratings")
    assert ratings.locator("svg.line-chart circle").count() == 2
    assert ratings.locator("svg.line-chart").get_attribute("aria-label").endswith("3, 5")
    text = " ".join(ratings.inner_text().split())
    assert WORDS[locale]["now"] in text and WORDS[locale]["first"] in text
    wordings = phone.locator("#wordings li.wording")
    assert wordings.count() == 2
    assert SECOND in wordings.nth(0).inner_text() and "Phil" not in wordings.nth(0).inner_text()
    earlier = " ".join(wordings.nth(1).inner_text().split())
    assert FIRST in earlier and "Phil" in earlier and "Start with half the way." in earlier
    assert WORDS[locale]["partly"] in earlier

    desk = browser_context_factory(DESKTOP).new_page()
    sign_in(desk, live_server, physio.username, PASSWORD)
    prep = f"{live_server}/clinician/participants/{ria.id}"
    desk.goto(prep)
    card = desk.locator(f"#entry-{goal_id}")
    assert SECOND in card.inner_text()
    facts = card.locator(".goal-facts")
    assert facts.locator("svg.line-chart circle").count() == 2
    assert WORDS[locale]["rated"] in " ".join(facts.inner_text().split())
    facts.locator(".goal-facts__wordings summary").click()
    history = " ".join(facts.locator(".goal-facts__wordings ol").inner_text().split())
    assert FIRST in history and WORDS[locale]["partly_desk"] in history

    other = browser_context_factory(DESKTOP).new_page()
    sign_in(other, live_server, psych.username, PASSWORD)
    other.goto(prep)
    content = other.content()
    assert FIRST not in content and SECOND not in content
    assert other.locator(f"#entry-{goal_id}").count() == 0
