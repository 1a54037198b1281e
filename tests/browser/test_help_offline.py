"""The "Help now" page in a real Chromium on a phone: one tap from the participant's menu, and still there
with its `tel:` links when the phone has no connection, served by the service worker from a
copy that holds nothing personal."""

from typing import Any

from app.models.enums import Role
from tests.browser.conftest import sign_in, until_controlled
from tests.factories import PASSWORD, make_team, make_user


def tel_links(page: Any) -> list[str]:
    return page.eval_on_selector_all("a[href^='tel:']", "(links) => links.map((a) => a.getAttribute('href'))")


def test_help_now_opens_offline_with_its_phone_links(live_server, browser_context_factory, db):
    team = make_team(db, "Rehab team")
    team.help_phone = "020 123 4567"
    db.add(team)
    db.commit()
    user = make_user(db, Role.participant, team=team, display_name="Anna Private")
    context = browser_context_factory(locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/journal")
    until_controlled(page)

    # Online and signed in: one tap from the menu, with the team's own phone.
    page.click(".site-nav a[href='/help']")
    page.wait_for_url(f"{live_server}/help")
    assert "tel:0201234567" in tel_links(page)

    context.set_offline(True)
    page.goto(f"{live_server}/journal")  # any other page: the calm offline page, which links help
    assert page.locator("h1").inner_text() == "You are offline"
    page.click(".site-footer a[href='/help']")
    page.wait_for_url(f"{live_server}/help")
    assert page.locator("h1").inner_text() == "Help now"
    assert tel_links(page) == ["tel:112", "tel:113", "tel:08000113"]
    assert page.locator("a[href='tel:112']").is_visible()
    # The device's copy was fetched without the session: no name, no team, no menu.
    content = page.content()
    assert "Anna Private" not in content and "Rehab team" not in content
    assert page.locator(".site-nav").count() == 0

    # And opened directly, as a bookmark or from the home screen would.
    page.goto(f"{live_server}/help")
    assert tel_links(page) == ["tel:112", "tel:113", "tel:08000113"]
    box = page.locator("a[href='tel:113']").bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 48
