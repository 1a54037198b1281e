"""The time-zone list on the account page (issue 13, item 5): the likely zones first (the
person's own, the programme's and the browser's), and a search box that finds a city in the long
list, on a phone, in English and Dutch."""

from typing import Any

import pytest
from sqlmodel import Session

from app.models import User
from app.models.enums import Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_team, make_user

SELECT = "select#profile-time_zone"


def likely_zones(page: Any) -> list[str]:
    return page.eval_on_selector_all(f"{SELECT} optgroup[data-likely] option", "all => all.map(o => o.value)")


@pytest.mark.parametrize(
    ("locale", "search", "save"), [("en", "Find a city", "Save"), ("nl", "Zoek een stad", "Opslaan")]
)
def test_likely_zones_come_first_and_a_city_is_found_by_typing(
    live_server, browser_context_factory, db: Session, locale, search, save
):
    user = make_user(db, Role.participant, team=make_team(db), locale=locale)
    context = browser_context_factory(timezone_id="America/Sao_Paulo", locale="pt-BR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/account")
    page.wait_for_selector("[data-time-zone-search]:not([hidden])")
    # Their own zone (the default), then the browser's; chosen once, at the top.
    assert likely_zones(page) == ["Europe/Amsterdam", "America/Sao_Paulo"]
    assert page.eval_on_selector(SELECT, "s => s.selectedIndex") == 0
    assert page.eval_on_selector(SELECT, "s => [...s.options].filter(o => o.selected).length") == 1

    page.get_by_label(search).fill("lisb")
    visible = page.eval_on_selector_all(
        f"{SELECT} option", "all => all.filter(o => !o.hidden).map(o => o.value)"
    )
    assert "Europe/Lisbon" in visible and len(visible) <= 3, visible  # the match, and the current one
    page.get_by_label(search).press("Enter")  # picks the city; does not send the form
    assert page.eval_on_selector(SELECT, "s => s.value") == "Europe/Lisbon"
    assert "/account" in page.url
    page.click(f"form:has({SELECT}) button[type=submit]:has-text('{save}')")
    page.wait_for_load_state()
    db.expire_all()
    assert db.get(User, user.id).time_zone == "Europe/Lisbon"
    # Next time their own zone leads the list.
    page.goto(f"{live_server}/account")
    page.wait_for_selector("[data-time-zone-search]:not([hidden])")
    assert likely_zones(page)[:2] == ["Europe/Lisbon", "Europe/Amsterdam"]
    assert errors == []
