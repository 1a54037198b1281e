"""Chromium itself says Stem is installable, and shows the offline page without a network."""

from app.models.enums import Role
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, PHONE, sign_in, until_controlled
from tests.factories import PASSWORD, make_team, make_user


def test_chromium_reports_no_installability_errors(live_server, tmp_path, playwright_driver):
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=LAUNCH_ARGS, viewport=PHONE
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        until_controlled(page)
        session = context.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = session.send("Page.getAppManifest")
        assert manifest.get("errors", []) == []
    finally:
        context.close()


def test_offline_navigation_shows_the_offline_page(live_server, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db))
    context = browser_context_factory()
    page = context.new_page()
    sign_in(page, live_server, user.username, PASSWORD)
    until_controlled(page)
    context.set_offline(True)
    page.goto(f"{live_server}/account")
    assert page.locator("h1").inner_text() == "You are offline"
    context.set_offline(False)
