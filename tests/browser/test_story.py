"""Issue 15, "done when", in a real Chromium, in English and Dutch: a participant writes two
sections of their story on a phone, saves, shares it with the physiotherapist only and edits one
section; the physiotherapist sees the story with "updated since you last read it" on the changed
section only; the psychologist sees nothing; stopping the share hides it at once."""

import pytest

from app.models.enums import Discipline, Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import PASSWORD, make_team, make_user

BEFORE = "Four years of pain clinics; the injections did not help."
CAUSE = "I think it started with the fall at work."
CAUSE_LATER = "I think it started with the fall at work, and the stress kept it going."
CHANGED = {"en": "updated since you last read it", "nl": "bijgewerkt sinds je het las"}


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_story_written_on_a_phone_shared_with_one_and_updated(
    live_server, browser_context_factory, db, locale
):
    team = make_team(db, f"Story team {locale}")
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

    phone = browser_context_factory(PHONE).new_page()
    sign_in(phone, live_server, ria.username, PASSWORD)
    phone.goto(f"{live_server}/story")
    phone.fill("#story-before", BEFORE)
    phone.fill("#story-cause", CAUSE)
    phone.click("form.form--story button[type=submit]")
    phone.wait_for_selector(".notice--done")
    assert phone.input_value("#story-cause") == CAUSE

    phone.click("#sharing details.share-box summary")
    phone.click("label[for='share-audience-people']")
    phone.click(f"label[for='share-person-{physio.id}']")
    phone.click("form[action='/story/share'] button[type=submit]")
    phone.wait_for_selector(".notice--done")

    desk = browser_context_factory(DESKTOP).new_page()
    sign_in(desk, live_server, physio.username, PASSWORD)
    prep = f"{live_server}/clinician/participants/{ria.id}"
    desk.goto(prep)
    desk.click("#story > summary")  # collapsed to one line; opens in place
    assert BEFORE in desk.locator("#story").inner_text()
    assert desk.locator(".badge--changed").count() == 0  # nothing changed since it was shared

    phone.goto(f"{live_server}/story")
    phone.fill("#story-cause", CAUSE_LATER)
    phone.click("form.form--story button[type=submit]")
    phone.wait_for_selector(".notice--done")

    desk.goto(prep)
    desk.click("#story > summary")
    badges = desk.locator("#story .story-part--changed")
    assert badges.count() == 1
    assert CHANGED[locale] in badges.first.inner_text() and CAUSE_LATER in badges.first.inner_text()
    assert CHANGED[locale] in desk.locator("#story > summary").inner_text()

    other = browser_context_factory(DESKTOP).new_page()
    sign_in(other, live_server, psych.username, PASSWORD)
    other.goto(prep)
    assert other.locator("#story").count() == 0 and BEFORE not in other.content()

    phone.goto(f"{live_server}/story")
    phone.click("form[action^='/story/shares/'] button[type=submit]")
    phone.wait_for_selector(".notice--done")
    desk.goto(prep)
    assert desk.locator("#story").count() == 0 and BEFORE not in desk.content()
