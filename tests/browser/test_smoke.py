"""The browser harness itself: a real Chromium signs in through the real login form."""

from app.models.enums import Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_team, make_user


def test_sign_in_and_see_home_in_a_real_browser(live_server, browser_page, db):
    user = make_user(db, Role.participant, team=make_team(db), display_name="Browser Bea")
    sign_in(browser_page, live_server, user.username, PASSWORD)
    assert "Browser Bea" in browser_page.content()
    errors: list[str] = []
    browser_page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    browser_page.reload()
    assert errors == []  # no CSP violations or script errors


def test_pages_make_no_third_party_requests(live_server, browser_page, db):
    user = make_user(db, Role.clinician, team=make_team(db))
    requested: list[str] = []
    browser_page.on("request", lambda request: requested.append(request.url))
    sign_in(browser_page, live_server, user.username, PASSWORD)
    browser_page.goto(f"{live_server}/account")
    assert requested
    assert all(url.startswith(live_server) or url.startswith("data:") for url in requested), requested
